from django.urls import path

from branding import views

app_name = "branding"
urlpatterns = [
    path("settings/branding/", views.branding_page, name="page"),
    path("branding/logo/<str:name>", views.logo, name="logo"),
]
