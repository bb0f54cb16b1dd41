"""Feature gates per tier for every feature key, and the read-only rule, for every kind of caller."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.views import View
from rest_framework.response import Response
from rest_framework.views import APIView

from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute
from subscriptions.gates import (
    FeatureRequiredMixin,
    SubscriptionWritable,
    feature_required,
    has_feature,
    writable_required,
)
from subscriptions.models import Status, Subscription


def entitlements_of(organization, tier: str, status: str = Status.ACTIVE):
    Subscription.objects.filter(organization=organization).update(tier=tier, status=status)
    return entitlements_compute(Subscription.objects.get(organization=organization))


def request_for(organization, entitlements, method: str = "get", path: str = "/api/v1/thing", **headers):
    request = getattr(RequestFactory(), method)(path, HTTP_HOST=organization.host, **headers)
    request.tenant, request.entitlements, request.user, request.session = (
        organization,
        entitlements,
        AnonymousUser(),
        {},
    )
    return request


def ok(request, *args, **kwargs):
    return HttpResponse("done")


class MixinView(FeatureRequiredMixin, View):
    def get(self, request):
        return HttpResponse("done")

    post = get


class OpenAPIView(APIView):
    authentication_classes: list = []

    def get(self, request):
        return Response({"done": True})

    post = get


def api_view_requiring(feature_key: str):
    return type("Gated", (OpenAPIView,), {"permission_classes": [has_feature(feature_key)]}).as_view()


def expected(tier: str, feature: catalog.Feature) -> bool:
    return catalog.TIERS[feature.tier].rank <= catalog.TIERS[tier].rank


@pytest.mark.parametrize("tier", list(catalog.TIERS))
def test_every_gate_lets_each_tier_use_exactly_its_features(organization, tier):
    entitlements = entitlements_of(organization, tier)
    template = Template(
        "{% load subscription_tags %}{% for key in keys %}{% if request|has_feature:key %}{{ key }},{% endif %}{% endfor %}"
    )
    shown = template.render(
        Context({"request": request_for(organization, entitlements), "keys": sorted(catalog.FEATURE_KEYS)})
    )
    for feature in catalog.FEATURES:
        allowed = expected(tier, feature)
        request = request_for(organization, entitlements)
        decorated = feature_required(feature.key)(ok)(request)
        mixin = type("M", (MixinView,), {"required_feature": feature.key}).as_view()(
            request_for(organization, entitlements)
        )
        api = api_view_requiring(feature.key)(request_for(organization, entitlements))
        for caller, response in (("decorator", decorated), ("mixin", mixin), ("DRF permission", api)):
            assert response.status_code == (200 if allowed else 403), f"{caller}: {tier} / {feature.key}"
            if not allowed:
                body = response.data if caller == "DRF permission" else json.loads(response.content)
                assert body == {"code": "feature_not_in_plan", "feature": feature.key, "upgrade_url": "/billing/"}
        assert (f"{feature.key}," in shown) is allowed, f"template filter: {tier} / {feature.key}"


def test_the_tiers_have_five_then_eight_then_eight_more_features():
    counts = [len(tier.features) for tier in catalog.TIERS.values()]
    assert counts == [5, 13, 21]  # Enterprise's eighth: custom domains (issue 17)
    assert len(catalog.FEATURE_KEYS) == 21


def test_a_browser_refused_a_feature_gets_a_page_with_an_upgrade_link(organization, owner):
    entitlements = entitlements_of(organization, "starter")
    request = request_for(organization, entitlements, path="/ncrs/", HTTP_ACCEPT="text/html")
    request.user = owner
    response = feature_required("quality_management")(ok)(request)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Quality management (NCRs) is not in your plan" in page
    assert 'href="/billing/"' in page and "Professional plan" in page


def test_a_gate_for_an_unknown_feature_is_a_programming_error():
    with pytest.raises(ValueError):
        feature_required("time_travel")
    with pytest.raises(ValueError):
        has_feature("time_travel")


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.CANCELLED])
def test_a_suspended_or_cancelled_organization_reads_but_cannot_write(organization, status):
    entitlements = entitlements_of(organization, "professional", status)
    assert entitlements.read_only
    writable_view = writable_required(ok)
    api = type("W", (OpenAPIView,), {"permission_classes": [SubscriptionWritable]}).as_view()
    mixin = MixinView.as_view()
    for view in (writable_view, api, mixin):
        assert view(request_for(organization, entitlements)).status_code == 200
        refused = view(request_for(organization, entitlements, method="post"))
        assert refused.status_code == 403
        body = refused.data if hasattr(refused, "data") else json.loads(refused.content)
        assert (body["code"], body["upgrade_url"]) == ("subscription_read_only", "/billing/")


@pytest.mark.parametrize("status", [Status.TRIALING, Status.ACTIVE, Status.PAST_DUE])
def test_a_trialing_active_or_past_due_organization_can_write(organization, status):
    entitlements = entitlements_of(organization, "professional", status)
    assert writable_required(ok)(request_for(organization, entitlements, method="post")).status_code == 200
