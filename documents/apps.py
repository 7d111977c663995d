from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Documents the unit received: kind, length, supplementary chains and deadlines."""

    name = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core reads its kinds from the registry; this app's kind is known once it is here.
        from burden.records.registry import Kind, register

        from .models import Document

        register(
            Kind(
                model=Document,
                pages="documents.views.config",
                urls="documents.urls",
                api_routes="documents.api.ROUTES",
                demo="documents.demo.demo_records",
            )
        )
