from django.urls import path

from accounts import oidc, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    # The second step of signing in, and the person's own two-factor settings (accounts/mfa.py).
    path("two-factor/", views.second_factor, name="second_factor"),
    path("two-factor/recovery-code/", views.recovery_code, name="recovery_code"),
    path("two-factor/set-up/", views.second_factor_setup, name="second_factor_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("security/", views.security, name="security"),
    path("security/new-recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
    path("security/new-authenticator/", views.authenticator_replace, name="authenticator_replace"),
    # Forgotten password: a one-time link by e-mail; it never signs anyone in.
    path("password-reset/", views.ForgottenPasswordView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.ForgottenPasswordSentView.as_view(), name="password_reset_sent"),
    path("password-reset/done/", views.NewPasswordSetView.as_view(), name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>/", views.NewPasswordView.as_view(), name="password_reset_confirm"),
    # Sign-in with an agency's identity provider (accounts/oidc.py); the callback is the same for every provider.
    path("oidc/<slug:slug>/start/", oidc.OidcStartView.as_view(), name="oidc_start"),
    path("oidc/callback/", oidc.OidcCallbackView.as_view(), name="oidc_callback"),
    # The invitation link: the invited person sets their own password (accounts/invitations.py).
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation"),
]
