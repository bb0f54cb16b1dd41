"""Shop-floor pages, one module per topic."""

from shopfloor.views.workspace import dashboard

__all__ = ["dashboard"]
