from django.urls import path

from deletion import views

app_name = "deletion"
urlpatterns = [
    path("", views.deletion_page, name="page"),
    path("undo/", views.deletion_undo, name="undo"),
]
