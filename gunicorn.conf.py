"""gunicorn's settings for the web process, from the environment (``make prod``, the Dockerfile).

gunicorn reads this file from the working directory by itself: ``gunicorn`` with no
other argument serves the app. Every value has a default that suits one host; the
variables are listed in ``.env.example``.
"""

import multiprocessing
import os


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise SystemExit(f"{name}={value} must be at least {minimum}.")
    return value


wsgi_app = "burden.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes times threads is how many requests are served at once. Threads (gthread
# workers) cover the time a request waits on PostgreSQL; processes cover the CPUs.
workers = _whole_number("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _whole_number("GUNICORN_THREADS", 4)
worker_class = "gthread"

# A request that runs longer than this is killed and its worker replaced. Long work
# (imports, large reports, rule re-applications) runs on the Celery worker, not here.
timeout = _whole_number("GUNICORN_TIMEOUT", 60)
graceful_timeout = _whole_number("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _whole_number("GUNICORN_KEEPALIVE", 5)
# A worker is replaced after this many requests (with jitter, so not all at once), which
# bounds how much any slow leak can grow; 0 turns it off.
max_requests = _whole_number("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = max_requests // 10

# Both logs to the standard streams, for the process manager or the container to keep.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The response's X-Request-ID last: the same id as the app's own lines for the request.
access_log_format = '%(h)s - %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'

# gunicorn's control socket lives at one path per user ($HOME/.gunicorn/gunicorn.ctl), so
# two servers on one host would take each other's; nothing here uses it.
control_socket_disable = True
# The heartbeat files of the workers: in memory where there is a /dev/shm (containers
# often mount /tmp on a slow disk, which makes healthy workers look stuck).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
