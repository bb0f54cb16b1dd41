"""Coupons, promotion codes and discounts, which localstripe has only in part (a coupon with no limits).

- Coupons get an id when none is given, and also take ``name``, ``redeem_by``, ``max_redemptions`` and ``applies_to[products][]``;
  Stripe's rule that a coupon past ``redeem_by`` or at ``max_redemptions`` is no longer ``valid``.
- ``/v1/promotion_codes``: create (``coupon``, ``code``, ``max_redemptions``, ``expires_at``),
  retrieve, list (``code`` and ``active`` filters); codes are unique among active ones, case-insensitive.
- ``discounts[][promotion_code]`` (or ``[coupon]``) on a subscription update, a Checkout Session and an
  invoice preview: a redeemable code is refused with Stripe's 400 otherwise. The subscription gets a
  ``discount`` (``start``, ``end`` for a repeating coupon) and a ``customer.discount.created`` event
  (``customer.discount.updated`` when it replaces one); redemptions are counted on the code and coupon.
- Invoices of a subscription with a discount take it off the subtotal (percent rounded to the cent, or
  the amount, at most the subtotal): ``discounts`` (always expanded: localstripe cannot expand a list of
  ids, and dj-stripe asks for it), ``total_discount_amounts`` and a lower ``total``.
  A ``once`` discount applies to the first invoice with something to pay and then ends; a repeating
  one stops at its ``end`` (months of 30 days here). The coupon's products are not checked per line.
"""

from __future__ import annotations

from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from devstripe import extension as X

MONTH = 30 * 86400


def _coupon_init(self, id=None, name=None, redeem_by=None, max_redemptions=None, applies_to=None, **kwargs):
    _coupon_init_original(self, id=id or R.random_id(8), **kwargs)  # Stripe makes the id when none is given
    self.name = name
    self.redeem_by = R.try_convert_to_int(redeem_by) if redeem_by else None
    self.max_redemptions = R.try_convert_to_int(max_redemptions) if max_redemptions else None
    products = (applies_to or {}).get("products")
    self.applies_to = {"products": [products] if isinstance(products, str) else list(products)} if products else None


_coupon_init_original = R.Coupon.__init__


def _coupon_valid(self) -> bool:
    return not (
        (self.redeem_by and self.redeem_by <= X._now())
        or (self.max_redemptions and self.times_redeemed >= self.max_redemptions)
    )


class PromotionCode(R.StripeObject):
    object = "promotion_code"
    _id_prefix = "promo_"

    def __init__(
        self, coupon=None, code=None, max_redemptions=None, expires_at=None, active=True, metadata=None, **ignored
    ):
        found = R.store.get("coupon:" + (coupon or ""))
        if found is None:
            raise UserError(400, f"No such coupon: '{coupon}'", {"param": "coupon"})
        if code and any(p.code.lower() == str(code).lower() and p.active for p in _codes()):
            raise UserError(400, f"An active promotion code with `code: {code}` already exists.", {"param": "code"})
        super().__init__()
        self.code = code or R.random_id(8).upper()
        self.coupon = found
        self.max_redemptions = R.try_convert_to_int(max_redemptions) if max_redemptions else None
        self.expires_at = R.try_convert_to_int(expires_at) if expires_at else None
        self.active = R.try_convert_to_bool(active) is not False
        self.times_redeemed, self.customer, self.livemode = 0, None, False
        self.metadata = metadata or {}
        self.restrictions = {
            "first_time_transaction": False,
            "minimum_amount": None,
            "minimum_amount_currency": None,
            "currency_options": {},
        }


def promotion_code_list(request):
    query = S.unflatten_data(request.query)
    code, active = query.get("code"), query.get("active")
    found = [
        p
        for p in _codes()
        if (code is None or p.code == code) and (active is None or p.active == R.try_convert_to_bool(active))
    ]
    return X._list("/v1/promotion_codes", [p._export() for p in found])


def _codes() -> list[PromotionCode]:
    return [p for k, p in R.store.items() if k.startswith("promotion_code:")]


class Discount(R.StripeObject):
    object = "discount"
    _id_prefix = "di_"

    def __init__(self, coupon, promotion_code, sub):
        super().__init__()
        self.coupon, self.promotion_code = coupon, promotion_code
        self.customer, self.subscription, self.invoice, self.invoice_item = sub.customer, sub.id, None, None
        self.start, self.checkout_session, self.subscription_item = X._now(), None, None
        months = coupon.duration_in_months if coupon.duration == "repeating" else None
        self.end = self.start + months * MONTH if months else None


def redeem(sub, discounts) -> None:
    """Give the subscription the discount ``discounts`` names (Stripe's 400 if it cannot be redeemed)."""
    if not discounts:
        return
    wanted = discounts[0] if isinstance(discounts, list) else discounts
    promo = None
    if wanted.get("promotion_code"):
        promo = R.store.get("promotion_code:" + wanted["promotion_code"])
        if promo is None:
            raise UserError(400, f"No such promotion code: '{wanted['promotion_code']}'", {"param": "discounts"})
        coupon = promo.coupon
        if (
            not promo.active
            or (promo.expires_at and promo.expires_at <= X._now())
            or (promo.max_redemptions and promo.times_redeemed >= promo.max_redemptions)
        ):
            raise UserError(
                400, "This promotion code cannot be redeemed.", {"param": "discounts", "code": "promotion_code_invalid"}
            )
    else:
        coupon = R.Coupon._api_retrieve(wanted.get("coupon") or "")
    if not coupon.valid:
        raise UserError(
            400, f"Coupon {coupon.id} is no longer valid.", {"param": "discounts", "code": "coupon_expired"}
        )
    replaced = getattr(sub, "_discount", None) is not None
    sub._discount = Discount(coupon, promo.id if promo else None, sub)
    coupon.times_redeemed += 1
    if promo:
        promo.times_redeemed += 1
    R.schedule_webhook(R.Event("customer.discount.updated" if replaced else "customer.discount.created", sub._discount))


def current(sub):
    """Return the subscription's discount if it still runs (ending one that has run out), else None."""
    discount = getattr(sub, "_discount", None)
    if discount is not None and discount.end and discount.end <= X._now():
        end(sub)
        return None
    return discount


def end(sub) -> None:
    discount, sub._discount = sub._discount, None
    R.schedule_webhook(R.Event("customer.discount.deleted", discount))


def off(coupon, subtotal: int) -> int:
    """Return what the coupon takes off ``subtotal`` cents."""
    if subtotal <= 0:
        return 0
    if coupon.percent_off is not None:
        return int(subtotal * coupon.percent_off / 100 + 0.5)
    return min(subtotal, coupon.amount_off or 0)


def _invoice_init(self, *args, **kwargs):
    _invoice_init_original(self, *args, **kwargs)
    sub = R.store.get("subscription:" + (self.subscription or ""))
    discount = current(sub) if sub is not None else None
    self._discount = discount
    if discount is not None and discount.coupon.duration == "once" and self.subtotal > 0:
        end(sub)  # a once discount is used up by this invoice


_invoice_init_original = R.Invoice.__init__


def _discount_cents(self) -> int:
    discount = getattr(self, "_discount", None)
    return off(discount.coupon, self.subtotal) if discount is not None else 0


def _invoice_discounts(self) -> list:
    discount = getattr(self, "_discount", None)
    return [discount._export()] if discount is not None else []  # as expanded: dj-stripe always asks so


def _total_discount_amounts(self) -> list:
    discount = getattr(self, "_discount", None)
    return [{"amount": _discount_cents(self), "discount": discount.id}] if discount is not None else []


def _total(self):
    return max(0, self.subtotal + self.tax - _discount_cents(self) - self.starting_balance)


def _sub_discount(self):
    discount = current(self)
    return discount._export() if discount is not None else None


def _sub_discounts(self):
    discount = current(self)
    return [discount.id] if discount is not None else []


_subscription_update = R.Subscription._api_update


def subscription_update(cls, id, discounts=None, **changes):
    """Redeem ``discounts`` first, so what the update bills now is discounted too."""
    sub = cls._api_retrieve(id)
    saved = getattr(sub, "_discount", None)
    redeem(sub, discounts)
    try:
        return _subscription_update.__func__(cls, id, **changes)
    except UserError:
        sub._discount = saved  # a declined upgrade keeps the discount it had
        raise


def install(app) -> None:
    """Add the routes and patches above to localstripe's app (after ``extension.install``)."""
    R.Coupon.__init__ = _coupon_init
    R.Coupon.valid = property(_coupon_valid, lambda self, value: None)
    R.Invoice.__init__ = _invoice_init
    R.Invoice.total = property(_total)
    R.Invoice.discounts = property(_invoice_discounts)
    R.Invoice.total_discount_amounts = property(_total_discount_amounts)
    R.Subscription.discount = property(_sub_discount, lambda self, value: None)
    R.Subscription.discounts = property(_sub_discounts)
    R.Subscription._api_update = classmethod(subscription_update)
    url = "/v1/promotion_codes"
    add = app.router.add_route
    add("POST", url, S.api_create(PromotionCode, url))
    add("GET", url, promotion_code_list)
    add("GET", url + "/{id}", S.api_retrieve(PromotionCode, url))
