"""The public pages: content read from the catalog, SEO tags, sitemap and robots.txt."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from marketing.seo import PAGES
from subscriptions import catalog
from subscriptions.templatetags.subscription_tags import cents


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("key", PAGES.keys())
def test_each_page_has_its_title_description_canonical_link_and_open_graph_tags(db, public_client, key):
    page = PAGES[key]
    body = text_of(public_client.get(page.path))
    assert f"<title>{page.title}</title>" in body
    assert f'<meta name="description" content="{page.description}">' in body
    assert f'<link rel="canonical" href="{page.canonical_url}">' in body
    assert f'<meta property="og:title" content="{page.title}">' in body
    assert f'<meta property="og:url" content="{page.canonical_url}">' in body


def test_no_two_pages_share_a_title_or_a_description():
    assert len({page.title for page in PAGES.values()}) == len(PAGES)
    assert len({page.description for page in PAGES.values()}) == len(PAGES)


def test_the_canonical_link_names_the_public_host_whatever_host_was_asked(db, client):
    response = client.get("/pricing/", HTTP_HOST="www.localhost")
    assert '<link rel="canonical" href="http://localhost:8000/pricing/">' in text_of(response)


def test_the_landing_page_has_personas_features_and_the_starter_price_and_no_made_up_quotes(db, public_client):
    body = text_of(public_client.get("/"))
    for persona in ("Plant managers", "Supervisors", "Quality inspectors", "Operators"):
        assert f"<h3>{persona}</h3>" in body
    assert body.count('class="mk-figure"') == 6
    assert "NCRs in 30 seconds" in body and "83%" in body and "80%" in body and "1/10th" in body
    # No customer has said anything yet: no quotes presented as theirs.
    assert "<blockquote>" not in body and "testimonial" not in body.lower()
    assert f">{cents(catalog.tier('starter').monthly_cents)}</span> a month" in body
    assert body.count('href="/signup/"') >= 2


def test_the_pricing_page_shows_every_tier_feature_and_add_on_of_the_catalog(db, public_client):
    body = text_of(public_client.get("/pricing/"))
    for tier in catalog.TIERS.values():
        assert f"<h2>{tier.name}</h2>" in body
        assert f'<span class="mk-amount">{cents(tier.monthly_cents)}</span>' in body
        assert f'<span class="mk-amount">{cents(tier.annual_cents)}</span>' in body
        assert f"You save {cents(tier.annual_saving_cents)} a year" in body
        assert f'href="/signup/?tier={tier.key}"' in body
    for feature in catalog.FEATURES:
        assert f'<th scope="row">{feature.name}</th>' in body
    for add_on in catalog.ADD_ONS.values():
        assert f"{cents(add_on.monthly_cents_per_unit)}</span> per {add_on.unit} per month" in body
    assert f"save {catalog.ANNUAL_DISCOUNT_PERCENT}%" in body
    assert body.count("<summary>") == 10
    popular = body.index('data-tier="professional"'), body.index("Most popular")
    assert body.count("Most popular") == 1 and popular[0] < popular[1] < body.index("<h2>Professional</h2>")


def test_the_feature_matrix_marks_each_feature_from_its_lowest_tier_up(db, public_client):
    body = text_of(public_client.get("/pricing/"))
    tiers = sorted(catalog.TIERS.values(), key=lambda tier: tier.rank)
    for feature in catalog.FEATURES:
        row = re.search(rf'<th scope="row">{re.escape(feature.name)}</th>(.*?)</tr>', body, re.S).group(1)
        marks = re.findall(r'visually-hidden">(Included|Not included)<', row)
        assert marks == ["Included" if feature.key in tier.features else "Not included" for tier in tiers]


def test_the_pricing_page_follows_a_change_in_the_catalog(db, public_client, monkeypatch):
    starter = catalog.tier("starter")
    changes = {"monthly_cents": 6100}
    if "annual_cents" in {field.name for field in dataclasses.fields(starter)}:
        changes["annual_cents"] = 65000
    patched = dataclasses.replace(starter, **changes)
    monkeypatch.setitem(catalog.TIERS, "starter", patched)
    monkeypatch.setattr(catalog, "TRIAL_DAYS", 21)
    pricing = text_of(public_client.get("/pricing/"))
    landing = text_of(public_client.get("/"))
    assert '<span class="mk-amount">$61</span>' in pricing
    assert f'<span class="mk-amount">{cents(patched.annual_cents)}</span>' in pricing
    assert "21 days" in pricing and "14 days" not in pricing
    assert ">$61</span> a month" in landing


def test_the_sitemap_lists_the_public_pages_at_their_canonical_addresses(db, public_client):
    response = public_client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = re.findall(r"<loc>(.*?)</loc>", response.content.decode())
    assert sorted(locations) == sorted(page.canonical_url for page in PAGES.values())


def test_robots_txt_keeps_crawlers_out_of_the_console_and_the_api_and_names_the_sitemap(db, public_client):
    response = public_client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines and "Disallow: /api/" in lines
    assert "Sitemap: http://localhost:8000/sitemap.xml" in lines


def test_the_marketing_pages_are_not_served_on_a_tenant_host(organization):
    from tests.conftest import client_for

    assert client_for(organization).get("/pricing/").status_code == 404
    assert client_for(organization).post("/api/v1/signup", {}).status_code == 404
