"""The registry of record kinds: one entry per kind, filled by the record apps at start-up.

Each record app registers its kind from its ``AppConfig.ready()``::

    def ready(self):
        from burden.records.registry import Kind, register

        from .models import Meeting

        register(Kind(model=Meeting, pages="meetings.views.config"))

Everything in the core that loops over the kinds, or turns a ``record_kind`` code into
a model, reads it (``kinds()``, ``kind_for()``, ``model_for()``, ``record_models()``)
instead of keeping a list of its own. The kinds come in the order of ``INSTALLED_APPS``.

Registration is open only while Django loads the apps: once every ``ready()`` has run
(``apps.ready``), ``register`` refuses, as NetBox's registry refuses new stores, so no
import order or late module can add a kind halfway through a request. Reading it
before then fails too, rather than answer with the kinds registered so far.

This module imports no view, form or model of the project: the pages of a kind (its
``burden.record_views.RecordConfig``) are named by a dotted path and imported only
when asked for (``Kind.page_config``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class UnknownKind(LookupError):
    """A ``record_kind`` code no record app registered."""

    def __init__(self, code: str):
        self.code = code
        known = ", ".join(_KINDS) or "none"
        super().__init__(f"No kind of record is registered as {code!r} (registered: {known}).")


class RegistryClosed(RuntimeError):
    """Registering after start-up, or reading before it ended."""


@dataclass(frozen=True)
class Kind:
    """What the core knows about one kind of record.

    Only ``model`` is required; the code and labels come from it. The optional fields
    are the hooks the rest of the core can read; a field left empty means the kind
    does not take part in that feature (or, for ``pages``, has no browser pages).
    """

    #: The record model (a ``burden.records.BaseRecord``); its ``record_kind`` is the code.
    model: type
    #: Dotted path of the kind's ``burden.record_views.RecordConfig`` (list columns, form,
    #: filters, ledger columns, icon): imported on first use, so the registry loads no views.
    pages: str = ""
    #: Dotted path of the app's URLconf (``app_name`` and ``urlpatterns = config.urls()``):
    #: ``burden/urls.py`` includes it under ``url_path``.
    urls: str = ""
    #: Where the kind's pages live (``/<url_prefix>/``); the app's label when left empty.
    url_prefix: str = ""
    #: Dotted path of the app's API ``ROUTES`` (prefix, viewset, basename): the API's
    #: router (``burden/api/urls.py``) registers them.
    api_routes: str = ""
    #: Dotted path of the demo generator, ``demo_records(context) -> int`` (``burden.demo_records``).
    demo: str = ""
    #: Anything else a later feature wants to hang on a kind, by name.
    extra: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The short name the API, the rules, violations and roll-ups use (``meeting``...)."""
        return self.model.record_kind

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self):
        """The singular name, in the active language (lazy)."""
        return self.model._meta.verbose_name

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural

    @property
    def title(self) -> str:
        """The plural name as a heading or an option reads it ("Meetings"), in the active language."""
        return capfirst(self.label_plural)

    @property
    def url_path(self) -> str:
        """The first part of the kind's page addresses, without slashes (``meetings``, ``data-requests``)."""
        return self.url_prefix or self.app_label

    def url_name(self, action: str) -> str:
        """The name of one of the kind's pages (``<app>:<model>_<action>``, as ``RecordConfig.urls`` names them)."""
        return f"{self.app_label}:{self.model_name}_{action}"

    @property
    def page_config(self):
        """The kind's ``RecordConfig`` (imports its views module on first use)."""
        if not self.pages:
            raise ImproperlyConfigured(f"The kind {self.code!r} declares no pages.")
        return import_string(self.pages)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add ``kind``; call it from the record app's ``AppConfig.ready()``.

    Refuses a kind without a code, a code registered twice, and any registration once
    the apps have finished loading.
    """
    if apps.ready:
        raise RegistryClosed(
            f"The kind {kind.model.__name__} was registered after start-up; register it from its app's ready()."
        )
    code = kind.code
    if not code:
        raise ImproperlyConfigured(f"{kind.model.__name__} sets no record_kind.")
    if code in _KINDS and _KINDS[code].model is not kind.model:
        raise ImproperlyConfigured(
            f"The kind {code!r} is registered twice ({_KINDS[code].model.__name__}, {kind.model.__name__})."
        )
    _KINDS[code] = kind
    return kind


def _read() -> dict[str, Kind]:
    if not apps.ready:
        raise RegistryClosed("The kinds of record are read before every app has registered its own.")
    return _KINDS


def kinds() -> list[Kind]:
    """Every registered kind, in the order of ``INSTALLED_APPS``."""
    return list(_read().values())


def kind_for(code: str) -> Kind:
    """The kind registered as ``code``; ``UnknownKind`` (a ``LookupError``) if none is."""
    try:
        return _read()[code]
    except KeyError:
        raise UnknownKind(code) from None


def model_for(code: str) -> type:
    """The record model of ``code``; ``UnknownKind`` if no app registered it."""
    return kind_for(code).model


def is_kind(code: str) -> bool:
    return code in _read()


def record_models() -> dict[str, type]:
    """record_kind -> model, for every kind of record."""
    return {code: kind.model for code, kind in _read().items()}


def choices() -> list[tuple[str, str]]:
    """(code, title) of every kind, in order: the choices of a form's or a filter's kind field."""
    return [(code, kind.title) for code, kind in _read().items()]


def title_for(code: str) -> str:
    """The title of the kind ``code`` ("Meetings"), or the code itself for a kind no app registers (any more)."""
    kind = _read().get(code)
    return kind.title if kind else code


def validate_code(value: str) -> None:
    """Validator of a model field holding a ``record_kind``: the registered kinds are its choices.

    Used instead of ``choices=`` so that adding a kind changes no column and needs no migration.
    """
    if value not in _read():
        raise ValidationError(
            _("Value %(value)r is not a valid choice."), code="invalid_choice", params={"value": value}
        )
