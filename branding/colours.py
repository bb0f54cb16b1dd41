"""Accent colours and WCAG contrast: white text on the accent must reach AA (4.5:1).

A colour below that is refused, and the refusal offers the nearest darker shade of it that passes.
The theme's other accent shades are made from the accent: lighter ones are only backgrounds, darker
ones (700, 800) carry text on white and on the lightest shade, and are darker than the accent itself.
"""

from __future__ import annotations

import re

AA = 4.5
WHITE = (255, 255, 255)
HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# Shade -> (what to mix in, how much of it): the same steps as the theme's own accent.
SHADES = {50: (WHITE, 0.94), 100: (WHITE, 0.88), 200: (WHITE, 0.72), 500: (WHITE, 0.18), 600: (WHITE, 0.0),
          700: ((0, 0, 0), 0.2), 800: ((0, 0, 0), 0.38)}

RGB = tuple[int, int, int]


def colour_parse(value: str) -> str | None:
    """Return ``value`` as ``#rrggbb`` (from ``#rgb`` or ``#rrggbb``, the ``#`` optional), else None."""
    match = HEX.fullmatch(value.strip())
    if not match:
        return None
    digits = match.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


def _rgb(colour: str) -> RGB:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """Return the WCAG relative luminance of ``#rrggbb``."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(colour: str, other: RGB, amount: float) -> str:
    """Return ``colour`` with ``amount`` (0 to 1) of ``other`` mixed in."""
    return _hex(tuple(c + (o - c) * amount for c, o in zip(_rgb(colour), other, strict=True)))


def darker_passing(colour: str) -> str:
    """Return the lightest darker shade of ``colour`` that white text passes AA on (the colour if it does)."""
    for step in range(21):
        shade = mix(colour, (0, 0, 0), step / 20)
        if contrast(shade, "#ffffff") >= AA:
            return shade
    return "#000000"


def shades(colour: str) -> dict[int, str]:
    """Return the theme's accent shades (50 to 800) made from the accent, which is the 600."""
    return {shade: mix(colour, other, amount) for shade, (other, amount) in SHADES.items()}
