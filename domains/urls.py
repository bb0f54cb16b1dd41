from django.urls import path

from domains import views

app_name = "domains"
urlpatterns = [
    path("", views.domain_page, name="page"),
    path("<int:pk>/verify/", views.domain_verify, name="verify"),
    path("<int:pk>/remove/", views.domain_remove, name="remove"),
]
