"""English date and time as the archive writes them ("7 December 2026, 18:21"), the Arabic
format's order with an English comma: the same shape in both interfaces."""

DATETIME_FORMAT = "j F Y, H:i"
