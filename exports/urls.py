from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_page, name="page"),
]
