from django.urls import path

from domains import api

urlpatterns = [
    path("domains", api.DomainListView.as_view(), name="domains"),
    path("domains/<int:pk>", api.DomainDetailView.as_view(), name="domain"),
    path("domains/<int:pk>/verify", api.DomainVerifyView.as_view(), name="domain_verify"),
]
