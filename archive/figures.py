"""A claim's figure as people write it: 12000, not the column's 12000.0000.

The figure columns keep four decimal places, so Django gives a form the stored Decimal,
12000.0000, with every place. A figure is shown normalised instead: no trailing zeros, and no
exponent (Decimal.normalize() alone makes 12000 into 1.2E+4), with every real decimal kept
(12.5 stays 12.5)."""

from decimal import Decimal

from django import forms

FIGURE_FIELDS = ("quantity_value", "quantity_low", "quantity_high")


def plain_figure(number):
    """`number` as digits without trailing zeros or an exponent: Decimal("12000.0000") →
    "12000", Decimal("12.5000") → "12.5"; None → ""."""
    if number is None:
        return ""
    number = Decimal(number)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):f}"
    return f"{number.normalize():f}"


class FigureInput(forms.NumberInput):
    """A number field that shows a stored figure normalised. What an editor typed and sent
    back with an error (a string) is shown as typed."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain_figure(value)
        return super().format_value(value)


class FigureFormMixin:
    """For a ModelForm of claims: the figure fields show their values normalised."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIGURE_FIELDS:
            field = self.fields.get(name)
            if field is not None:
                attrs = field.widget.attrs
                field.widget = FigureInput(attrs=attrs)
