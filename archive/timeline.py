"""The claim timeline: the figures of numeric claims that share a tag, one point per
appearance in a published article, coloured by claimant, as server-rendered SVG (and the
same data as a table for readers without images)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ClaimAppearance
from .selectors import public_figures

WIDTH, HEIGHT = 720, 320
MARGIN_START, MARGIN_END, MARGIN_TOP, MARGIN_BOTTOM = 70, 20, 20, 40
PALETTE = ["#0b5fa5", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e", "#a16207", "#334155"]


@dataclass
class Point:
    appearance: ClaimAppearance
    date: object
    value: Decimal
    low: Decimal | None
    high: Decimal | None
    claimant: str
    color: str = ""
    x: float = 0
    y: float = 0
    y_low: float | None = None
    y_high: float | None = None


def figure_of(claim):
    """The value to plot and the range around it: a range's middle, or its open end."""
    low, high = claim.quantity_low, claim.quantity_high
    if claim.quantity_value is not None:
        return claim.quantity_value, None, None
    if low is not None and high is not None:
        return (low + high) / 2, low, high
    return (low if low is not None else high), low, high


def timeline(tag):
    """The chart of `tag`'s numeric claims, or None when it has fewer than two points."""
    points = []
    for appearance in public_figures(tag):
        claim = appearance.claim
        value, low, high = figure_of(claim)
        if value is None:
            continue
        date = appearance.stated_on or timezone.localdate(appearance.article.published_at)
        claimant = claim.claimant.display_name if claim.claimant else _("Unattributed")
        points.append(Point(appearance, date, value, low, high, claimant))
    if len(points) < 2:
        return None
    claimants = list(dict.fromkeys(p.claimant for p in points))
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(claimants)}
    first, last = min(p.date for p in points), max(p.date for p in points)
    days = max((last - first).days, 1)
    # The axis spans zero and every figure (negative ones too); all zeros still get a scale.
    top = max(0, *(max(p.value, p.high or 0) for p in points)) * Decimal("1.1")
    bottom = min(0, *(min(p.value, p.low or 0) for p in points)) * Decimal("1.1")
    if top == bottom:
        top = Decimal(1)
    plot_w = WIDTH - MARGIN_START - MARGIN_END
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def y_of(value):
        return MARGIN_TOP + plot_h * float((top - value) / (top - bottom))

    for p in points:
        p.color = colors[p.claimant]
        p.x = MARGIN_START + plot_w * ((p.date - first).days / days)
        p.y = y_of(p.value)
        p.y_low = y_of(p.low) if p.low is not None else None
        p.y_high = y_of(p.high) if p.high is not None else None
    ticks = [bottom + (top - bottom) * Decimal(i) / 4 for i in range(5)]
    return {
        "points": points,
        "legend": [(c, colors[c]) for c in claimants],
        "unit": points[0].appearance.claim.quantity_unit,
        "width": WIDTH,
        "height": HEIGHT,
        "y_ticks": [(f"{round(t, 2).normalize():,f}", y_of(t)) for t in ticks],
        "tick_x": MARGIN_START - 8,
        "x_ticks": [(first, MARGIN_START, "start"), (last, MARGIN_START + plot_w, "end")],
        "axis_x": MARGIN_START,
        "axis_y": HEIGHT - MARGIN_BOTTOM,
        "axis_end": WIDTH - MARGIN_END,
        "label_y": HEIGHT - MARGIN_BOTTOM + 24,
    }
