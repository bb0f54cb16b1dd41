"""Search fields the console's change lists can use.

dj-stripe's own admins name fields that its models keep in ``stripe_data`` only (Account ``settings``,
Customer ``description``, Invoice ``number``, PromotionCode ``code``...): a search there raised
FieldError, a 500. At start-up each registered admin keeps only the search fields its model resolves.
"""

from __future__ import annotations

from django.core.exceptions import FieldError


def _resolves(model, field: str) -> bool:
    lookup = field.lstrip("^=@")
    try:
        model._default_manager.filter(**{f"{lookup}__icontains": ""}).query  # noqa: B018 - builds, runs nothing
    except FieldError:
        return False
    return True


def search_fields_prune(site) -> list[str]:
    """Drop the search fields no query can use from every admin of ``site``; return what was dropped."""
    dropped = []
    for model, model_admin in site._registry.items():
        kept = tuple(field for field in model_admin.search_fields if _resolves(model, field))
        dropped += [f"{model._meta.label}.{field}" for field in model_admin.search_fields if field not in kept]
        model_admin.search_fields = kept
    return dropped
