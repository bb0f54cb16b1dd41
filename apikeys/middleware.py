"""Audit every write call made with an API key, once answered (its status included)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS

from apikeys.authentication import key_of
from apikeys.services import api_key_write_record


class APIKeyWriteAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = key_of(request) if request.method not in SAFE_METHODS else None
        if key is not None:
            api_key_write_record(organization=request.tenant, key=key, method=request.method, path=request.path,
                                 status=response.status_code)
        return response
