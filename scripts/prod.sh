#!/usr/bin/env bash
# Production on one host, as `make prod` runs it: migrate, collect the static files, then
# a Celery worker, Celery beat and gunicorn (gunicorn.conf.py) on the configured
# DATABASE_URL and REDIS_URL. The three run until one of them stops or this script is told
# to stop (Ctrl+C, SIGTERM); then the others are stopped too and the exit code is non-zero.
# A process manager (systemd, the compose.yaml services) can run the three on their own
# instead: `gunicorn`, `celery -A burden worker`, `celery -A burden beat`.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?make prod serves PostgreSQL: set DATABASE_URL (see the README, Production)}"
: "${REDIS_URL:?make prod runs a worker and beat: set REDIS_URL (see the README, Production)}"
BIN=.venv/bin

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0   # hashed files for WhiteNoise when DEBUG=False

pids=()
stop_all() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait || true
}
trap stop_all EXIT
trap 'exit 143' INT TERM

"$BIN/celery" -A burden worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}" --hostname="worker-$$@%h" &
pids+=($!)
"$BIN/celery" -A burden beat --loglevel=INFO --pidfile= &
pids+=($!)
"$BIN/gunicorn" &
pids+=($!)

# The first of the three to stop ends the others: a half-running site is worse than a stopped one.
set +e
wait -n
status=$?
echo "prod.sh: a process stopped (exit code $status); stopping the others" >&2
exit $((status == 0 ? 1 : status))
