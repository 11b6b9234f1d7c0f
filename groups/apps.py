from django.apps import AppConfig


class GroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "groups"
    verbose_name = "Mutual aid directory"

    def ready(self):
        from groups import checks, signals

        checks.register()

        signals.connect()
