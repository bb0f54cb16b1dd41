from django.contrib.sitemaps.views import sitemap
from django.urls import path

from marketing import views
from marketing.sitemaps import MarketingSitemap

app_name = "marketing"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("pricing/", views.pricing, name="pricing"),
    path("signup/", views.signup, name="signup"),
    path("signup/check-subdomain", views.signup_check_subdomain, name="signup_check_subdomain"),
    path("signin/", views.sign_in, name="sign_in"),
    path("signin/find/", views.workspace_find, name="workspace_find"),
    path("terms/", views.info_page, {"page": "terms"}, name="terms"),
    path("privacy/", views.info_page, {"page": "privacy"}, name="privacy"),
    path("contact/", views.info_page, {"page": "contact"}, name="contact"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": MarketingSitemap}}, name="sitemap"),
]
