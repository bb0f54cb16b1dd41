from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/token", api.TokenObtainView.as_view(), name="token"),
    path("auth/me", api.MeView.as_view(), name="me"),
    path("auth/token/refresh", api.TokenRefreshTenantView.as_view(), name="token_refresh"),
]
