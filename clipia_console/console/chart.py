"""A small bar chart of credits per day, drawn on the server as SVG: no script, no
library, nothing from a CDN. The page shows the same figures as a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clipia_console.billing.usage import Totals

WIDTH = 600
HEIGHT = 120
GAP = 2


@dataclass(frozen=True, slots=True)
class Bar:
    day: date
    credits: int
    generations: int
    x: float
    y: float
    width: float
    height: float


def bars(days: list[tuple[date, Totals]]) -> list[Bar]:
    """One bar per day, scaled to the busiest day; an idle day is a zero-height bar."""
    if not days:
        return []
    top = max(max(totals.credits for _, totals in days), 1)
    slot = WIDTH / len(days)
    drawn = []
    for index, (day, totals) in enumerate(days):
        height = round(HEIGHT * max(totals.credits, 0) / top, 1)
        drawn.append(
            Bar(
                day=day,
                credits=totals.credits,
                generations=totals.generations,
                x=round(index * slot + GAP / 2, 1),
                y=round(HEIGHT - height, 1),
                width=round(slot - GAP, 1),
                height=height,
            )
        )
    return drawn
