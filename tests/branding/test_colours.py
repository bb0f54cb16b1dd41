"""Accent colours: parsed, refused below WCAG AA for white text with a shade that passes, shades that keep AA."""

from __future__ import annotations

import itertools

import pytest

from branding.colours import AA, colour_parse, contrast, darker_passing, shades
from branding.services import accent_colour_clean
from unison.errors import ApplicationError


@pytest.mark.parametrize("value, parsed", [("#1F56E0", "#1f56e0"), ("1f56e0", "#1f56e0"), ("#abc", "#aabbcc"),
                                           (" #123456 ", "#123456"), ("blue", None), ("#12345", None), ("#ggg", None)])
def test_colours_are_parsed_as_hex(value, parsed):
    assert colour_parse(value) == parsed


def test_contrast_is_wcags():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes AA


def test_unisons_own_blue_passes():
    assert accent_colour_clean("#1f56e0") == "#1f56e0"


def test_a_colour_white_text_fails_on_is_refused_with_the_nearest_darker_shade_that_passes():
    with pytest.raises(ApplicationError) as refused:
        accent_colour_clean("#7fb2ff")
    error = refused.value
    assert error.field == "accent_colour" and "4.5:1" in error.message
    suggestion = error.extra["suggestion"]
    assert suggestion in error.message and contrast(suggestion, "#ffffff") >= AA
    assert accent_colour_clean(suggestion) == suggestion


@pytest.mark.parametrize("value", ["#ffffff", "#ffff00", "#00ff00", "#aaaaaa"])
def test_light_colours_are_refused(value):
    with pytest.raises(ApplicationError):
        accent_colour_clean(value)


def test_darker_passing_leaves_a_passing_colour_alone():
    assert darker_passing("#1f56e0") == "#1f56e0"


def test_every_passing_accent_keeps_its_text_shades_at_aa():
    """Links (700 on white), the badge and active menu item (700 and 800 on the 50) pass wherever the accent does."""
    checked = 0
    for r, g, b in itertools.product(range(0, 256, 51), repeat=3):
        colour = f"#{r:02x}{g:02x}{b:02x}"
        if contrast(colour, "#ffffff") < AA:
            continue
        checked += 1
        made = shades(colour)
        assert made[600] == colour
        assert contrast(made[700], "#ffffff") >= AA and contrast(made[700], made[50]) >= AA, colour
        assert contrast(made[800], made[50]) >= AA, colour
    assert checked > 20
