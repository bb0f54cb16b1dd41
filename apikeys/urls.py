from django.urls import path

from apikeys import views

app_name = "apikeys"
urlpatterns = [
    path("", views.api_key_page, name="page"),
    path("<int:pk>/revoke/", views.api_key_revoke, name="revoke"),
]
