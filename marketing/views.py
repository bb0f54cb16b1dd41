"""Public marketing pages: landing, pricing, signup, robots.txt."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from marketing import selectors
from marketing.forms import SignupForm
from marketing.seo import PAGES
from marketing.services import signup_complete, subdomain_normalize
from marketing.throttles import signup_allowed, signup_count
from subscriptions import catalog
from subscriptions.trial_offers import trial_offer_read
from tenants.hosts import public_origin
from tenants.selectors import slug_is_available
from tenants.services import SUBDOMAIN_TAKEN
from tenants.slugs import slug_validate

RATE_LIMITED = "Too many signups from your network in the last hour. Please try again later."


def landing(request):
    """Render the landing page."""
    context = {"seo": PAGES["landing"], "starting_price_cents": selectors.starting_price_cents(),
               "trial_days": catalog.TRIAL_DAYS, "trial_tier": catalog.tier(catalog.TRIAL_TIER),
               "multi_plant_tier": catalog.lowest_tier_with("multi_plant")}
    return render(request, "marketing/landing.html", context)


def pricing(request):
    """Render the pricing page from the catalog."""
    context = {"seo": PAGES["pricing"], "tiers": selectors.tiers_in_order(), "matrix": selectors.feature_matrix(),
               "add_ons": catalog.ADD_ONS.values(), "faq": selectors.faq_entries(),
               "discount_percent": catalog.ANNUAL_DISCOUNT_PERCENT, "trial_days": catalog.TRIAL_DAYS,
               "trial_tier": catalog.tier(catalog.TRIAL_TIER)}
    return render(request, "marketing/pricing.html", context)


def signup(request):
    """Show the signup form; on success provision the workspace and send the visitor into it, signed in."""
    form = SignupForm(request.POST or None)
    offer = trial_offer_read(request.GET.get("offer", ""))
    status = 200
    if request.method == "POST":
        status = 400
        if not signup_allowed(request):
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif form.is_valid():
            try:
                created = signup_complete(**form.cleaned_data, trial_offer=offer)
            except ValidationError as exc:  # e.g. the subdomain was taken a moment ago
                form.add_error(None, exc)
            else:
                signup_count(request)
                return redirect(created.login_url)
    chosen = catalog.TIERS.get(request.GET.get("tier", ""))
    context = {"seo": PAGES["signup"], "form": form, "chosen_tier": chosen, "trial_days": offer.days,
               "trial_offer": offer,
               "trial_tier": catalog.tier(catalog.TRIAL_TIER), "base_domain": settings.UNISON_BASE_DOMAIN}
    return render(request, "marketing/signup.html", context, status=status)


@require_GET
def signup_check_subdomain(request):
    """Render whether the subdomain typed so far is well formed and free (an htmx fragment)."""
    subdomain = subdomain_normalize(request.GET.get("subdomain", ""))
    try:
        slug_validate(subdomain)
        available = slug_is_available(subdomain)
        message = "" if available else SUBDOMAIN_TAKEN
    except ValidationError as exc:
        available, message = False, exc.messages[0]
    host = f"{subdomain}.{settings.UNISON_BASE_DOMAIN}"
    context = {"subdomain": subdomain, "available": available, "message": message, "host": host}
    return render(request, "marketing/_subdomain_status.html", context)


@require_GET
def robots_txt(request):
    """Render robots.txt: index the public pages, not the console or the API."""
    return render(request, "marketing/robots.txt", {"origin": public_origin()}, content_type="text/plain")
