from django.urls import path

from apikeys import api

urlpatterns = [
    path("api-keys", api.APIKeyListView.as_view(), name="api_keys"),
    path("api-keys/<int:pk>/revoke", api.APIKeyRevokeView.as_view(), name="api_key_revoke"),
]
