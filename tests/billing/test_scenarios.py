"""A seeded random walk over the money path against the real local Stripe, checked after every step.

Each run takes ``SCENARIO_STEPS`` steps (220 by default) over three workspaces, with a seed that is
printed (``SCENARIO_SEED`` replays it): checkout, upgrades, downgrades, cycle and add-on changes,
renewals (which start a scheduled change), failing and recovering payments, cancel and undo,
operator holds, lifts and comps. Stripe's webhooks are held back and delivered by the test itself:
shuffled, some twice, some a step late, and old ones replayed. After every step:

- our status is Stripe's (Stripe's ``unpaid`` is our ``suspended``), and so are the plan, the
  add-ons, the pending change and the cancel flag;
- no workspace has features or limits above what Stripe bills, but for an operator's comp; a hold
  is read-only; the cached entitlements are the fresh ones;
- our MRR equals the MRR worked out here, independently, from Stripe's own subscription list.

Real: PostgreSQL, the Django live server (webhook endpoint, signature check, dj-stripe's storage,
our handlers, in the request: Celery is eager in tests), the tenant APIs, localstripe over HTTP.
Emulated by devstripe: see devstripe/extension.py and devstripe/lifecycle.py.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from django.contrib.auth import get_user_model

from billing.services import stripe_webhook_setup
from devstripe.delivery import deliver
from devstripe.process import DECLINED_CARD, GOOD_CARD
from platform_admin import metrics
from platform_admin import services as operator
from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute, entitlements_for, limits_with_add_ons
from subscriptions.models import Subscription
from tests.billing.conftest import webhook_url
from tests.conftest import client_for, tenant_user

pytestmark = [pytest.mark.stripe]

STEPS = int(os.environ.get("SCENARIO_STEPS", "220"))
OURS = {"trialing": "trialing", "active": "active", "past_due": "past_due", "unpaid": "suspended",
        "canceled": "cancelled"}


def stripe_mrr(stripe_sub) -> int:
    """Work out what Stripe bills a month, from its own object (written apart from billing's ``mrr_of``)."""
    if stripe_sub["status"] not in ("active", "past_due"):
        return 0
    yearly = 0
    for item in stripe_sub["items"]["data"]:
        price = item["price"]
        months = (12 if price["recurring"]["interval"] == "year" else 1) * price["recurring"]["interval_count"]
        yearly += price["unit_amount"] * item["quantity"] * 12 // months
    return yearly // 12


def stripe_plan(stripe_sub) -> tuple[str, str, dict]:
    tier = cycle = ""
    add_ons = {}
    for item in stripe_sub["items"]["data"]:
        key = item["price"]["lookup_key"]
        if key.startswith("addon_"):
            add_ons[key.removeprefix("addon_").removesuffix("_monthly")] = item["quantity"]
        else:
            tier, cycle = key.rsplit("_", 1)
    return tier, cycle, add_ons


class Walk:
    """The workspaces, the Stripe server and the webhooks held back from them."""

    def __init__(self, rng, stripe, live_server, endpoint, organizations, operator_user):
        self.rng, self.stripe, self.endpoint = rng, stripe, endpoint
        self.url = webhook_url(live_server, endpoint)
        self.organizations, self.operator = organizations, operator_user
        self.clients = {o.pk: client_for(o, tenant_user(o, role="owner")) for o in organizations}
        self.delivered: list[dict] = []
        self.late: list[dict] = []
        self.log: list[str] = []

    # --- actions -------------------------------------------------------------------------------

    def subscription(self, organization) -> Subscription:
        return Subscription.objects.get(organization=organization)

    def stripe_sub(self, subscription) -> dict | None:
        if not subscription.stripe_subscription_id:
            return None
        return self.stripe.call("GET", f"/v1/subscriptions/{subscription.stripe_subscription_id}")

    def post(self, organization, path, body=None):
        response = self.clients[organization.pk].post(path, body or {}, content_type="application/json")
        assert response.status_code < 500, (path, body, response.content)
        return response

    def choose_plan(self, organization) -> str:
        tier = self.rng.choice(list(catalog.TIERS))
        cycle = self.rng.choice(catalog.BILLING_CYCLES)
        add_ons = {} if cycle == "annual" else {k: self.rng.choice([0, 0, 1, 2]) for k in ("extra_user",
                                                                                          "extra_plant")}
        response = self.post(organization, "/api/v1/billing/plan", {"tier": tier, "billing_cycle": cycle,
                                                                     "add_ons": add_ons})
        body = response.json()
        if response.status_code == 402 and "checkout_url" in body:
            session = body["checkout_url"].rsplit("/", 1)[1]
            if self.rng.random() < 0.8:
                self.stripe.call("POST", f"/_test/checkout/{session}/complete", card=GOOD_CARD)
                return f"checkout {tier}/{cycle} {add_ons} paid"
            self.clients[organization.pk].get("/billing/?checkout=cancelled")
            return f"checkout {tier}/{cycle} abandoned"
        return f"plan {tier}/{cycle} {add_ons}: {response.status_code} {body.get('when') or body.get('code')}"

    def renew(self, organization) -> str:
        stripe_sub = self.stripe_sub(self.subscription(organization))
        if not stripe_sub or stripe_sub["status"] not in ("trialing", "active"):
            return "renew: nothing to renew"
        invoice = self.stripe.call("POST", f"/_test/subscriptions/{stripe_sub['id']}/renew")
        return f"renew: invoice {invoice['status']} {invoice['total']}"

    def card(self, organization, number) -> str:
        subscription = self.subscription(organization)
        if not subscription.stripe_customer_id:
            return "card: no customer"
        self.stripe.call("POST", f"/_test/customers/{subscription.stripe_customer_id}/card", number=number)
        return f"card {number[-4:]}"

    def retry(self, organization) -> str:
        stripe_sub = self.stripe_sub(self.subscription(organization))
        if not stripe_sub or stripe_sub["status"] not in ("past_due", "unpaid"):
            return "retry: nothing open"
        invoice = self.stripe.call("POST", f"/_test/invoices/{stripe_sub['latest_invoice']}/retry")
        return f"retry: invoice {invoice['status']} (attempt {invoice['attempt_count']})"

    def cancel_or_resume(self, organization) -> str:
        path = self.rng.choice(["/api/v1/subscription/cancel", "/api/v1/subscription/resume"])
        return f"{path.rsplit('/', 1)[1]}: {self.post(organization, path).status_code}"

    def end_period(self, organization) -> str:
        stripe_sub = self.stripe_sub(self.subscription(organization))
        if not stripe_sub or not stripe_sub.get("cancel_at_period_end") or stripe_sub["status"] == "canceled":
            return "end period: not cancelling"
        self.stripe.call("POST", f"/_test/subscriptions/{stripe_sub['id']}/end_period")
        return "end period: ended"

    def operate(self, organization) -> str:
        subscription = self.subscription(organization)
        choice = self.rng.choice(["hold", "comp"])
        if choice == "hold" and subscription.held_at:
            operator.operator_reactivate(subscription=subscription, actor=self.operator)
            return "operator: lift hold"
        if choice == "hold":
            operator.operator_suspend(subscription=subscription, actor=self.operator, reason="scenario")
            return "operator: hold"
        if subscription.comp_tier:
            operator.operator_end_comp(subscription=subscription, actor=self.operator)
            return "operator: end comp"
        tier = self.rng.choice(list(catalog.TIERS))
        operator.operator_comp(subscription=subscription, actor=self.operator, tier=tier, reason="scenario")
        return f"operator: comp {tier}"

    def step(self) -> str:
        organization = self.rng.choice(self.organizations)
        actions = [(self.choose_plan, 5), (self.renew, 3), (lambda o: self.card(o, DECLINED_CARD), 1),
                   (lambda o: self.card(o, GOOD_CARD), 2), (self.retry, 3), (self.cancel_or_resume, 2),
                   (self.end_period, 1), (self.operate, 1)]
        action = self.rng.choices([a for a, _ in actions], weights=[w for _, w in actions])[0]
        return f"{organization.slug}: {action(organization)}"

    # --- webhooks: shuffled, doubled, late, replayed ---------------------------------------------

    def deliver_webhooks(self) -> None:
        fresh = self.stripe.call("POST", "/_test/webhooks/take")["data"]
        batch = self.late + fresh
        self.late = []
        customers_now = {}
        for event in batch:
            customers_now.setdefault(event["data"]["object"].get("customer"), []).append(event)
        for events in customers_now.values():
            # Hold one back for a later step, if another of the same customer goes now (it reads everything).
            if len(events) > 1 and self.rng.random() < 0.3:
                held = self.rng.choice(events)
                self.late.append(held)
                batch.remove(held)
        batch += [self.rng.choice(batch) for _ in range(len(batch) // 3)] if batch else []
        batch += self.rng.sample(self.delivered, min(len(self.delivered), self.rng.randint(0, 2)))
        self.rng.shuffle(batch)
        for event in batch:
            response = deliver(self.url, event, self.endpoint.secret)
            assert response.status_code == 200, response.content
        self.delivered += fresh

    # --- the invariants ------------------------------------------------------------------------

    def check(self, where: str) -> None:
        listed = []
        for organization in self.organizations:
            subscription = self.subscription(organization)
            if subscription.stripe_customer_id:
                listed += self.stripe.call("GET", f"/v1/subscriptions?customer={subscription.stripe_customer_id}"
                                                  "&status=all&limit=100")["data"]
            self.check_one(organization, subscription, where)
        assert metrics.platform_metrics()["mrr_cents"] == sum(stripe_mrr(s) for s in listed), where

    def check_one(self, organization, subscription, where: str) -> None:
        stripe_sub = self.stripe_sub(subscription)
        entitled = entitlements_compute(subscription)
        assert entitlements_for(organization) == entitled, f"{where}: the cache is stale"
        if stripe_sub is None:
            assert subscription.status in ("trialing", "suspended", "cancelled"), where
            assert (subscription.tier, subscription.mrr_cents) == (catalog.TRIAL_TIER, 0), where
            billed_tier, billed_add_ons = catalog.TRIAL_TIER, {}
        else:
            assert subscription.status == OURS[stripe_sub["status"]], f"{where}: {stripe_sub['status']}"
            assert subscription.mrr_cents == stripe_mrr(stripe_sub), where
            billed_tier, cycle, billed_add_ons = stripe_plan(stripe_sub)
            if stripe_sub["status"] != "canceled":
                assert (subscription.tier, subscription.billing_cycle) == (billed_tier, cycle), where
                ours = dict(subscription.add_ons.filter(removed_at__isnull=True).values_list("kind", "quantity"))
                assert ours == billed_add_ons, where
                assert subscription.cancel_at_period_end == stripe_sub["cancel_at_period_end"], where
                assert bool(subscription.pending_plan) == bool(stripe_sub.get("schedule")), where
        if subscription.comp_tier:
            assert entitled.tier == subscription.comp_tier, where
        else:
            assert entitled.tier == billed_tier, where
            assert entitled.limits == limits_with_add_ons(billed_tier, billed_add_ons.items()), where
            assert entitled.features == frozenset(catalog.tier(billed_tier).features), where
        if subscription.held_at:
            assert entitled.read_only and entitled.status == "suspended", where


@pytest.fixture
def walk(transactional_db, live_server, stripe_catalog, make_organization, settings):
    settings.UNISON_PORT = str(live_server.thread.port)
    endpoint, _ = stripe_webhook_setup(base_url=live_server.url)
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="true")
    seed = int(os.environ.get("SCENARIO_SEED") or time.time_ns() % 1_000_000)
    print(f"scenario seed {seed} (SCENARIO_SEED={seed} replays it)")
    operator_user = get_user_model().objects.create_superuser(email="ops@unison.example.com", password="x" * 12)
    organizations = [make_organization(name=f"Scenario {n}") for n in range(3)]
    try:
        yield Walk(random.Random(seed), stripe_catalog, live_server, endpoint, organizations, operator_user), seed
    finally:
        stripe_catalog.call("POST", "/_test/webhooks/hold", on="false")
        stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")


def test_a_random_walk_over_the_money_path_keeps_us_equal_to_stripe(walk):
    walk, seed = walk
    walk.check("at the start")
    for number in range(1, STEPS + 1):
        done = walk.step()
        walk.log.append(done)
        walk.deliver_webhooks()
        walk.check(f"seed {seed}, step {number} ({done}); before: {walk.log[-6:-1]}")
    # Whatever was held back arrives in the end, twice, and changes nothing.
    walk.late, late = [], walk.late
    for event in late * 2:
        deliver(walk.url, event, walk.endpoint.secret)
    walk.check(f"seed {seed}, after the late webhooks")
    kinds = [line.split(": ", 1)[1].split(" ")[0] for line in walk.log]
    print(f"scenario: {len(walk.log)} steps, seed {seed}: " + ", ".join(
        f"{kind} {kinds.count(kind)}" for kind in sorted(set(kinds))))
    assert {"checkout", "plan", "renew:", "operator:"} <= set(kinds), kinds
