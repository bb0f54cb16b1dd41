"""When a paying subscription's plan change takes effect: the rule the plan change and the billing page share."""

from __future__ import annotations

from subscriptions import catalog

NOW, AT_PERIOD_END, UNCHANGED, UNDONE, CHECKOUT = "now", "at_period_end", "unchanged", "undone", "checkout"

Plan = tuple[str, str, dict[str, int]]  # tier, billing cycle, add-on quantities by kind


def change_timing(current: Plan, wanted: Plan) -> str:
    """Return when a paying subscription changes from ``current`` to ``wanted``.

    A bigger tier, or more add-ons, on the same cycle changes now; a smaller tier, a cycle change
    or fewer add-ons waits for the end of the paid period.
    """
    if current == wanted:
        return UNCHANGED
    (tier, cycle, add_ons), (new_tier, new_cycle, new_add_ons) = current, wanted
    rank, new_rank = catalog.tier(tier).rank, catalog.tier(new_tier).rank
    if new_cycle != cycle or new_rank < rank:
        return AT_PERIOD_END
    if new_rank > rank or all(new_add_ons.get(kind, 0) >= quantity for kind, quantity in add_ons.items()):
        return NOW
    return AT_PERIOD_END
