from django.urls import path

from shopfloor import views

app_name = "shopfloor"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
