"""The tenant's billing page: plan, usage, plan changes, add-ons, invoices and the Stripe portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.forms import PlanForm
from billing.gateway import BillingError
from subscriptions import catalog
from subscriptions.entitlements import active_add_ons
from subscriptions.services import BillingRefused, subscription_is_paid_in_stripe
from subscriptions.states import IllegalTransition

CHECKOUT_MESSAGES = {
    "success": "Thank you! Your payment is confirmed by Stripe in a moment; this page then shows your new plan.",
    "cancelled": "Checkout was cancelled; nothing was charged.",
}


def _page(request, form=None, status=200):
    organization = request.tenant
    subscription = organization.subscription
    invoices = Paginator(selectors.invoices_for(organization), 10).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription,
        "plan": subscription.plan,
        "usage": selectors.usage_against_limits(organization),
        "tiers": selectors.tier_comparison(subscription.tier),
        "add_ons": catalog.ADD_ONS.values(),
        "invoices": [selectors.invoice_summary(i) for i in invoices],
        "invoice_page": invoices,
        "paying": subscription_is_paid_in_stripe(subscription),
        "form": form or PlanForm(initial={
            "tier": subscription.tier, "billing_cycle": subscription.billing_cycle,
            **{f"add_on_{kind}": quantity for kind, quantity in active_add_ons(subscription)},
        }),
    }
    return render(request, "billing/page.html", context, status=status)


@login_required
def billing_page(request):
    """Render the current plan, usage, the tier comparison, add-ons and invoices."""
    if request.GET.get("checkout") in CHECKOUT_MESSAGES:
        messages.info(request, CHECKOUT_MESSAGES[request.GET["checkout"]])
    return _page(request)


def _owner_or_admin(request) -> None:
    if not request.user.can_configure:
        raise PermissionDenied("Only owners and admins can change billing.")


@login_required
@require_POST
def billing_choose_plan(request):
    """Send a customer who does not pay yet to Checkout; change a paid plan in place."""
    _owner_or_admin(request)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    page = request.build_absolute_uri(reverse("billing:page"))
    try:
        url = services.billing_plan_choose(
            organization=request.tenant, tier=form.cleaned_data["tier"], add_ons=form.add_ons(),
            billing_cycle=form.cleaned_data["billing_cycle"], actor=request.user.email,
            success_url=f"{page}?checkout=success", cancel_url=f"{page}?checkout=cancelled",
        )
    except ValidationError as error:
        form.add_service_errors(error.message_dict)
        return _page(request, form, status=400)
    except (BillingError, BillingRefused, IllegalTransition) as error:
        messages.error(request, getattr(error, "detail", str(error)))
        return _page(request, form, status=503 if getattr(error, "code", "") == "billing_unavailable" else 400)
    if url:
        return redirect(url)
    messages.success(request, "Your plan is changing: upgrades and add-ons now (prorated), downgrades at period end.")
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
