from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.decorators.cache import never_cache

from accounts import security_views, two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    # Never cached: they show a set-up key or recovery codes, once.
    path("two-factor/", never_cache(two_factor_views.verify), name="two_factor"),
    path("two-factor/set-up/", never_cache(two_factor_views.enrol), name="two_factor_setup"),
    path("two-factor/recovery-codes/", never_cache(two_factor_views.recovery_codes), name="recovery_codes"),
    path("security/", never_cache(security_views.security), name="security"),
    path("token/<str:signed>/", views.token_login, name="token_login"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
