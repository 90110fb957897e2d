from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People, agencies and access"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import facts
        from accounts.middleware import stamp_session_on_sign_in
        from accounts.roles import sync_role_groups

        user_logged_in.connect(stamp_session_on_sign_in, dispatch_uid="accounts.stamp_session_on_sign_in")
        facts.register()  # permissions and memberships, read with the person's other facts once per request
        # Every sign-in starts without the second factor given (unless the person needs none).
        from accounts.mfa import second_factor_start

        user_logged_in.connect(second_factor_start, dispatch_uid="accounts.second_factor_start")

        # Runs after every migrate (and test database flush), when all permissions exist.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
