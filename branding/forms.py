from __future__ import annotations

from django import forms

from branding import logos


class BrandingForm(forms.Form):
    accent_colour = forms.CharField(
        max_length=7, required=False, label="Accent colour",
        widget=forms.TextInput(attrs={"placeholder": "#1f56e0", "autocomplete": "off", "spellcheck": "false"}),
        help_text="Buttons, links and the active menu item, as #rrggbb. White text on it must reach WCAG AA "
                  "(4.5:1); a lighter colour is refused with the nearest shade that passes. Blank: Unison's blue.")
    email_sender_name = forms.CharField(
        max_length=60, required=False, label="E-mail sender name",
        help_text="Shown as the sender of this workspace's e-mails (the address stays ours).")
    logo = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=f"PNG or JPEG, up to {logos.MAX_BYTES // 1024} KB, {logos.MIN_SIDE} to {logos.MAX_SIDE} px a "
                  "side. SVG is not accepted. Shown in the menu and at the top of e-mails.")
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
