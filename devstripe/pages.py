"""What every page of the local Stripe shares: the layout with its banner, the stylesheet and small helpers.

The pages are server-rendered HTML from Python, plain POST forms, no script. Every value that comes
from the store or the request goes through ``e`` (``html.escape``). The Checkout page lives in
``checkout_page.py``, the Billing Portal in ``portal_page.py``.
"""

from __future__ import annotations

import html
import re
import time

from aiohttp import web
from localstripe.errors import UserError

from devstripe.process import AUTHENTICATION_CARD, DECLINED_CARD, GOOD_CARD
from subscriptions.money import grouped

BANNER = "Local Stripe stand-in — test mode, no money moves"
MERCHANT = "Unison"
TEST_CARDS = (GOOD_CARD, DECLINED_CARD, AUTHENTICATION_CARD)
PAYING = {GOOD_CARD: "pays", DECLINED_CARD: "is declined", AUTHENTICATION_CARD: "asks you to authenticate first"}
SAVING = {GOOD_CARD: "is saved and pays", DECLINED_CARD: "is saved, then every charge is declined",
          AUTHENTICATION_CARD: "is saved after you authenticate"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "inr": "₹"}

e = html.escape

STYLE = """
:root { --ink: #1a1f36; --muted: #596171; --line: #e3e8ee; --bg: #f6f9fc; --card: #fff;
  --accent: #635bff; --accent-dark: #4b45c6; --ok: #0d6245; --ok-bg: #e3f5ec; --bad: #b42318;
  --bad-bg: #fdecea; --warn: #6b4500; --warn-bg: #fff1c2; --info: #3d3a8c; --info-bg: #eeedff;
  --r1: 6px; --r2: 12px; --shadow: 0 1px 2px rgba(26, 31, 54, .06), 0 8px 24px rgba(26, 31, 54, .06);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
.banner { background: var(--warn-bg); color: var(--warn); border-bottom: 1px solid #f1d98c;
  padding: 8px 16px; text-align: center; font-size: 14px; font-weight: 600; }
main { max-width: 480px; margin: 32px auto 48px; padding: 0 16px; }
main.wide { max-width: 640px; }
.top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 12px;
  margin-bottom: 16px; }
.top a { white-space: nowrap; }
.merchant { display: flex; align-items: center; gap: 8px; font-weight: 600; }
.logo { width: 28px; height: 28px; border-radius: var(--r1); background: var(--ink); color: #fff;
  display: grid; place-items: center; font-size: 14px; }
.test-mode { font-size: 12px; font-weight: 700; color: var(--warn); background: var(--warn-bg);
  border-radius: 4px; padding: 0 6px; white-space: nowrap; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--r2);
  box-shadow: var(--shadow); padding: 24px; margin-bottom: 16px; }
h1 { font-size: 24px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 18px; line-height: 1.3; margin: 0 0 12px; }
p { margin: 0 0 8px; }
.lead { font-size: 28px; font-weight: 700; margin: 4px 0 0; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.spaced { margin-top: 12px; }
.lines { list-style: none; margin: 20px 0 0; padding: 0; }
.line, .total { display: flex; justify-content: space-between; align-items: baseline; gap: 16px;
  padding: 12px 0; border-top: 1px solid var(--line); }
.amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.total { font-weight: 700; }
.trial { background: var(--info-bg); color: var(--info); border-radius: var(--r1); padding: 10px 12px; margin: 16px 0 0; }
hr { border: 0; border-top: 1px solid var(--line); margin: 24px 0 8px; }
label { display: block; font-weight: 600; font-size: 14px; margin: 16px 0 4px; }
input[type=text] { width: 100%; padding: 10px 12px; border: 1px solid #c4cdd8; border-radius: var(--r1);
  font-size: 16px; background: #fff; color: var(--ink); font-variant-numeric: tabular-nums; }
select { width: 100%; padding: 10px 12px; border: 1px solid #c4cdd8; border-radius: var(--r1); font-size: 16px;
  background: #fff; color: var(--ink); }
input[aria-invalid=true], select[aria-invalid=true] { border-color: var(--bad); box-shadow: 0 0 0 1px var(--bad); }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.error { color: var(--bad); font-size: 14px; margin: 4px 0 0; }
.help { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
.button { display: block; width: 100%; margin-top: 20px; padding: 12px 16px; border: 1px solid var(--accent);
  border-radius: var(--r1); background: var(--accent); color: #fff; font: inherit; font-weight: 600;
  cursor: pointer; text-align: center; text-decoration: none; }
.button:hover { background: var(--accent-dark); }
.button.secondary { background: #fff; color: var(--ink); border-color: #c4cdd8; }
.button.secondary:hover { background: #f3f5f9; }
.button.danger { background: #fff; color: var(--bad); border-color: #e8b4ad; }
.button.danger:hover { background: var(--bad-bg); }
.actions { display: grid; gap: 12px; margin-top: 20px; }
.actions .button { margin: 0; }
a { color: var(--accent); }
.back { display: inline-block; margin-top: 16px; font-size: 14px; }
:focus-visible { outline: 3px solid #a9a4ff; outline-offset: 2px; }
.notice { padding: 12px 14px; border-radius: var(--r1); margin: 0 0 16px; }
.notice.bad { background: var(--bad-bg); color: var(--bad); }
.notice.ok { background: var(--ok-bg); color: var(--ok); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 13px; font-weight: 600;
  background: #eef1f5; color: var(--muted); vertical-align: middle; }
.badge.active { background: var(--ok-bg); color: var(--ok); }
.badge.trialing { background: var(--info-bg); color: var(--info); }
.badge.past_due, .badge.unpaid, .badge.incomplete { background: var(--bad-bg); color: var(--bad); }
.badge.ending { background: var(--warn-bg); color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 16px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
fieldset { border: 0; margin: 0; padding: 0; }
legend { font-weight: 600; font-size: 14px; margin-bottom: 8px; padding: 0; }
.choice { display: flex; align-items: center; gap: 12px; margin: 0 0 8px; padding: 12px; font-weight: 400;
  border: 1px solid var(--line); border-radius: var(--r1); cursor: pointer; }
.choice:has(input:checked) { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent); }
.choice input { margin: 0; accent-color: var(--accent); }
.choice .amount { margin-left: auto; }
.cards { list-style: none; margin: 6px 0 0; padding: 8px 12px; background: var(--bg); border-radius: var(--r1); }
.cards li { padding: 2px 0; }
code { white-space: nowrap; }
.cards code { font-size: 13px; white-space: nowrap; color: var(--ink); margin-right: 4px; }
footer { text-align: center; color: var(--muted); font-size: 13px; }
"""


def page(title: str, body: str, *, wide: bool = False, status: int = 200) -> web.Response:
    """Return the whole HTML page: banner, then ``body`` (already escaped HTML) in a centred column."""
    return web.Response(text=page_html(title, body, wide=wide), content_type="text/html", status=status)


def page_html(title: str, body: str, *, wide: bool = False) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · Local Stripe</title><style>{STYLE}</style></head><body>"
        f'<div class="banner" role="note" data-testid="stand-in-banner">{e(BANNER)}</div>'
        f'<main{" class=wide" if wide else ""}>{body}'
        "<footer>devstripe · a local stand-in for Stripe · nothing here reaches a bank</footer>"
        "</main></body></html>"
    )


def stored(cls, id: str, what: str):
    """Return the stored object, or raise a 404 page saying the link is not (or no longer) valid."""
    try:
        return cls._api_retrieve(id)
    except UserError:
        body = (merchant_header() + f'<div class="card"><h1>This {e(what)} link is not valid</h1>'
                '<p class="muted">Nothing by that id is stored here. Start again from Unison; a local Stripe '
                "started without <code>--store</code> forgets everything when it stops.</p></div>")
        raise web.HTTPNotFound(text=page_html("Not found", body), content_type="text/html") from None


def merchant_header(right: str = "") -> str:
    return (f'<div class="top"><div class="merchant"><span class="logo" aria-hidden="true">{e(MERCHANT[0])}</span>'
            f'{e(MERCHANT)} <span class="test-mode">TEST MODE</span></div>{right}</div>')


def see_other(location: str) -> web.HTTPSeeOther:
    """Return the 303 redirect to raise after a form post."""
    return web.HTTPSeeOther(location=location)


def notice(text: str, kind: str) -> str:
    role = "alert" if kind == "bad" else "status"
    return f'<div class="notice {kind}" role="{role}" data-testid="notice">{e(text)}</div>'


def button(text: str, kind: str = "primary", **attributes: str) -> str:
    extra = "".join(f' {name}="{e(value)}"' for name, value in attributes.items())
    return f'<button class="button {kind}" type="submit"{extra}>{e(text)}</button>'


def text_field(name: str, label: str, *, value: str = "", error: str | None = None, help_html: str = "",
               placeholder: str = "", autocomplete: str = "off", inputmode: str = "text") -> str:
    """Return a labelled text input with its help and its error under it, tied by ``aria-describedby``."""
    described = [f"{name}-help"] if help_html else []
    if error:
        described.insert(0, f"{name}-error")
    return (
        f'<label for="{name}">{e(label)}</label>'
        f'<input type="text" id="{name}" name="{name}" value="{e(value)}" placeholder="{e(placeholder)}"'
        f' autocomplete="{autocomplete}" inputmode="{inputmode}"'
        + (f' aria-describedby="{" ".join(described)}"' if described else "")
        + (' aria-invalid="true"' if error else "")
        + ">"
        + (f'<p class="error" id="{name}-error">{e(error)}</p>' if error else "")
        + (f'<div class="help" id="{name}-help">{help_html}</div>' if help_html else "")
    )


def select_field(name: str, label: str, choices: list[tuple[str, str]], *, value: str = "",
                 error: str | None = None) -> str:
    """Return a labelled select with its error under it, tied by ``aria-describedby``."""
    options = "".join(f'<option value="{e(key)}"{" selected" if key == value else ""}>{e(text)}</option>'
                      for key, text in [("", "Choose…"), *choices])
    return (f'<label for="{name}">{e(label)}</label><select id="{name}" name="{name}"'
            + (f' aria-describedby="{name}-error" aria-invalid="true"' if error else "")
            + f">{options}</select>"
            + (f'<p class="error" id="{name}-error">{e(error)}</p>' if error else ""))


def card_number_field(*, value: str = "", error: str | None = None, label: str = "Card number",
                      outcomes: dict = PAYING) -> str:
    """Return the card-number field, with the test cards and what each does (``outcomes``) as its help."""
    cards = "".join(f"<li><code>{spaced(number)}</code> {e(outcomes[number])}</li>" for number in TEST_CARDS)
    return text_field("card_number", label, value=value, error=error, placeholder="4242 4242 4242 4242",
                      autocomplete="cc-number", inputmode="numeric",
                      help_html=f'Only test cards work here:<ul class="cards">{cards}</ul>')


def card_number_read(typed: str) -> tuple[str, str | None]:
    """Return the digits of a typed test card number and the field error to show, if any."""
    digits = re.sub(r"[\s-]", "", typed or "")
    if not digits:
        return digits, "Enter a card number."
    if not digits.isdigit() or len(digits) != 16:
        return digits, "A card number has 16 digits, like 4242 4242 4242 4242."
    if digits not in TEST_CARDS:
        return digits, "That is not one of the test cards listed below; no other card works here."
    return digits, None


def spaced(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def money(cents: int, currency: str) -> str:
    """Format as Stripe's pages do in English: $1,234.50, and rupees grouped the Indian way (₹1,00,000.00)."""
    symbol = SYMBOLS.get((currency or "").lower())
    whole, rest = divmod(abs(int(cents)), 100)
    amount = f"{'-' if int(cents) < 0 else ''}{grouped(whole, (currency or '').lower())}.{rest:02d}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def per_interval(interval: str, count: int = 1) -> str:
    count = int(count or 1)
    return f"per {interval}" if count == 1 else f"every {count} {interval}s"


def day(timestamp: int | float | None) -> str:
    if not timestamp:
        return "—"
    moment = time.gmtime(int(timestamp))
    return f"{moment.tm_mday} {time.strftime('%B %Y', moment)}"


def authentication_page(*, action: str, amount_text: str, cancel_href: str) -> web.Response:
    """The stand-in for a bank's 3D Secure page: the person decides whether authentication succeeds."""
    body = (
        merchant_header()
        + '<div class="card"><h1>Confirm it’s you</h1>'
        f'<p class="muted">Your bank asks you to authenticate {e(amount_text)}. '
        "This is the test version of that step: choose how it goes.</p>"
        f'<div class="actions"><form method="post" action="{e(action)}">'
        '<input type="hidden" name="outcome" value="complete">'
        + button("Complete authentication")
        + f'</form><form method="post" action="{e(action)}"><input type="hidden" name="outcome" value="fail">'
        + button("Fail authentication", "secondary")
        + f'</form></div><a class="back" href="{e(cancel_href)}">← Back</a></div>'
    )
    return page("Authenticate", body)
