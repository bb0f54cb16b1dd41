"""The console's charts: the data and options that unfold's chart components hand to Chart.js.

Each chart has both axes labelled (the y axis from zero, whole numbers for counts), a tooltip
with every series' value at the hovered day, a legend when it draws more than one series, and
``empty`` set when every value is zero, so the page shows an empty state instead of a flat line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

COLOURS = {"primary": "var(--color-primary-600)", "muted": "var(--color-base-400)"}
TICK_COLOUR = "#4b5563"  # grey-600: AA contrast on white for the axis labels
MAX_X_TICKS = 8


@dataclass(frozen=True)
class Series:
    label: str
    values: list
    colour: str = "primary"


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    data: str  # JSON
    options: str  # JSON
    empty: bool
    empty_message: str


def _axis(title: str, *, counts: bool) -> dict:
    ticks = {"color": TICK_COLOUR, "precision": 0} if counts else {"color": TICK_COLOUR}
    return {"title": {"display": True, "text": title, "color": TICK_COLOUR}, "ticks": ticks, "beginAtZero": True,
            "grid": {"color": "rgba(148, 163, 184, 0.25)"}, "border": {"display": False}}


def chart(kind: str, labels: list[str], *series: Series, x_title: str, y_title: str, empty_message: str,
          counts: bool = True) -> Chart:
    """Return a bar or line chart of ``series`` over ``labels``; ``counts`` makes the y ticks whole numbers."""
    datasets = [{"label": s.label, "data": s.values, "backgroundColor": COLOURS[s.colour],
                 "borderColor": COLOURS[s.colour], "pointRadius": 2 if kind == "line" else 0,
                 "pointHoverRadius": 5, "borderRadius": 4 if kind == "bar" else 0} for s in series]
    x_axis = _axis(x_title, counts=False)
    x_axis["ticks"] = {"color": TICK_COLOUR, "maxTicksLimit": MAX_X_TICKS, "maxRotation": 0, "autoSkip": True}
    x_axis["grid"] = {"display": False}
    options = {
        "responsive": True,
        "animation": False,  # drawn at once: no bars sliding in while an operator reads (or a screenshot is taken)
        "interaction": {"mode": "index", "intersect": False},
        "plugins": {
            "legend": {"display": len(series) > 1, "position": "top", "align": "end",
                       "labels": {"color": TICK_COLOUR, "boxWidth": 10, "boxHeight": 10}},
            "tooltip": {"enabled": True},
        },
        "scales": {"x": x_axis, "y": _axis(y_title, counts=counts)},
    }
    empty = not labels or not any(value for s in series for value in s.values)
    return Chart(kind=kind, data=json.dumps({"labels": labels, "datasets": datasets}), options=json.dumps(options),
                 empty=empty, empty_message=empty_message)
