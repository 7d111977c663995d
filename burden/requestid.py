"""One id per request, on every log line the request causes, in the web process and on the worker.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) gives each request an id: the one a proxy
of ours sent in ``X-Request-ID`` when ``REQUEST_ID_TRUST_HEADER`` is on and the value is
short and plain (``VALID``), else a new random one. The id is ``request.request_id``, the
response's ``X-Request-ID`` header and, through a context variable that
``burden.logs.RequestContextFilter`` reads, a field of every log record written while the
request is served. A task queued during the request carries the id in a message header
(``burden.queueing``); the worker restores it for the task's run (``task_started`` /
``task_finished``, connected in ``burden.celery``), so the web's lines and the worker's
lines of one request share an id. The 500 page shows it, for people to quote.

A client's own ``X-Request-ID`` is only trusted behind a proxy of ours that sets (or
overwrites) it: otherwise anyone could give their requests another request's id.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

HEADER = "X-Request-ID"
# Celery message header: named for this project, so no other library's header is taken for it.
TASK_HEADER = "burden_request_id"
# Short and plain: letters, digits and . _ : - (what UUIDs, nginx's $request_id and the
# load balancers' trace ids are made of), so a header can never forge a log line or a field.
VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


@dataclass(frozen=True)
class Context:
    """What the log lines of the work in hand say about it: its request, and its task on a worker."""

    request_id: str  # "" for a task no request sent (beat's, a command's)
    request: object = None  # the HttpRequest being served, for the user once someone asked who it is
    task: str = ""
    task_id: str = ""


_current: ContextVar[Context | None] = ContextVar("burden_request_context", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def valid(value) -> bool:
    return isinstance(value, str) and VALID.fullmatch(value) is not None


def current() -> Context | None:
    """The request (or the task sent by one) being handled in this thread, or None."""
    return _current.get()


def current_id() -> str | None:
    context = _current.get()
    return context.request_id if context else None


def incoming_id(request) -> str:
    """The proxy's id for this request when it is trusted and well-formed, else a new one."""
    if getattr(settings, "REQUEST_ID_TRUST_HEADER", False):
        offered = request.headers.get(HEADER, "")
        if valid(offered):
            return offered
    return new_id()


class RequestIdMiddleware:
    """Give the request its id for its whole way through the other middleware and the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_id(request)
        token = _current.set(Context(request.request_id, request=request))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response.headers[HEADER] = request.request_id
        return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's 500 view, with the request's id on the page for people to quote to support.

    Still rendered without a request context: nothing from the database or the session,
    which may be what failed.
    """
    from django.http import HttpResponseServerError

    request_id = getattr(request, "request_id", None) or current_id() or ""
    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"request_id": request_id}))


# --- Celery: the id travels with the task ------------------------------------------------


def task_headers() -> dict:
    """The message headers that carry this request's id to the worker (none outside a request)."""
    request_id = current_id()
    return {TASK_HEADER: request_id} if request_id else {}


def task_started(task_id=None, task=None, **extra) -> None:
    """On the worker, before a task runs: its lines carry the id of the request that sent it."""
    request = getattr(task, "request", None)
    if getattr(request, "is_eager", False):
        return  # run in the sending process, whose context (a request's, or none) stays as it is
    offered = getattr(request, TASK_HEADER, None) or ((getattr(request, "headers", None) or {}).get(TASK_HEADER))
    _current.set(
        Context(
            offered if valid(offered) else "",  # "": sent by beat or a command, not by a request
            task=getattr(task, "name", "") or "",
            task_id=task_id or "",
        )
    )


def task_finished(task=None, **extra) -> None:
    """After a task on the worker: the next one starts with no request of its own."""
    request = getattr(task, "request", None)
    if getattr(request, "is_eager", False):
        return
    _current.set(None)
