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
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": MarketingSitemap}}, name="sitemap"),
]
