"""The time zones a plant can be in: canonical IANA names only, read from the pinned ``tzdata`` package.

The list is zone.tab's (one or more zones per country, named for a city) plus "UTC". Legacy names
(``US/Eastern``, ``Asia/Calcutta``, ``EST5EDT``, ``Etc/GMT+3``) are not offered; ``ALIASES`` maps the
ones that are backward links to the zone they stand for, so old rows can be converted and a form can say
which name to use instead.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

UTC = "UTC"
# Names that mean UTC but are not links to "UTC" in every tzdata release.
_UTC_NAMES = {
    "Etc/UTC",
    "Etc/UCT",
    "Etc/Universal",
    "Etc/Zulu",
    "Etc/GMT",
    "Etc/GMT0",
    "Etc/GMT+0",
    "Etc/GMT-0",
    "Etc/Greenwich",
    "GMT",
    "GMT0",
    "GMT+0",
    "GMT-0",
    "Greenwich",
    "UCT",
    "Universal",
    "Zulu",
}
# POSIX-style zones that follow the US rules; some tzdata builds keep them as zones, not links.
_US_RULE_NAMES = {
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
}


def _read(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@cache
def canonical_zones() -> tuple[str, ...]:
    """Return the canonical zone names, sorted, "UTC" first."""
    names = {line.split("\t")[2] for line in _read("zone.tab").splitlines() if line and not line.startswith("#")}
    return (UTC, *sorted(names))


@cache
def aliases() -> dict[str, str]:
    """Return each legacy name that stands for one canonical zone, mapped to that zone."""
    canonical = set(canonical_zones())
    links = dict(reversed(line.split()[1:3]) for line in _read("tzdata.zi").splitlines() if line.startswith("L "))
    found = {name: UTC for name in _UTC_NAMES} | _US_RULE_NAMES
    for alias, target in links.items():
        while target in links:  # a link to a link
            target = links[target]
        if target in canonical and alias not in canonical:
            found[alias] = target
    return found


def label(name: str) -> str:
    """Return a zone's name as people read it: "America/Argentina/Buenos_Aires" -> "Argentina / Buenos Aires"."""
    return name.partition("/")[2].replace("_", " ").replace("/", " / ") or name


def time_zone_choices() -> list:
    """Return the choices of a time-zone select: "UTC", then the zones grouped by region (Africa, America, …)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in canonical_zones()[1:]:
        groups.setdefault(name.partition("/")[0], []).append((name, label(name)))
    return [(UTC, UTC), *groups.items()]


def refusal(name: object) -> str | None:
    """Return why ``name`` is not a zone a plant can be in, or None when it is one."""
    if isinstance(name, str) and name in canonical_zones():
        return None
    if isinstance(name, str) and name in aliases():
        return f"{name} is an old name for a time zone: choose {aliases()[name]}."
    return "Choose a time zone from the list, by its region and city, e.g. Europe/Berlin."
