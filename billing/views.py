"""The tenant's billing page: plan cards, add-ons, plan changes with Stripe's preview first, cancelling and
undoing it, the card on file, invoices and the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.forms import PlanForm, StorageOverageForm, TaxDetailsForm
from billing.gateway import BillingError
from subscriptions import catalog
from subscriptions.entitlements import active_add_ons, entitlements_for
from subscriptions.services import subscription_is_in_stripe
from subscriptions.usage import usage_measure
from unison.errors import ApplicationError, PaymentRequired, form_add_error

CHECKOUT_MESSAGES = {
    "success": "Thank you! Stripe confirms your payment in a moment; this page then shows your new plan.",
    "cancelled": "Checkout was cancelled; nothing was charged.",
}


def _page(request, form=None, status=200, cancel_error="", tax_form=None):
    organization = request.tenant
    subscription = organization.subscription
    add_ons = dict(active_add_ons(subscription))
    paying = subscription_is_in_stripe(subscription)
    invoices = Paginator(selectors.invoices_for(organization), 10).get_page(request.GET.get("page"))
    usage, entitlements = usage_measure(organization), entitlements_for(organization)
    context = {
        "subscription": subscription,
        "plan": subscription.plan,
        "entitlements": entitlements,
        "usage": selectors.usage_against_limits(organization, usage=usage),
        "overage": selectors.storage_overage(organization, subscription=subscription, entitlements=entitlements,
                                             usage=usage),
        "cards": selectors.plan_cards(subscription, add_ons, paying=paying),
        "currency": subscription.currency,
        "plan_monthly_cents": subscription.plan.price_cents("monthly", subscription.currency),
        "shown_cycle": request.GET.get("cycle") if request.GET.get("cycle") in catalog.BILLING_CYCLES
        else subscription.billing_cycle,
        "add_ons": add_ons,
        "discount_percent": catalog.ANNUAL_DISCOUNT_PERCENT,
        "monthly_total_cents": selectors.monthly_list_price_cents(subscription.tier, add_ons, subscription.currency),
        "invoices": [selectors.invoice_summary(i) for i in invoices],
        "invoice_page": invoices,
        "paying": paying,
        "plan_noun": "trial" if subscription.status == "trialing" and not paying else "subscription",
        **_tax_details(request, subscription, tax_form),
        "next_invoice_on": selectors.next_invoice_on(subscription),
        "pending_tier": catalog.TIERS.get(subscription.pending_plan.get("tier", "")),
        "cancel_error": cancel_error,
        "form": form or PlanForm(currency=subscription.currency, initial={
            "tier": subscription.tier, "billing_cycle": subscription.billing_cycle,
            **{f"add_on_{kind}": quantity for kind, quantity in add_ons.items()},
        }),
    }
    return render(request, "billing/page.html", context, status=status)


def _tax_details(request, subscription, tax_form) -> dict:
    """Return the card, billing address and tax IDs (one Stripe call) and their form, for owners and admins."""
    if not request.user.can_configure:
        return {"card": None}
    details = selectors.billing_details(subscription)
    address = (details or {}).get("address") or {}
    tax_ids = (details or {}).get("tax_ids") or []
    initial = {**address, "tax_id": tax_ids[0]["value"] if tax_ids else ""}
    return {"card": details.get("card") if details and not details.get("unavailable") else details,
            "billing_details": details, "tax_form": tax_form or TaxDetailsForm(initial=initial)}


@login_required
def billing_page(request):
    """Render the current plan, usage, the plan cards, add-ons and invoices."""
    outcome = request.GET.get("checkout")
    if outcome == "cancelled" and request.user.can_configure:
        try:
            services.billing_checkout_abandon(organization=request.tenant)
        except BillingError:
            pass  # the session expires by itself within a day
    if outcome in CHECKOUT_MESSAGES:
        messages.info(request, CHECKOUT_MESSAGES[outcome])
    return _page(request)


def _owner_or_admin(request) -> None:
    if not request.user.can_configure:
        raise PermissionDenied("Only owners and admins can change billing.")


@login_required
@require_POST
def billing_choose_plan(request):
    """Show what the chosen plan costs first (Stripe's preview, less any promotion code); once confirmed, change
    it (or go to Checkout). A refused code is shown next to its field on the preview."""
    _owner_or_admin(request)
    form = PlanForm(request.POST, currency=request.tenant.subscription.currency)
    if not form.is_valid():
        return _page(request, form, status=400)
    plan = {"tier": form.cleaned_data["tier"], "billing_cycle": form.cleaned_data["billing_cycle"],
            "add_ons": form.add_ons(), "promotion_code": form.cleaned_data["promotion_code"]}
    try:
        if not request.POST.get("confirm"):
            return _confirm(request, form, plan)
        change = services.billing_plan_change(organization=request.tenant, actor=request.user.email,
                                              return_url=request.build_absolute_uri(reverse("billing:page")), **plan)
    except PaymentRequired as needed:
        return redirect(needed.checkout_url)
    except (ValidationError, ApplicationError) as error:
        if getattr(error, "field", None) == "promotion_code":
            form.add_error("promotion_code", error.message)
            return _confirm(request, form, {**plan, "promotion_code": ""}, status=error.status)
        form_add_error(form, error)
        return _page(request, form, status=getattr(error, "status", 400))
    messages.success(request, change.detail)
    return redirect("billing:page")


def _confirm(request, form, plan: dict, status: int = 200):
    try:
        preview = services.billing_plan_preview(organization=request.tenant, **plan)
    except ApplicationError as error:
        if error.field != "promotion_code":
            raise
        form.add_error("promotion_code", error.message)
        return _confirm(request, form, {**plan, "promotion_code": ""}, status=error.status)
    return render(request, "billing/confirm.html", {
        "form": form, "preview": preview, "tier": catalog.tier(plan["tier"]),
        "subscription": request.tenant.subscription, "lines": _named(preview["lines"])}, status=status)


def _named(lines: list[dict]) -> list[dict]:
    """Return the preview's lines, each with the name the catalog gives its price."""
    names = {add_on.lookup_key_in(c): add_on.name for add_on in catalog.ADD_ONS.values() for c in catalog.CURRENCIES}
    names |= {tier.lookup_key(cycle, c): f"{tier.name}, {cycle}" for tier in catalog.TIERS.values()
              for cycle in catalog.BILLING_CYCLES for c in catalog.CURRENCIES}
    return [{**line, "name": names.get(line["lookup_key"], line["lookup_key"])} for line in lines]


def _standing_change(request, change, done: str):
    _owner_or_admin(request)
    try:
        change(organization=request.tenant, actor=request.user.email)
    except (ValidationError, ApplicationError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else error.message
        return _page(request, status=getattr(error, "status", 400), cancel_error=message)
    messages.success(request, done)
    return redirect("billing:page")


@login_required
@require_POST
def billing_cancel(request):
    """Cancel at the end of the paid period (or of the trial); it can be undone until then."""
    return _standing_change(request, services.billing_cancel,
                            "Your subscription is cancelled at the end of the period. You can undo this until then.")


@login_required
@require_POST
def billing_resume(request):
    """Take back a cancellation planned for the end of the period."""
    return _standing_change(request, services.billing_resume, "Your subscription continues; nothing else changed.")


@login_required
@require_POST
def billing_portal(request):
    """Open Stripe's portal to manage the payment method."""
    _owner_or_admin(request)
    try:
        return redirect(services.billing_portal_open(
            organization=request.tenant, return_url=request.build_absolute_uri(reverse("billing:page"))))
    except BillingError as error:
        messages.error(request, error.detail)
        return redirect("billing:page")


@login_required
@require_POST
def billing_storage_overage(request):
    """Turn storage overage on or off (owners and admins), then back to the billing page."""
    _owner_or_admin(request)
    form = StorageOverageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["enabled"][0])
        return redirect("billing:page")
    enabled = form.cleaned_data["enabled"]
    try:
        services.billing_storage_overage_set(organization=request.tenant, enabled=enabled, actor=request.user.email)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("billing:page")
    messages.success(request, "Storage overage is on: uploads past your limit are billed by use." if enabled
                     else "Storage overage is off: uploads stop at your plan's limit again.")
    return redirect("billing:page")


@login_required
@require_POST
def billing_tax_details(request):
    """Set the billing address and tax ID in Stripe (owners and admins); a bad one is shown on its field."""
    _owner_or_admin(request)
    form = TaxDetailsForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, tax_form=form)
    try:
        services.billing_tax_details_set(organization=request.tenant, **form.cleaned_data)
    except ApplicationError as error:
        form_add_error(form, error)
        return _page(request, status=getattr(error, "status", 400), tax_form=form)
    messages.success(request, "Billing address and tax ID saved in Stripe: your next invoices are taxed by them.")
    return redirect("billing:page")
