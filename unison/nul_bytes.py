"""Refuse a request with a NUL character in its path, query string or form fields: a 400 before any view.

PostgreSQL cannot hold or compare text with a NUL in it, so such a value ends in a server error wherever
it reaches the database (a search box, an admin list filter, a form field). No one types one; refusing
it once, here, covers every page, API and console filter. Bodies sent to /api/ are left to DRF (its
CharField refuses NUL and names the field).
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "Null characters are not allowed."


def nul_parameter(request) -> str | None:
    """Return the name of the first query parameter or form field with a NUL in its name or value
    ("path" for the path itself), or None when there is none."""
    if NUL in request.path:
        return "path"
    sources = [request.GET]
    # Bodies of the API stay DRF's to parse: reading a multipart body here would leave DRF an empty one.
    if request.method == "POST" and request.content_type in FORM_TYPES and not request.path.startswith("/api/"):
        try:
            sources.append(request.POST)
        except MultiPartParserError:
            pass  # a body that is not multipart at all: the view refuses it as it would without us
    for parameters in sources:
        for name, values in parameters.lists():
            if NUL in name or any(NUL in value for value in values):
                return name
    return None


class NulByteMiddleware:
    """Answer 400 to a request ``nul_parameter`` finds a NUL in: JSON naming it under /api/, else text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = nul_parameter(request)
        if name is None:
            return self.get_response(request)
        shown = name.replace(NUL, "\\0")
        if request.path.startswith("/api/"):
            return JsonResponse({shown: [MESSAGE]}, status=400)
        return HttpResponseBadRequest(f"{shown}: {MESSAGE}", content_type="text/plain; charset=utf-8")
