"""The design system's template pieces: ``{% load ui %}``.

- ``{% icon "plants" %}``: an inline SVG icon (drawn for Unison; 24 px grid, stroke in the text colour).
- ``{% nav_link "/plants/" "Plants" "plants" %}``: a navigation item, marked ``aria-current="page"`` when active.
- ``{% field form.email %}``: label, input, help and error under it (``aria-invalid``, ``aria-describedby``).
- ``{% component "ui/card.html" title="Plants" %}…{% endcomponent %}``: a partial with a slot.
"""

from __future__ import annotations

from django import forms, template
from django.template.base import token_kwargs
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Paths on a 24 × 24 grid, drawn with a 1.75 px round stroke.
ICONS = {
    "dashboard": '<rect x="3.5" y="3.5" width="7" height="8" rx="1.5"/><rect x="13.5" y="3.5" width="7" height="5" rx="1.5"/>'
                 '<rect x="13.5" y="11.5" width="7" height="9" rx="1.5"/><rect x="3.5" y="14.5" width="7" height="6" rx="1.5"/>',
    "work_orders": '<rect x="5" y="4.5" width="14" height="16" rx="2"/><path d="M9 3.5h6v2.5H9z"/>'
                   '<path d="M8.5 11h7M8.5 14.5h7M8.5 18h4"/>',
    "materials": '<path d="M12 3 3.75 7.5v9L12 21l8.25-4.5v-9L12 3Z"/><path d="M3.75 7.5 12 12l8.25-4.5M12 12v9"/>',
    "ncrs": '<path d="M10.3 4.4 2.9 17.6A2 2 0 0 0 4.6 20.5h14.8a2 2 0 0 0 1.7-2.9L13.7 4.4a2 2 0 0 0-3.4 0Z"/>'
            '<path d="M12 9.5v4.5M12 17.25v.01"/>',
    "plants": '<path d="M3 20.5V10l5 3v-3l5 3v-3l5 3V3.5h3v17H3Z"/><path d="M7 17h1.5M11.5 17H13M16 17h1.5"/>',
    "team": '<circle cx="9" cy="8" r="3.5"/><path d="M2.75 20c.6-3.5 3.1-5.5 6.25-5.5s5.65 2 6.25 5.5"/>'
            '<path d="M15.5 4.75a3.5 3.5 0 0 1 0 6.5M18 14.75c1.7.75 2.85 2.5 3.25 5.25"/>',
    "billing": '<rect x="2.75" y="5" width="18.5" height="14" rx="2"/><path d="M2.75 10h18.5M6.5 15h4"/>',
    "lock": '<rect x="4.5" y="10.5" width="15" height="10" rx="2"/><path d="M8 10.5v-3a4 4 0 0 1 8 0v3"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.75v.01"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "sign_out": '<path d="M14.5 4H18a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3.5M10 16.5 5.5 12 10 7.5M5.5 12h10"/>',
    "empty": '<path d="M3 13h5l1.5 3h5l1.5-3h5"/><path d="M5.6 5h12.8L21 13v5.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5V13l2.6-8Z"/>',
    "arrow_right": '<path d="M5 12h14M13 6l6 6-6 6"/>',
    "check": '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
    "key": '<circle cx="8" cy="15" r="4.25"/><path d="m11 12 8.5-8.5M16.5 6.5l2.5 2.5M14 9l2 2"/>',
    "brand": '<path d="M4 20.5c2.5 0 4.5-1.5 4.5-4a2.5 2.5 0 0 0-5 0c0 1.5-.5 2.5-1.5 3 .5.6 1.2 1 2 1Z"/>'
             '<path d="m10.5 13.5 9.25-9.25a1.77 1.77 0 0 0-2.5-2.5L8 11"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.5 3.75 5.5 3.75 9S14.5 18.5 12 21'
             'M12 3C9.5 5.5 8.25 8.5 8.25 12S9.5 18.5 12 21"/>',
}


@register.simple_tag
def icon(name: str, css: str = "icon"):
    """Return the named icon as inline SVG, hidden from assistive technology (its text says it)."""
    return format_html(
        '<svg class="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.75" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        css, mark_safe(ICONS[name]),  # noqa: S308 - our own constant markup
    )


def nav_active(path: str, href: str) -> bool:
    """Return whether ``href`` is the section ``path`` is in: the dashboard only at "/", others by prefix."""
    return path == href if href == "/" else path.startswith(href)


@register.simple_tag(takes_context=True)
def nav_link(context, href: str, label: str, icon_name: str):
    """Return one navigation item, with its icon, marked current when the page is in its section."""
    request = context.get("request")
    current = ' aria-current="page"' if request is not None and nav_active(request.path, href) else ""
    return format_html('<li><a href="{}"{}>{}<span>{}</span></a></li>', href, mark_safe(current), icon(icon_name), label)


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def empty_label_for(bound: forms.BoundField) -> str:
    """Return what an empty choice says instead of Django's "---------": "Choose a plant", "No lane"."""
    noun = str(bound.label).lower()
    return f"Choose {_article(noun)} {noun}" if bound.field.required else f"No {noun}"


def _replace_dashes(bound: forms.BoundField) -> None:
    """Give the field's empty choice a meaningful label (on this form's own copy of the field)."""
    field = bound.field
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == "---------":
            field.empty_label = empty_label_for(bound)
    elif isinstance(field, forms.ChoiceField) and not isinstance(field.widget, forms.RadioSelect):
        choices = list(field.choices)
        if any(value == "" and label == "---------" for value, label in choices):
            field.choices = [(value, empty_label_for(bound) if value == "" and label == "---------" else label)
                             for value, label in choices]


@register.simple_tag
def field(bound: forms.BoundField, suffix: str = "", label: str = ""):
    """Render a form field: label, input (the typed value kept), help, and its error under it."""
    _replace_dashes(bound)
    widget_type = bound.widget_type
    return render_to_string("ui/field.html", {
        "field": bound,
        "label": label or bound.label,
        "suffix": suffix,
        "is_check": widget_type == "checkbox",
        "describedby": bound.aria_describedby if bound.use_fieldset else "",
    })


class ComponentNode(template.Node):
    def __init__(self, template_name, kwargs, nodelist):
        self.template_name, self.kwargs, self.nodelist = template_name, kwargs, nodelist

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        slot = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine
        partial = context.template.engine.get_template(self.template_name.resolve(context))
        with context.push(**values, slot=slot):
            return partial.render(context)


@register.tag
def component(parser, token):
    """``{% component "ui/card.html" title="Plants" %}body{% endcomponent %}``: the body is ``slot``."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("component needs a template name")
    template_name = parser.compile_filter(bits[1])
    remaining = bits[2:]
    kwargs = token_kwargs(remaining, parser)
    if remaining:
        raise template.TemplateSyntaxError(f"component takes keyword arguments only, not {remaining[0]!r}")
    nodelist = parser.parse(("endcomponent",))
    parser.delete_first_token()
    return ComponentNode(template_name, kwargs, nodelist)
