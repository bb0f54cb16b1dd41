from django.urls import path

from marketing import api

urlpatterns = [
    path("signup", api.SignupView.as_view(), name="signup"),
]
