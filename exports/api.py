"""The export API: ``POST /api/v1/export`` starts one, ``GET`` follows it, and its download URL streams the zip.

Owners only (``exports.permissions``), on every plan, and while the workspace is read-only too.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from exports import selectors, services
from exports.permissions import CanExport
from exports.serializers import ExportSerializer, ExportStartSerializer, ExportStatusSerializer
from unison.api_errors import validated


class ExportView(APIView):
    permission_classes = [IsAuthenticated, CanExport]

    @extend_schema(responses=ExportStatusSerializer, summary="The newest export and its download URL")
    def get(self, request):
        """Return the workspace's newest export (status, progress, download URL once done), or null. Owners only."""
        latest = selectors.export_latest()
        return Response({"export": ExportSerializer(latest).data if latest else None})

    @extend_schema(request=None, responses={202: ExportStatusSerializer}, summary="Start an export of the workspace")
    def post(self, request):
        """Start a background export of the whole workspace; 409 while another export is queued or running."""
        validated(ExportStartSerializer, request.data)
        export = services.export_request(organization=request.tenant, user=request.user,
                                         impersonator=request.session.get("impersonator", ""))
        return Response({"export": ExportSerializer(export).data}, status=202)


class AnyAccept(DefaultContentNegotiation):
    """Answer in JSON whatever the Accept header asks: the zip itself is not rendered by DRF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportDownloadView(APIView):
    permission_classes = [IsAuthenticated, CanExport]
    content_negotiation_class = AnyAccept

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
                   summary="Download a finished export (a zip)")
    def get(self, request, pk: int):
        """Stream a finished export's zip; 409 while it is not done, 410 once its file was removed."""
        export, file = services.export_download(organization=request.tenant, user=request.user, export_id=pk,
                                                impersonator=request.session.get("impersonator", ""))
        name = f"{request.tenant.slug}-export-{export.finished_at:%Y-%m-%d}-{export.pk}.zip"
        return FileResponse(file, as_attachment=True, filename=name, content_type="application/zip")
