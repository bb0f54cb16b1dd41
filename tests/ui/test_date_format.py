"""The one date format and the ``dates`` template tags: 3 Dec 2026, 14:05 IST, across a DST change too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.template import Context, Template
from django.utils import formats, timezone

from unison.templatetags.dates import clock, day, stamp, when, zone_abbreviation, zone_line

MOMENT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


def test_django_reads_the_format_module_so_plain_date_filters_agree():
    assert formats.get_format("DATE_FORMAT") == "j M Y"
    assert Template("{{ m|date }}").render(Context({"m": MOMENT})) == "3 Dec 2026"
    assert Template("{{ m|date:'DATETIME_FORMAT' }}").render(Context({"m": MOMENT})) == "3 Dec 2026, 14:05"


def test_day_writes_dates_and_the_date_of_a_moment_in_the_current_zone():
    assert day(date(2026, 1, 2)) == "2 Jan 2026"
    assert day(MOMENT, "short") == "3 Dec"
    with timezone.override("Pacific/Auckland"):  # already the 4th there
        assert day(MOMENT) == "4 Dec 2026"
    assert day(None) == "" and day("") == ""


def test_when_puts_a_moment_in_the_plants_zone_and_names_the_zone():
    assert when(MOMENT) == "3 Dec 2026, 14:05 UTC"
    assert when(MOMENT, "Asia/Kolkata") == "3 Dec 2026, 19:35 IST"
    assert when(MOMENT, "America/Chicago") == "3 Dec 2026, 08:05 CST"
    assert when(MOMENT, "Europe/Berlin") == "3 Dec 2026, 15:05 CET"
    assert when(datetime(2026, 7, 1, 12, tzinfo=UTC), "America/Chicago") == "1 Jul 2026, 07:00 CDT"
    assert when(None) == ""


def test_a_dst_change_moves_the_clock_and_the_abbreviation_together():
    # Chicago springs forward at 02:00 local on 8 March 2026 and falls back at 02:00 on 1 November 2026.
    assert when(datetime(2026, 3, 8, 7, 59, tzinfo=UTC), "America/Chicago") == "8 Mar 2026, 01:59 CST"
    assert when(datetime(2026, 3, 8, 8, 0, tzinfo=UTC), "America/Chicago") == "8 Mar 2026, 03:00 CDT"
    assert clock(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/Chicago") == "01:30 CDT"
    assert clock(datetime(2026, 11, 1, 7, 30, tzinfo=UTC), "America/Chicago") == "01:30 CST"


def test_zones_without_a_letter_abbreviation_read_as_an_offset():
    assert when(MOMENT, "Asia/Dubai").endswith("18:05 UTC+04")
    assert zone_abbreviation(MOMENT.astimezone(timezone.get_fixed_timezone(345))) == "UTC+05:45"
    assert when(MOMENT, "Asia/Kathmandu").endswith("19:50 UTC+05:45")


def test_a_shift_time_is_the_plants_wall_clock_not_moved():
    assert clock(time(6, 0)) == "06:00"
    assert clock(time(6, 0), "America/Chicago") in {"06:00 CST", "06:00 CDT"}
    assert clock(time(6, 0), "Asia/Kolkata") == "06:00 IST"


def test_stamp_gives_the_exact_instant_in_a_time_element():
    assert stamp(MOMENT, "when", "Asia/Kolkata") == (
        '<time datetime="2026-12-03T19:35:00+05:30">3 Dec 2026, 19:35 IST</time>'
    )
    assert stamp(date(2026, 1, 2)) == '<time datetime="2026-01-02">2 Jan 2026</time>'
    assert stamp(time(22, 0), "clock") == '<time datetime="22:00">22:00</time>'
    assert stamp(None) == ""
    rendered = Template('{% load dates %}{% stamp m "when" z %}').render(Context({"m": MOMENT, "z": "Asia/Kolkata"}))
    assert rendered.endswith("19:35 IST</time>")


def test_the_zone_line_says_the_zone_its_abbreviation_and_offset():
    assert zone_line("Asia/Kolkata") == "Time zone Asia/Kolkata · IST (UTC+05:30)"
    assert zone_line("UTC") == "Time zone UTC · UTC (UTC+00:00)"
