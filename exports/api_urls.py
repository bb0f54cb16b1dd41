from django.urls import path

from exports import api

urlpatterns = [
    path("export", api.ExportView.as_view(), name="export"),
    path("export/<int:pk>/download", api.ExportDownloadView.as_view(), name="export_download"),
]
