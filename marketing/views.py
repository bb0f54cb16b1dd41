"""Public pages: landing, pricing, signup, sign-in and the workspace finder, terms, privacy, contact, robots.txt."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from marketing import selectors
from marketing.currency import NAMES as CURRENCY_NAMES
from marketing.currency import currency_choice, currency_remember
from marketing.forms import SignupForm, WorkspaceAddressForm, WorkspaceFindForm
from marketing.seo import PAGES
from marketing.services import signup_complete, subdomain_normalize, workspace_list_request
from marketing.throttles import (
    signup_allowed,
    signup_count,
    workspace_find_address_allowed,
    workspace_find_email_allowed,
)
from subscriptions import catalog
from subscriptions.trial_offers import trial_offer_read
from tenants.hosts import origin, public_origin
from tenants.selectors import slug_is_available
from tenants.services import SUBDOMAIN_TAKEN
from tenants.slugs import slug_validate

RATE_LIMITED = "Too many signups from your network in the last hour. Please try again later."
# The same whether or not the address has an account.
FIND_RATE_LIMITED = "Too many requests for workspace addresses in the last hour. Please try again later."


def landing(request):
    """Render the landing page, its starting price in the visitor's remembered currency."""
    currency = currency_choice(request).code
    context = {"seo": PAGES["landing"], "starting_price_cents": selectors.starting_price_cents(currency),
               "currency": currency,
               "trial_days": catalog.TRIAL_DAYS, "trial_tier": catalog.tier(catalog.TRIAL_TIER),
               "multi_plant_tier": catalog.lowest_tier_with("multi_plant")}
    return render(request, "marketing/landing.html", context)


def pricing(request):
    """Render the pricing page from the catalog in the visitor's currency (``?currency=``, remembered)."""
    choice = currency_choice(request)
    context = {"seo": PAGES["pricing"], "tiers": selectors.priced_tiers(choice.code),
               "matrix": selectors.feature_matrix(), "add_ons": selectors.priced_add_ons(choice.code),
               "faq": selectors.faq_entries(choice.code), "currency": choice, "currencies": CURRENCY_NAMES,
               "discount_percent": catalog.ANNUAL_DISCOUNT_PERCENT, "trial_days": catalog.TRIAL_DAYS,
               "trial_tier": catalog.tier(catalog.TRIAL_TIER)}
    response = render(request, "marketing/pricing.html", context)
    currency_remember(response, choice)
    return response


def signup(request):
    """Show the signup form; on success provision the workspace and send the visitor into it, signed in."""
    currency = currency_choice(request).code
    form = SignupForm(request.POST or None, initial={"currency": currency})
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
               "chosen_price_cents": chosen.price_cents("monthly", currency) if chosen else 0, "currency": currency,
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


def sign_in(request):
    """Show the public sign-in: a workspace address goes to that workspace's own sign-in page."""
    form = WorkspaceAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        host = f"{form.cleaned_data['subdomain']}.{settings.UNISON_BASE_DOMAIN}"
        return redirect(f"{origin(host)}/accounts/login/")
    context = {"seo": PAGES["sign_in"], "form": form, "base_domain": settings.UNISON_BASE_DOMAIN}
    return render(request, "marketing/sign_in.html", context, status=400 if form.errors else 200)


def workspace_find(request):
    """Ask for an e-mail and send it its workspaces; the answer is the same whether or not it has any."""
    form = WorkspaceFindForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if not workspace_find_address_allowed(request):
            form.add_error(None, FIND_RATE_LIMITED)
            status = 429
        elif form.is_valid():
            if not workspace_find_email_allowed(request, form.cleaned_data["email"]):
                form.add_error(None, FIND_RATE_LIMITED)
                status = 429
            else:
                workspace_list_request(email=form.cleaned_data["email"])
                context = {"seo": PAGES["workspace_find"], "sent_to": form.cleaned_data["email"]}
                return render(request, "marketing/workspace_find.html", context)
    return render(request, "marketing/workspace_find.html", {"seo": PAGES["workspace_find"], "form": form},
                  status=status)


@require_GET
def info_page(request, page: str):
    """Render one of the plain information pages: terms, privacy or contact."""
    return render(request, f"marketing/{page}.html", {"seo": PAGES[page]})


@require_GET
def robots_txt(request):
    """Render robots.txt: index the public pages, not the console or the API."""
    return render(request, "marketing/robots.txt", {"origin": public_origin()}, content_type="text/plain")
