from __future__ import annotations

from rest_framework import serializers

from branding.selectors import Look
from unison.api_fields import TextField


class BrandingSerializer(serializers.Serializer):
    accent_colour = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$", allow_blank=True, max_length=7, required=False,
        error_messages={"invalid": "Use a colour as #rrggbb, e.g. #0f766e."},
        help_text="#rrggbb that white text passes WCAG AA on; blank: Unison's blue")
    email_sender_name = TextField(allow_blank=True, max_length=60, required=False)
    logo_url = serializers.CharField(read_only=True, help_text="Path on this host; blank: no logo")
    logo_width = serializers.IntegerField(read_only=True, allow_null=True)
    logo_height = serializers.IntegerField(read_only=True, allow_null=True)
    applied = serializers.BooleanField(read_only=True, help_text="Whether the plan includes white labelling now")


class LogoUploadSerializer(serializers.Serializer):
    logo = serializers.FileField(help_text="PNG or JPEG, up to 1 MB, 32 to 4096 px a side; SVG is refused")


def branding_data(look: Look, *, applied: bool) -> dict:
    """Return the API's view of the look."""
    return {"accent_colour": look.accent_colour, "email_sender_name": look.email_sender_name,
            "logo_url": look.logo_url, "logo_width": look.logo_width, "logo_height": look.logo_height,
            "applied": applied}
