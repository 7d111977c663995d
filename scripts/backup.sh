#!/usr/bin/env bash
# Backups of the database, and their restore (`make backup`, `make restore FILE=…`; docs/operations.md).
#
#   scripts/backup.sh                  back up the configured database (DATABASE_URL, or the checkout's SQLite)
#   scripts/backup.sh restore FILE     restore FILE into the configured database
#
# PostgreSQL: `pg_dump -Fc` (one consistent snapshot, taken while the site runs) and
# `pg_restore`. SQLite: SQLite's online backup (the same as the shell's `.backup`: a
# consistent copy while the site writes), through Python's sqlite3, which every install has.
# The file is written as BACKUP_DIR/burden-<UTC time>.dump (or .sqlite3) under a temporary
# name first, so a backup that failed half-way never looks like one; then all but the
# newest BACKUP_KEEP backups in BACKUP_DIR are deleted (0 keeps every one).
#
# A restore refuses a database that already holds tables unless FORCE=1, which replaces
# what is there: stop the web, the worker and beat first. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-.venv/bin/python}"
BACKUP_DIR="${BACKUP_DIR:-backups}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
FORCE="${FORCE:-0}"

die() {
    echo "backup.sh: $*" >&2
    exit 1
}

case "$BACKUP_KEEP" in
'' | *[!0-9]*) die "BACKUP_KEEP=$BACKUP_KEEP is not a whole number (0 keeps every backup)." ;;
esac

# The database the app itself would use, as burden/settings.py reads it (DATABASE_URL, .env,
# the embedded default): its engine and where it is, as shell assignments. Only lines that
# start with BACKUP_DB_ are taken, so nothing else printed at start-up can get in.
read_target() {
    local assignments
    assignments="$("$PY" manage.py shell --no-imports -c '
import shlex
from django.conf import settings
db = settings.DATABASES["default"]
engine = db["ENGINE"].rsplit(".", 1)[-1]
values = {"ENGINE": engine, "NAME": str(db["NAME"])}
if engine == "postgresql":
    values.update(HOST=db.get("HOST") or "", PORT=str(db.get("PORT") or ""), USER=db.get("USER") or "",
                  PASSWORD=db.get("PASSWORD") or "")
for key, value in values.items():
    print(f"BACKUP_DB_{key}={shlex.quote(value)}")
')" || die "could not read the database settings (see the error above)."
    eval "$(grep -E '^BACKUP_DB_[A-Z]+=' <<<"$assignments")"
    case "${BACKUP_DB_ENGINE:-}" in
    postgresql)
        # libpq's own variables, so the password never shows in a process list; unset ones keep libpq's defaults.
        export PGDATABASE="$BACKUP_DB_NAME"
        if [ -n "$BACKUP_DB_HOST" ]; then export PGHOST="$BACKUP_DB_HOST"; fi
        if [ -n "$BACKUP_DB_PORT" ]; then export PGPORT="$BACKUP_DB_PORT"; fi
        if [ -n "$BACKUP_DB_USER" ]; then export PGUSER="$BACKUP_DB_USER"; fi
        if [ -n "$BACKUP_DB_PASSWORD" ]; then export PGPASSWORD="$BACKUP_DB_PASSWORD"; fi
        ;;
    sqlite3) ;;
    *) die "no backup for the database engine '${BACKUP_DB_ENGINE:-?}': PostgreSQL and SQLite only." ;;
    esac
}

# sqlite_copy FROM TO [file]: SQLite's online backup of FROM into TO, then an integrity check of TO.
# With "file", TO is made a file that stands alone (no write-ahead log beside it), as a backup must.
sqlite_copy() {
    "$PY" - "$1" "$2" "${3:-}" <<'PYTHON'
import contextlib
import pathlib
import sqlite3
import sys

source, target, standalone = sys.argv[1:4]
read_only = pathlib.Path(source).resolve().as_uri() + "?mode=ro"
with (
    contextlib.closing(sqlite3.connect(read_only, uri=True)) as src,
    contextlib.closing(sqlite3.connect(target)) as dst,
):
    src.backup(dst)
    if standalone:
        dst.execute("PRAGMA journal_mode=DELETE")
    (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
if verdict != "ok":
    sys.exit(f"backup.sh: {target} failed SQLite's integrity check: {verdict}")
PYTHON
}

backup() {
    read_target
    mkdir -p "$BACKUP_DIR"
    local stamp extension file partial n=1
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    extension=$([ "$BACKUP_DB_ENGINE" = postgresql ] && echo dump || echo sqlite3)
    file="$BACKUP_DIR/burden-$stamp.$extension"
    while [ -e "$file" ]; do # two backups within one second
        n=$((n + 1))
        file="$BACKUP_DIR/burden-$stamp-$n.$extension"
    done
    partial="$file.partial"
    trap 'rm -f "$partial"' EXIT
    if [ "$BACKUP_DB_ENGINE" = postgresql ]; then
        pg_dump --format=custom --file="$partial"
    else
        [ -f "$BACKUP_DB_NAME" ] || die "the SQLite database $BACKUP_DB_NAME does not exist."
        sqlite_copy "$BACKUP_DB_NAME" "$partial" file
    fi
    mv "$partial" "$file"
    trap - EXIT
    echo "backup.sh: wrote $file ($(du -h "$file" | cut -f1))"
    prune
}

# Keep the newest BACKUP_KEEP backups (their names sort by time) and delete the others.
prune() {
    [ "$BACKUP_KEEP" -gt 0 ] || return 0
    local old
    while IFS= read -r old; do
        [ -n "$old" ] || continue
        rm -f -- "$old"
        echo "backup.sh: deleted $old (BACKUP_KEEP=$BACKUP_KEEP)"
    done < <(find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'burden-*.dump' -o -name 'burden-*.sqlite3' \) |
        sort -r | tail -n +"$((BACKUP_KEEP + 1))")
}

restore() {
    local file="$1"
    [ -f "$file" ] || die "no backup file at $file."
    read_target
    local tables
    if [ "$BACKUP_DB_ENGINE" = postgresql ]; then
        case "$file" in *.dump) ;; *) die "$file is not a PostgreSQL backup (.dump)." ;; esac
        tables="$(psql -tAq -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
    else
        case "$file" in *.sqlite3) ;; *) die "$file is not a SQLite backup (.sqlite3)." ;; esac
        tables=0
        if [ -s "$BACKUP_DB_NAME" ]; then
            tables="$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
                "SELECT count(*) FROM sqlite_master WHERE type = '"'table'"'").fetchone()[0])' "$BACKUP_DB_NAME")"
        fi
    fi
    if [ "$tables" -gt 0 ] && [ "$FORCE" != 1 ]; then
        die "the database ${BACKUP_DB_NAME} already holds $tables tables: restore into an empty one, or set FORCE=1 to replace them (stop the web, the worker and beat first)."
    fi
    if [ "$BACKUP_DB_ENGINE" = postgresql ]; then
        # One transaction: a restore that fails leaves the database as it was.
        local replace=()
        if [ "$tables" -gt 0 ]; then replace=(--clean --if-exists); fi
        pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
            "${replace[@]}" --dbname="$PGDATABASE" "$file"
    else
        sqlite_copy "$file" "$BACKUP_DB_NAME"
    fi
    echo "backup.sh: restored $file into ${BACKUP_DB_NAME}"
}

case "${1:-backup}" in
backup) backup ;;
restore)
    [ $# -eq 2 ] || die "usage: scripts/backup.sh restore FILE"
    restore "$2"
    ;;
*) die "usage: scripts/backup.sh [backup | restore FILE]" ;;
esac
