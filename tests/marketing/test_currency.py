"""The visitor's currency on the public site: the pricing page's switch (remembered in a cookie), the
landing page's starting price, and signup carrying the choice into the trial workspace."""

from __future__ import annotations

import html
import re

from marketing.currency import COOKIE
from subscriptions.models import Subscription
from tests.conftest import unique_slug

SIGNUP = {"organization_name": "Pune Castings", "full_name": "Asha Rao", "password": "a-long-passphrase-42",
          "industry": ""}


def amounts(response) -> list[str]:
    return re.findall(r'<span class="mk-amount">([^<]+)</span>', html.unescape(response.content.decode()))


def test_the_switch_shows_each_currency_and_remembers_the_choice(db, public_client):
    assert amounts(public_client.get("/pricing/"))[:6] == ["$49", "$529.20", "$199", "$2,149.20", "$999",
                                                           "$10,792.80"]

    chosen = public_client.get("/pricing/?currency=inr")

    assert chosen.cookies[COOKIE].value == "inr"
    assert amounts(chosen) == ["₹2,999", "₹32,389.20", "₹11,999", "₹1,29,589.20", "₹59,999", "₹6,47,989.20",
                               "₹399", "₹1,999", "₹40"]
    body = html.unescape(chosen.content.decode())
    assert 'data-testid="currency-inr" aria-current="true"' in body
    assert "Starter is ₹32,389.20 a year instead of ₹35,988." in body  # the FAQ is in rupees too
    again = public_client.get("/pricing/")  # no ?currency: the cookie's
    assert amounts(again)[0] == "₹2,999" and COOKIE not in again.cookies
    assert amounts(public_client.get("/pricing/?currency=EUR"))[:2] == ["€45", "€486"]
    assert "€45</span> a month" in public_client.get("/").content.decode()  # the landing page's starting price


def test_an_unknown_currency_shows_usd_with_a_message_and_is_not_remembered(db, public_client):
    public_client.get("/pricing/?currency=eur")

    response = public_client.get("/pricing/?currency=xyz<b>")

    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "We don't sell in \u201cxyz<b>\u201d: prices are shown in USD. Choose USD, EUR or INR." in body
    assert "xyz<b>" not in response.content.decode()  # escaped
    assert amounts(response)[0] == "$49" and COOKIE not in response.cookies
    assert amounts(public_client.get("/pricing/"))[0] == "€45"  # the earlier choice stands
    public_client.cookies[COOKIE] = "gbp"  # a cookie we did not write
    assert amounts(public_client.get("/pricing/"))[0] == "$49"


def test_signup_carries_the_remembered_currency_into_the_trial_workspace(db, public_client):
    public_client.get("/pricing/?currency=inr")
    page = public_client.get("/signup/?tier=starter")
    assert '<option value="inr" selected>' in page.content.decode()
    assert "₹2,999 a month" in html.unescape(page.content.decode())
    slug = unique_slug("pune")

    response = public_client.post("/signup/", {**SIGNUP, "subdomain": slug, "email": f"asha@{slug}.test"})

    assert response.status_code == 302, response.content.decode()[:3000]
    subscription = Subscription.objects.get(organization__slug=slug)
    assert (subscription.currency, subscription.currency_fixed) == ("inr", False)


def test_signup_refuses_an_unknown_currency_next_to_the_field(db, public_client):
    slug = unique_slug("bad")

    response = public_client.post("/signup/", {**SIGNUP, "subdomain": slug, "email": f"x@{slug}.test",
                                               "currency": "xyz"})

    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert 'id="id_currency_error"><li>Choose USD, EUR or INR: we don\'t sell in \u201cxyz\u201d.</li>' in body
    assert not Subscription.objects.filter(organization__slug=slug).exists()


def test_the_signup_api_takes_a_currency_and_refuses_an_unknown_one(db, public_client):
    slug = unique_slug("api")
    body = {**SIGNUP, "subdomain": slug, "email": f"a@{slug}.test"}

    refused = public_client.post("/api/v1/signup", {**body, "currency": "xyz"}, content_type="application/json")
    created = public_client.post("/api/v1/signup", {**body, "currency": "eur"}, content_type="application/json")

    assert refused.status_code == 400 and "currency" in refused.json()
    assert created.status_code == 201, created.content
    assert Subscription.objects.get(organization__slug=slug).currency == "eur"
