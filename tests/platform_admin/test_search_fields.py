"""Every change list of the console that has a search box answers a search (dj-stripe's named dead fields)."""

from __future__ import annotations

from django.contrib import admin

from platform_admin.search_fields import search_fields_prune


def test_a_search_in_every_change_list_answers_200(operator_client):
    searchable = [(model, model_admin) for model, model_admin in admin.site._registry.items() if model_admin.search_fields]
    assert len(searchable) > 40
    answers = {model._meta.label: operator_client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/",
                                                       {"q": "acme"}).status_code for model, _ in searchable}
    assert {label: status for label, status in answers.items() if status != 200} == {}


def test_a_dead_search_field_is_dropped_and_the_live_ones_kept(db):
    from types import SimpleNamespace

    from djstripe.models import Invoice

    site = SimpleNamespace(_registry={Invoice: SimpleNamespace(search_fields=("number", "=id", "customer__email"))})
    assert search_fields_prune(site) == ["djstripe.Invoice.number"]
    assert site._registry[Invoice].search_fields == ("=id", "customer__email")
