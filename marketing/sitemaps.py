"""The sitemap of the public site."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from marketing.seo import PAGES, Page
from tenants.hosts import public_origin


class MarketingSitemap(Sitemap):
    """List the public pages at their canonical addresses, whatever host the request came on."""

    changefreq = "weekly"

    def items(self) -> list[Page]:
        return list(PAGES.values())

    def location(self, item: Page) -> str:
        return item.path

    def priority(self, item: Page) -> float:
        return item.priority

    def get_protocol(self, protocol=None) -> str:
        return settings.UNISON_SCHEME

    def get_domain(self, site=None) -> str:
        return public_origin().split("://", 1)[1]
