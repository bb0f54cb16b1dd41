"""Dates and times in the one Unison format: ``{% load dates %}``.

- ``{{ value|day }}``: "3 Dec 2026" (``day:"short"``: "3 Dec"); a datetime is first put in the current zone.
- ``{{ value|when:zone }}``: "3 Dec 2026, 14:05 IST", in ``zone`` (a name) or else the current zone.
- ``{{ value|clock:zone }}``: "14:05 IST"; a ``time`` is a wall-clock time at the place, so it is not moved.
- ``{% stamp value "when" zone %}``: the same text in ``<time datetime="…">``, which never wraps and gives
  machines and screen readers the exact instant.

Pages of one plant pass the plant's ``time_zone``; elsewhere the workspace's zone (UTC) applies. Empty values
give "" so ``|default:"never"`` still works.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()
STYLES = {"day": "DATE_FORMAT", "short": "SHORT_DATE_FORMAT"}


def _zone(name) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()


def zone_abbreviation(moment: datetime) -> str:
    """Return the zone's abbreviation at ``moment`` ("IST", "CDT"); zones without one read "UTC+04", "UTC-03:30"."""
    name = moment.tzname() or "UTC"
    if re.fullmatch(r"[+-]\d{2,4}", name):
        name = f"UTC{name[:3]}" + (f":{name[3:]}" if len(name) > 3 else "")
    return name


def _placed(value, zone) -> datetime:
    return value.astimezone(_zone(zone)) if timezone.is_aware(value) else value.replace(tzinfo=_zone(zone))


@register.filter
def day(value, style: str = "day") -> str:
    """Return the date of ``value`` as "3 Dec 2026" ("short": "3 Dec")."""
    if isinstance(value, datetime):
        value = _placed(value, None).date()
    if not isinstance(value, date):
        return ""
    return formats.date_format(value, STYLES.get(style, "DATE_FORMAT"))


@register.filter
def when(value, zone: str = "") -> str:
    """Return a datetime as "3 Dec 2026, 14:05 IST" in ``zone`` (or the current zone)."""
    if not isinstance(value, datetime):
        return day(value)
    moment = _placed(value, zone)
    return f"{formats.date_format(moment, 'DATETIME_FORMAT')} {zone_abbreviation(moment)}"


@register.filter
def clock(value, zone: str = "") -> str:
    """Return the time of day as "14:05 IST"; a bare ``time`` is the place's wall clock (no zone moves it)."""
    if isinstance(value, time):
        text = formats.time_format(value, "TIME_FORMAT")
        if not zone:
            return text
        place = _zone(zone)  # today's abbreviation: a 06:00 shift reads CST in winter and CDT in summer
        return f"{text} {zone_abbreviation(datetime.combine(timezone.now().astimezone(place).date(), value, place))}"
    if not isinstance(value, datetime):
        return ""
    moment = _placed(value, zone)
    return f"{formats.time_format(moment, 'TIME_FORMAT')} {zone_abbreviation(moment)}"


@register.simple_tag
def stamp(value, style: str = "day", zone: str = ""):
    """Return ``<time datetime="ISO">text</time>`` for ``value`` in one of the styles day, short, when, clock."""
    if value in (None, ""):
        return ""
    if style == "when":
        text = when(value, zone)
    elif style == "clock":
        text = clock(value, zone)
    else:
        text = day(value, style)
    if isinstance(value, datetime):
        machine = _placed(value, zone).isoformat(timespec="seconds")
    elif isinstance(value, time):
        machine = value.strftime("%H:%M")
    else:
        machine = value.isoformat()
    return format_html('<time datetime="{}">{}</time>', machine, text)


@register.filter
def zone_line(name: str) -> str:
    """Return "Time zone Asia/Kolkata · IST (UTC+05:30)": the zone, its abbreviation and offset now."""
    now = timezone.now().astimezone(_zone(name))
    offset = now.strftime("%z")
    return f"Time zone {name} · {zone_abbreviation(now)} (UTC{offset[:3]}:{offset[3:]})"
