"""Console pages beyond the model lists: the dashboard, usage, impersonation and action forms.

Each view is wrapped by ``ConsoleSite.admin_view`` (superusers only) where it is routed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from platform_admin import metrics, selectors
from platform_admin.charts import Series, chart
from platform_admin.forms import ImpersonationForm
from platform_admin.services import impersonation_start
from tenants.models import Organization
from unison.errors import ApplicationError, form_add_error

MOVEMENT_LABELS = {"new": "New", "expansion": "Expansion", "contraction": "Contraction", "churn": "Churn",
                   "reactivation": "Reactivation"}


def _movement_rows(movements: dict) -> list[dict]:
    """Return the period's MRR movements as table rows: label, signed cents, amount (unsigned), count."""
    rows = [{"kind": kind, "label": label, "cents": movements[kind]["cents"], "count": movements[kind]["count"]}
            for kind, label in MOVEMENT_LABELS.items()]
    rows.append({"kind": "net", "label": "Net", "cents": movements["net_cents"], "count": None})
    return [{**row, "amount": abs(row["cents"])} for row in rows]


def _charts(growth: dict, period: str) -> dict:
    """Return the dashboard's charts: the period's days, and the last twelve weeks and months."""
    series, monthly, weekly = growth["series"], growth["monthly"], growth["weekly"]
    days, span = [row["date"][5:] for row in series], f"the last {metrics.PERIODS[period]} days"
    months = [row["month"] for row in monthly]
    return {
        "mrr_chart": chart("line", days, Series("MRR ($)", [r["mrr_cents"] / 100 for r in series]), x_title="Day",
                           y_title="MRR ($)", counts=False, empty_message=f"No MRR in {span}: no workspace paid."),
        "signups_chart": chart("bar", days, Series("Signups", [r["signups"] for r in series]), x_title="Day",
                               y_title="Signups", empty_message=f"No signup in {span}."),
        "conversions_chart": chart(
            "bar", days, Series("Converted", [r["trial_conversions"] for r in series]),
            Series("Trials ended", [r["trials_ended"] for r in series], "muted"), x_title="Day", y_title="Trials",
            empty_message=f"No trial converted or ended in {span}."),
        "churn_chart": chart(
            "bar", days, Series("Churned", [r["churned"] for r in series]),
            Series("Cancelled", [r["cancellations"] for r in series], "muted"), x_title="Day",
            y_title="Customers", empty_message=f"No customer churned or cancelled in {span}."),
        "monthly_mrr_chart": chart("bar", months, Series("MRR ($)", [r["mrr_cents"] / 100 for r in monthly]),
                                   x_title="Month", y_title="MRR ($)", counts=False,
                                   empty_message="No MRR in the last twelve months."),
        "weekly_signups_chart": chart("bar", [r["week_start"][5:] for r in weekly],
                                      Series("Signups", [r["signups"] for r in weekly]), x_title="Week starting",
                                      y_title="Signups", empty_message="No signup in the last twelve weeks."),
        "monthly_signups_chart": chart("bar", months, Series("Signups", [r["signups"] for r in monthly]),
                                       x_title="Month", y_title="Signups",
                                       empty_message="No signup in the last twelve months."),
    }


def dashboard_context(request) -> dict:
    """Return the dashboard's figures, charts and lists for the period chosen in ``?period=``."""
    period = request.GET.get("period", "30d")
    period = period if period in metrics.PERIODS else "30d"
    growth = metrics.growth_metrics(period=period)
    kpis, retention = metrics.overview_metrics(period=period), metrics.retention_cohorts()
    return {
        "kpis": kpis,
        "retention": retention,
        "retention_months": range(max((len(c["cells"]) for c in retention["cohorts"]), default=0)),
        "csv_tables": list(metrics.TABLES),
        **_charts(growth, period),
        "growth": growth,
        "movements": _movement_rows(growth["movements"]),
        "period": period,
        "periods": list(metrics.PERIODS),
        "cohorts": metrics.trial_conversion_cohorts(months=6),
        "trials_expiring": list(metrics.trials_expiring(days=7)),
        "trial_requests": list(selectors.trial_extension_list(status="pending")[:10]),
        "recent_signups": list(metrics.recent_signups(limit=10)),
    }


def metrics_csv(request, table: str):
    """Download one metrics table or series as CSV, for the period (and cohort range) in the query string."""
    from platform_admin.api import TableQuerySerializer

    if table not in metrics.TABLES:
        raise Http404("No such metrics table.")
    form = TableQuerySerializer(data=request.GET)
    if not form.is_valid():
        return JsonResponse(form.errors, status=400)
    try:
        rows = metrics.metrics_table(table, **form.validated_data)
    except ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return metrics.csv_download(table, rows, suffix=f"{form.validated_data['period']}-{timezone.now():%Y-%m-%d}")


def usage(request, site):
    """Show the top organisations by users, plants or storage, and those over their limits."""
    metric = request.GET.get("metric", "users")
    metric = metric if metric in metrics.USAGE_METRICS else "users"
    context = {
        **site.each_context(request),
        "title": "Usage",
        "metric": metric,
        "metrics": list(metrics.USAGE_METRICS),
        "top": metrics.top_organizations(metric=metric),
        "violations": metrics.limit_violations(),
    }
    return TemplateResponse(request, "platform_admin/usage.html", context)


def impersonate(request, site):
    """Choose an organisation, one of its users, a duration and a reason; then open its host as them."""
    data = request.POST if request.method == "POST" else None
    org_id = (data or request.GET).get("organization")
    organization = Organization.objects.filter(pk=org_id, is_active=True).first() if str(org_id).isdigit() else None
    form = ImpersonationForm(data, organization=organization, initial={"organization": organization})
    if data is not None and form.is_valid():
        try:
            url, _token = impersonation_start(
                actor=request.user, organization=form.cleaned_data["organization"], user_id=form.cleaned_data["user"],
                minutes=form.cleaned_data["minutes"], reason=form.cleaned_data["reason"],
            )
            return redirect(url)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error({"organization_id": "organization", "user_id": "user"}.get(field, field), errors)
    context = {**site.each_context(request), "title": "Impersonate a user", "form": form, "organization": organization}
    return TemplateResponse(request, "platform_admin/impersonate.html", context)


def impersonation_ended(request, token_id: int):
    """Land an operator whose impersonation just ended on the dashboard, saying how it ended."""
    entry = selectors.impersonation_end_entry(token_id=token_id)
    if entry is None:
        messages.info(request, "The impersonation has ended.")
    else:
        who = f"{entry.details.get('user_email') or 'the user'} in {entry.target_label}"
        how = "its time ran out" if entry.details.get("ended_by") == "expired" else "you ended it"
        messages.info(request, f"Your impersonation of {who} is over: {how}. You are back in the console.")
    return redirect("admin:index")


def action_page(request, *, site, form, title: str, obj, submit: str, apply, back_url: str):
    """Render an action's form; on a valid POST run ``apply(form.cleaned_data)`` and go back to the object.

    ``apply`` calls one service; its ValidationError lands on the form's fields.
    """
    if request.method == "POST" and form.is_valid():
        try:
            apply(form.cleaned_data)
            messages.success(request, f"{title}: done for {obj}.")
            return redirect(back_url)
        except (ValidationError, ApplicationError) as exc:
            form_add_error(form, exc)
    context = {**site.each_context(request), "title": title, "subtitle": str(obj), "form": form, "object": obj,
               "submit_label": submit, "back_url": back_url}
    return TemplateResponse(request, "platform_admin/action_form.html", context)
