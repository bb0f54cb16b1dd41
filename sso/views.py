"""Settings → Single sign-on (the owner), and the sign-in through the workspace's identity provider."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sso import flows, selectors, services
from sso.errors import SsoRefused
from sso.forms import IdentityProviderForm
from subscriptions import catalog
from unison.errors import ApplicationError, form_add_error


def owner_required(view):
    def wrapped(request, *args, **kwargs):
        if request.user.role != "owner":
            return render(request, "shopfloor/not_allowed.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@owner_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """Render the provider form; "Test connection" checks the saved provider, "Save" saves all or nothing."""
    row = selectors.identity_provider()
    test = flows.connection_test(request, row) if request.POST.get("test") and row else None
    data = None if test else (request.POST or None)
    form = IdentityProviderForm(data, request.FILES or None, initial=flows.form_initial(row))
    allowed = request.entitlements.has(selectors.FEATURE) and not request.entitlements.read_only
    if form.is_bound and allowed and form.is_valid():
        try:
            services.identity_provider_configure(
                organization=request.tenant, actor_email=request.user.email, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            return redirect(reverse("sso:settings") + "?saved=1")
    context = {
        "form": form,
        "row": row,
        "allowed": allowed,
        "test": test,
        "saved": "saved" in request.GET,
        "tier": catalog.lowest_tier_with(selectors.FEATURE),
        "urls": flows.sp_urls(request),
    }
    return render(request, "sso/settings.html", context, status=400 if form.errors else 200)


def _refused(request, exc: SsoRefused, protocol: str = "", email: str = ""):
    services.sso_sign_in_audit(request=request, email=email, reason=exc.code, protocol=protocol)
    return render(request, "sso/problem.html", {"message": exc.message, "reason": exc.code}, status=exc.status)


@require_GET
def start(request):
    """Send the browser to the workspace's identity provider."""
    provider = selectors.sso_active(request)
    if provider is None:
        return render(
            request, "sso/problem.html", {"message": "Single sign-on is not set up for this workspace."}, status=404
        )
    try:
        return redirect(flows.start(request, provider))
    except SsoRefused as exc:
        return _refused(request, exc, provider.protocol)


@require_GET
def oidc_callback(request):
    """Take the provider's answer (code and state) and sign the person in."""
    return _finish(request, "oidc", lambda provider: flows.oidc_identity(request, provider))


@csrf_exempt  # the identity provider's page posts here; the signed, once-only assertion is the proof
@require_POST
def saml_acs(request):
    """Take the identity provider's signed SAML response and sign the person in."""
    return _finish(request, "saml", lambda provider: flows.saml_identity(request, provider))


def _finish(request, protocol: str, identity):
    provider = selectors.sso_active(request)
    if provider is None or provider.protocol != protocol:
        return render(
            request, "sso/problem.html", {"message": "Single sign-on is not set up for this workspace."}, status=404
        )
    email = ""
    try:
        email, full_name, claims, next_url = identity(provider)
        user = services.sso_user_provision(
            organization=request.tenant, provider=provider, email=email, full_name=full_name, claims=claims
        )
    except SsoRefused as exc:
        return _refused(request, exc, protocol, email)
    except ApplicationError as exc:  # the plan's user limit
        return _refused(request, SsoRefused(exc.message, code=exc.code, status=exc.status), protocol, email)
    services.sso_sign_in_audit(request=request, email=user.email, user=user, protocol=protocol)
    return redirect(flows.sign_in(request, user, next_url))


@require_GET
def saml_metadata(request):
    """Serve our service provider's metadata, for the identity provider's set-up."""
    from django.http import HttpResponse

    return HttpResponse(flows.sp_metadata(request), content_type="application/samlmetadata+xml")
