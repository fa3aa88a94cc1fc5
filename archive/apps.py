from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Forum archive")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .cache import bump_content_version
        from .services.history import register_models

        # Versioned history (django-reversion). modeltranslation, earlier in INSTALLED_APPS, has
        # added the language columns by now, so every version holds all three languages.
        register_models()

        # Any change to an archive record makes every cached public page stale.
        for model in self.get_models():
            uid = f"archive-cache-{model._meta.model_name}"
            post_save.connect(bump_content_version, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(bump_content_version, sender=model, dispatch_uid=uid + "-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    bump_content_version,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}-{field.name}",
                )

        # The participants' and organizations' `is_public` columns follow every write
        # (archive/services/visibility.py).
        from .services import visibility

        visibility.connect()
