"""The tenant's billing page: plan, usage, plan changes with a preview first, invoices and the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.forms import PlanForm, StorageOverageForm
from billing.gateway import BillingError
from subscriptions import catalog
from subscriptions.entitlements import active_add_ons, entitlements_compute
from subscriptions.services import subscription_is_in_stripe
from unison.errors import ApplicationError, PaymentRequired, form_add_error

CHECKOUT_MESSAGES = {
    "success": "Thank you! Stripe confirms your payment in a moment; this page then shows your new plan.",
    "cancelled": "Checkout was cancelled; nothing was charged.",
}


def _page(request, form=None, status=200):
    organization = request.tenant
    subscription = organization.subscription
    invoices = Paginator(selectors.invoices_for(organization), 10).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription,
        "plan": subscription.plan,
        "entitlements": entitlements_compute(subscription),
        "usage": selectors.usage_against_limits(organization),
        "tiers": selectors.tier_comparison(subscription.tier),
        "add_ons": catalog.ADD_ONS.values(),
        "invoices": [selectors.invoice_summary(i) for i in invoices],
        "invoice_page": invoices,
        "paying": subscription_is_in_stripe(subscription),
        "pending_tier": catalog.TIERS.get(subscription.pending_plan.get("tier", "")),
        "form": form or PlanForm(initial={
            "tier": subscription.tier, "billing_cycle": subscription.billing_cycle,
            **{f"add_on_{kind}": quantity for kind, quantity in active_add_ons(subscription)},
        }),
    }
    return render(request, "billing/page.html", context, status=status)


@login_required
def billing_page(request):
    """Render the current plan, usage, the tier comparison, add-ons and invoices."""
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
    """Show what the chosen plan costs first; once confirmed, change it (or go to Checkout)."""
    _owner_or_admin(request)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    plan = {"tier": form.cleaned_data["tier"], "billing_cycle": form.cleaned_data["billing_cycle"],
            "add_ons": form.add_ons()}
    try:
        if not request.POST.get("confirm"):
            preview = services.billing_plan_preview(organization=request.tenant, **plan)
            return render(request, "billing/confirm.html", {"form": form, "preview": preview,
                                                            "tier": catalog.tier(plan["tier"])})
        change = services.billing_plan_change(organization=request.tenant, actor=request.user.email,
                                              return_url=request.build_absolute_uri(reverse("billing:page")), **plan)
    except PaymentRequired as needed:
        return redirect(needed.checkout_url)
    except (ValidationError, ApplicationError) as error:
        form_add_error(form, error)
        return _page(request, form, status=getattr(error, "status", 400))
    messages.success(request, change.detail)
    return redirect("billing:page")


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
