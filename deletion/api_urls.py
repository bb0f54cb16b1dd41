from django.urls import path

from deletion import api

urlpatterns = [
    path("deletion", api.DeletionView.as_view(), name="deletion"),
]
