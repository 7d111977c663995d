"""Log lines: one JSON object a line in production, a readable line in development.

``LOGGING`` (burden/settings.py) puts ``RequestContextFilter`` on the console handler, so
every record that reaches it, from any logger, says which request (``request_id``), which
user and, on the worker, which task it belongs to (``burden.requestid``). ``LOG_FORMAT``
picks the formatter: ``json`` (the default with DEBUG off: what a log collector reads) or
``text`` (the default with DEBUG on). Both are the standard library's, nothing to install.

A JSON line holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
``request_id``, ``user`` (the user's id, once the request knew who it was), ``task`` and
``task_id`` (on the worker), ``exception`` (the traceback, when there is one) and any plain
``extra`` a caller passed (numbers, strings, booleans), e.g. Django's ``status_code``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.utils.functional import SimpleLazyObject, empty

from . import requestid

# Attributes every LogRecord has: the rest of a record's attributes are a caller's ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_CONTEXT = ("request_id", "user", "task", "task_id")


def _user_id(request):
    """The id of the request's user when something already asked who it is; never a query of its own.

    The session's user is loaded lazily (``AuthenticationMiddleware``) and kept in
    ``_cached_user``; the API's authentication sets ``request.user`` itself.
    """
    if request is None:
        return None
    user = getattr(request, "_cached_user", None)
    if user is None:
        user = request.__dict__.get("user")
        if isinstance(user, SimpleLazyObject):
            user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestContextFilter(logging.Filter):
    """Add ``request_id``, ``user``, ``task`` and ``task_id`` to a record (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = requestid.current()
        record.request_id = (context.request_id or None) if context else None
        record.user = _user_id(context.request) if context else None
        record.task = (context.task or None) if context else None
        record.task_id = (context.task_id or None) if context else None
        return True


def _plain(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: see the module's docstring for its fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT:
            entry[name] = getattr(record, name, None)
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry and _plain(value):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger [request_id user] message``: for a developer's terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(context)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [getattr(record, "request_id", None) or "-"]
        if getattr(record, "user", None) is not None:
            parts.append(f"user={record.user}")
        if getattr(record, "task", None):
            parts.append(record.task)
        record.context = " ".join(parts)
        return super().format(record)
