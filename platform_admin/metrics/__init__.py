"""Platform metrics for the operators' console and the admin API (reads only).

The metrics follow the billing analytics tools (ChartMogul, Baremetrics, Stripe's own) and are
computed from what Stripe bills, never from today's catalog prices: a price change in the catalog
leaves past MRR as it was. Money is integer cents; instants are UTC. Every MRR figure is in US
cents: a subscription billed in EUR or INR is converted by the catalog's ``USD_RATES`` when billing
mirrors it (``Subscription.mrr_native_cents`` keeps its amount in its own ``currency``), so each
event records the USD MRR of its day and a later rate change does not restate the past.

The ledger is two fields that billing keeps in line with Stripe:

- ``Subscription.mrr_cents``: what Stripe bills the subscription a month now, net of discounts,
  normalised to a month (an annual price / 12), while Stripe's status is active or past due;
  0 for a trial (even one Stripe runs with a card on file), a suspended or cancelled
  subscription, and an operator's comp. A second live Stripe subscription of the same customer
  is flagged in ``extra_stripe_subscription_ids`` and never counted.
- ``SubscriptionEvent.mrr_cents``: the subscription's MRR right after the event. Every change
  writes one event; the history is append-only (the database refuses UPDATE and DELETE).

Definitions:

- **MRR now** = the sum of ``Subscription.mrr_cents``. **ARR** = 12 × MRR.
- **MRR at a moment** = for each subscription, the ``mrr_cents`` of its last event at or before
  that moment (ordered by ``created_at``, then id), summed.
- **Paying** customer at a moment: a subscription whose MRR then is above 0.
- **MRR movements** of a period (start, end] (events after ``start``, up to and including
  ``end``): each event is classified by the change it makes to its subscription's MRR, against
  the ``mrr_cents`` of the subscription's previous event (0 if none):

  ======================  ==================================  ============
  previous → after        condition                           movement
  ======================  ==================================  ============
  0 → more than 0         the subscription never paid before  new
  0 → more than 0         it paid at some earlier event       reactivation
  more than 0 → 0                                             churn
  more than 0 → more      up                                  expansion
  more than 0 → less      down, still above 0                 contraction
  ======================  ==================================  ============

  An event that leaves the MRR as it was is no movement. Each movement's ``cents`` is its
  signed change to MRR: new, expansion and reactivation are positive, **contraction and churn
  are negative**; ``count`` is the number of movements (a subscription that expands twice
  counts twice). ``net_cents`` is the sum of the five, and equals MRR(end) − MRR(start).
  A late payer (past due → suspended → active) is a churn then a reactivation, never a new
  subscription; a trial that lapses or is cancelled makes no movement (it never paid).
- **Customer churn** of a period = customers paying at ``start`` and not paying at ``end`` /
  customers paying at ``start``; ``None`` when none paid at the start. A customer who leaves
  and comes back within the period is not lost.
- **Trial conversion**: an organisation converted once its subscription has had an event with
  ``mrr_cents`` above 0 (Stripe billed it once). Per signup cohort (organisations grouped by
  the UTC month of ``Organization.created_at``): signups, converted, still trialing now, and
  rate = converted / signups (``None`` for an empty cohort). For a period: of the
  organisations that signed up in it, the share converted so far.
- **Periods** are ``7d``, ``30d`` and ``90d``: that many whole UTC days ending today (today up
  to now). Anything else is refused (the API answers 400 naming ``period``).
- **Growth** series have one bucket per UTC day of the period: signups; MRR after the day's last
  event (for today: now); trial conversions (``new`` movements); trials ended (events leaving
  ``trialing``); churned (``churn`` movements); cancellations (a paying subscription moving to
  ``cancelled``); impersonations and admin actions (below). Beside them, whatever the period:
  signups per ISO week (Monday 00:00 UTC) over the last 12 weeks, and signups and MRR per UTC
  month over the last 12 months (the current week and month count up to now).
- **New signups per day / week / month** (headline) = organisations created today, since
  Monday 00:00 UTC, and since the 1st 00:00 UTC (``Organization.created_at``).
- **ARPA** (average revenue per account) = MRR now / paying customers now, in cents rounded
  half up; ``None`` with no paying customer.
- **Customer lifetime value** = ARPA / monthly customer churn rate, where the monthly rate is the
  customer churn of the last 30 days ((now − 30 days, now]), worked out in one division and
  rounded half up to cents. When it cannot be worked out it is ``None`` with a ``reason``:
  ``no_paying_customers`` (no ARPA), ``no_customers_at_start`` (nobody paid 30 days ago, so no
  churn rate) or ``no_churn`` (nobody was lost: at 0 % churn the lifetime is unbounded; the
  tools show no figure rather than infinity).
- **MRR growth, month over month** = (MRR at the end of a UTC month − MRR at the end of the month
  before) / MRR at the end of the month before; ``None`` when the month before ended at 0. The
  current month's end is now (month to date): that is the headline figure.
- **Net revenue retention** of a period = the MRR at ``end`` of the customers paying at
  ``start`` / their MRR at ``start`` (so expansion, contraction and churn of those customers
  count, and new customers do not; one who leaves and comes back within the period is
  retained); ``None`` when nobody paid at the start.
- **SaaS quick ratio** of a period = (new + expansion + reactivation MRR) / (contraction + churn
  MRR), from the period's movements, to two places. When nothing was lost it is ``None`` with
  ``reason`` ``no_losses`` (MRR was gained: no bound) or ``no_movements`` (nothing moved).
- **Payment success rate** of a period = invoices paid / invoices attempted, over dj-stripe's
  mirror of Stripe's invoices (``djstripe.Invoice``, the object as Stripe sent it in
  ``stripe_data``) created in the period: *attempted* means Stripe tried to collect it
  (``attempted`` true, not a draft, ``amount_due`` above 0 — a trial's 0-cent invoice is no
  payment); *paid* means its ``status`` is ``paid`` now (an invoice paid on a retry counts as
  paid; open, void and uncollectible ones count as failed). ``attempts`` sums Stripe's
  ``attempt_count`` (retries included). ``None`` when nothing was attempted.
- **Active subscriptions by tier and billing cycle** = subscriptions whose status is active or
  past due, with the paying customers and MRR (``Subscription.mrr_cents``) of each tier and of
  each cycle; every catalog tier and cycle is listed, empty or not. **By currency** the same per
  currency the subscriptions pay in, with ``mrr_native_cents`` (the sum in that currency) beside
  ``mrr_cents`` (in USD); their ``mrr_cents`` add up to MRR now.
- **Trials ending in the next 7 days** = trialing subscriptions with ``trial_ends_at`` in
  [now, now + 7 days).
- **Impersonation sessions** of a period = ``impersonation_start`` audit entries (links issued)
  in it. **Admin actions** = audit entries written for an operator (``actor_id`` set) except the
  records of what happened during or after an impersonation (``impersonation_end``,
  ``impersonated_write``, counted apart as ``impersonated_writes``); a workspace user's own
  entries (an export) have no operator and are not counted. Per action in ``by_action``.
- **Retention cohorts**: organisations grouped by the UTC month of ``created_at`` (the signup
  month); for each cohort and each month since signup (0 = the signup month) up to this one:
  *customers* = the cohort's subscriptions paying (MRR above 0) at that month's end (this
  month: now), and *customers_rate* = customers / the cohort's signups; *mrr_cents* = their MRR
  then, and *mrr_rate* = that MRR / the cohort's MRR at its first month end with any MRR
  (trials make month 0 small, so the base is the month the cohort first paid; expansion can
  take it above 1). Unset, the range is the last 12 months that have signups; a range that
  starts before the first signup, after this month, or runs past this month is refused, naming
  ``start`` or ``months``.
- **Users, plants, storage** come from each organisation's latest ``UsageSnapshot`` (taken
  every few hours by the usage sweep); limits come from the catalog's tiers and the add-ons.
  **Usage by tier** sums the latest snapshots of each tier's organisations (by
  ``Subscription.tier``), with how many organisations were measured.
- **CSV**: every table and series above is a CSV file (``platform_admin.metrics.tables``):
  ``GET /api/v1/admin/metrics/csv/<table>`` and the console's ``/admin/metrics/csv/<table>/``,
  with the same ``period``, ``start`` and ``months`` parameters as the JSON.

Every function runs a fixed number of queries whatever the number of organisations: the
arithmetic happens in SQL (aggregates and window functions), never in a per-organisation loop.
"""


from platform_admin.metrics.activity import operator_activity, recent_signups, signup_counts, trials_expiring
from platform_admin.metrics.cohorts import retention_cohorts
from platform_admin.metrics.growth import growth_metrics
from platform_admin.metrics.ledger import (
    MOVEMENTS,
    PAYING,
    customer_churn,
    mrr_at,
    mrr_by_month,
    mrr_movements,
    platform_metrics,
    retention,
    trial_conversion_cohorts,
)
from platform_admin.metrics.overview import overview_metrics
from platform_admin.metrics.periods import PERIODS, days_window
from platform_admin.metrics.revenue import (
    arpa_cents,
    customer_lifetime_value,
    payment_success,
    quick_ratio,
    subscriptions_by_plan,
)
from platform_admin.metrics.tables import TABLES, csv_download, metrics_table
from platform_admin.metrics.usage import (
    USAGE_METRICS,
    latest_usage,
    limit_violations,
    top_organizations,
    usage_by_tier,
    usage_with_limits,
)

__all__ = [
    "MOVEMENTS", "PAYING", "PERIODS", "TABLES", "USAGE_METRICS", "arpa_cents", "csv_download", "customer_churn",
    "customer_lifetime_value", "days_window", "growth_metrics", "latest_usage", "limit_violations", "metrics_table", "mrr_at", "mrr_by_month", "mrr_movements",
    "operator_activity", "overview_metrics", "payment_success", "platform_metrics", "quick_ratio", "recent_signups",
    "retention", "retention_cohorts", "signup_counts", "subscriptions_by_plan", "top_organizations",
    "trial_conversion_cohorts", "trials_expiring", "usage_by_tier", "usage_with_limits",
]
