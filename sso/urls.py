from django.urls import path
from django.views.decorators.cache import never_cache

from sso import views

app_name = "sso"
urlpatterns = [
    path("settings/sso/", never_cache(views.settings_page), name="settings"),
    path("sso/start/", never_cache(views.start), name="start"),
    path("sso/oidc/callback/", never_cache(views.oidc_callback), name="oidc_callback"),
    path("sso/saml/acs/", never_cache(views.saml_acs), name="saml_acs"),
    path("sso/saml/metadata/", views.saml_metadata, name="saml_metadata"),
]
