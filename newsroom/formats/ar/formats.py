"""Arabic number formats, over Django's own (which group no digits and use "." for thousands
and "," for decimals, so that 12000 reads "12.000"): the Arabic thousands and decimal
separators, U+066C and U+066B, in groups of three, as Unicode's CLDR has them for Arabic. The
digits stay the archive's Western ones, as in its texts and dates: 12٬000, 2٫5."""

THOUSAND_SEPARATOR = "\u066c"
DECIMAL_SEPARATOR = "\u066b"
NUMBER_GROUPING = 3
# Django's Arabic leaves the date and time to English's "N j, Y, P".
DATETIME_FORMAT = "j F Y، H:i"
