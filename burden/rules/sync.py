"""Writing findings to violations in set-based SQL: ``violations_sync`` and the moves it makes.

A rule's findings are streamed into a temporary table of the connection
(``rules_found``), a batch of rows per statement (one JSON array parameter, unpacked by
the database: ``jsonb_array_elements`` on PostgreSQL, ``json_each`` on SQLite). Then a
fixed number of statements, whatever the number of findings and violations, compare
them with the violations:

1. the cleared violations found again, and the open ones of the scope not found again,
   are noted as moves (``rules_moved``: violation, from, to);
2. one upsert opens the new violations and refreshes the ones seen again, dating each
   by its finding's ``occurred_on`` or else by its record's date (a join on the record's
   table, in the same statement);
3. the moves are applied, and the timeline gets one row per opened or moved violation;
4. a group's violation (an aggregate rule's finding) gets the records behind it
   (``rules_members``, loaded with the findings) as ``ViolationRecord`` rows: the ones
   no longer in the group are removed and the new ones added, two statements.

An aggregate rule's violations are in the scope of an evaluation when their anchor
or any record behind them is, so a group is cleared when a change to any of its
records makes it stop breaking the rule.

Both temporary tables belong to the connection, so two workers never see each other's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import CharField, QuerySet, Value
from django.utils import timezone

from .base import Finding, Rule
from .models import Violation, ViolationEvent, ViolationRecord

BATCH = 20_000  # findings per loading statement: a JSON parameter of a few megabytes

FOUND, MOVED, MEMBERS, ANCHORS = "rules_found", "rules_moved", "rules_members", "rules_anchors"
LOADED = "_rules_sync_rows"  # attribute of the connection: rows left in its temporary tables
SMALL = 1_000
OPEN, CLEARED = Violation.Status.OPEN.value, Violation.Status.CLEARED.value
# Statuses people set after review: the system neither clears nor refreshes them.
REVIEWED = (Violation.Status.RESOLVED.value, Violation.Status.WAIVED.value)
OPEN_STATUSES = tuple(status.value for status in Violation.OPEN_STATUSES)


def _names() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "violation": quote(Violation._meta.db_table),
        "event": quote(ViolationEvent._meta.db_table),
        "member": quote(ViolationRecord._meta.db_table),
        "key": quote("key"),
        "open_statuses": ", ".join(f"'{status}'" for status in OPEN_STATUSES),
        "reviewed": ", ".join(f"'{status}'" for status in REVIEWED),
    }


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _prepare(cursor) -> None:
    """Empty temporary tables of this connection, created the first time."""
    details, day = ("jsonb", "date") if _postgres() else ("text", "text")
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {FOUND} (record_id bigint NOT NULL, {_names()['key']} varchar(64) "
        f"NOT NULL, unit_id bigint NOT NULL, source_unit_id bigint, details {details} NOT NULL, occurred_on {day}, "
        f"PRIMARY KEY (record_id, {_names()['key']}))"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {MOVED} (violation_id bigint PRIMARY KEY, "
        "from_status varchar(16) NOT NULL, to_status varchar(16) NOT NULL)"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {MEMBERS} (record_id bigint NOT NULL, {_names()['key']} varchar(64) "
        f"NOT NULL, member_id bigint NOT NULL, PRIMARY KEY (record_id, {_names()['key']}, member_id))"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {ANCHORS} (violation_id bigint PRIMARY KEY, record_id bigint NOT NULL, "
        f"{_names()['key']} varchar(64) NOT NULL)"
    )
    if not _postgres():
        for table in (FOUND, MOVED, MEMBERS, ANCHORS):
            cursor.execute(f"DELETE FROM {table}")  # nosec B608 # names from the code and the models' metadata; values go as parameters
    elif getattr(connection, LOADED, 0) > SMALL:
        # Nothing vacuums temporary tables: after many rows TRUNCATE, so that dead ones do not pile up.
        cursor.execute(f"TRUNCATE {FOUND}, {MOVED}, {MEMBERS}, {ANCHORS}")
    else:
        # A few rows (one saved record's findings) are cheaper to delete than to truncate.
        empties = ", ".join(f"gone_{table} AS (DELETE FROM {table})" for table in (MOVED, MEMBERS, ANCHORS))  # nosec B608 # temporary tables named in this module
        cursor.execute(f"WITH {empties} DELETE FROM {FOUND}")  # nosec B608 # temporary tables named in this module
    setattr(connection, LOADED, 0)


def _load_sql() -> str:
    key = _names()["key"]
    if _postgres():
        rows = (
            "SELECT (f->>0)::bigint, f->>1, (f->>2)::bigint, (f->>3)::bigint, f->4, (f->>5)::date "
            "FROM jsonb_array_elements(%s::jsonb) AS f"
        )
    else:
        rows = (
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), "
            "json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]') FROM json_each(%s)"
        )
    # WHERE true: SQLite needs it to read ON CONFLICT as the upsert's and not a join's.
    return (
        f"INSERT INTO {FOUND} (record_id, {key}, unit_id, source_unit_id, details, occurred_on) {rows} WHERE true "
        f"ON CONFLICT (record_id, {key}) DO UPDATE SET unit_id = excluded.unit_id, "
        "source_unit_id = excluded.source_unit_id, details = excluded.details, occurred_on = excluded.occurred_on"
    )


def _members_sql() -> str:
    key = _names()["key"]
    if _postgres():
        rows = "SELECT (f->>0)::bigint, f->>1, (f->>2)::bigint FROM jsonb_array_elements(%s::jsonb) AS f"
    else:
        rows = (
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') "
            "FROM json_each(%s)"
        )
    return f"INSERT INTO {MEMBERS} (record_id, {key}, member_id) {rows} WHERE true ON CONFLICT DO NOTHING"


def _load(cursor, findings: Iterable[Finding], params: dict, progress: Callable[[int], None] | None) -> tuple[int, int]:
    """Stream ``findings`` into the temporary tables, a batch per statement; how many findings and group members.

    A finding repeated (same record and key) counts once, the last one winning (its
    group's records added to the earlier ones').
    """
    sql, members_sql = _load_sql(), _members_sql()
    loaded = members = 0
    batch: dict[tuple[int, str], list] = {}
    behind: list[list] = []

    def flush():
        cursor.execute(sql, [json.dumps(list(batch.values()))])
        if behind:
            cursor.execute(members_sql, [json.dumps(behind)])
        if progress is not None:
            progress(len(batch))

    for finding in findings:
        details = {**params, **finding.values} if params else finding.values
        batch[(finding.record_id, finding.key)] = [
            finding.record_id,
            finding.key,
            finding.unit_id,
            finding.source_unit_id,
            details,
            finding.occurred_on.isoformat() if finding.occurred_on else None,
        ]
        behind.extend([finding.record_id, finding.key, member] for member in finding.records)
        if len(batch) + len(behind) >= BATCH:
            flush()
            loaded, members = loaded + len(batch), members + len(behind)
            batch, behind = {}, []
    if batch:
        flush()
        loaded, members = loaded + len(batch), members + len(behind)
    setattr(connection, LOADED, loaded + members)
    return loaded, members


def _scope_condition(scope, column: str = "v.record_id") -> tuple[str, list] | None:
    """SQL restricting ``column`` (a violation's record) to the records of ``scope`` (a queryset or ids); None for none.

    A filtered queryset (what a saved record affects: a few records) is read first and
    given as a list: the planner then looks its violations up in the unique index
    whatever its statistics say, where a subquery, just after a sweep changed many
    violations, could be planned as a scan of every violation of the rule.
    """
    if isinstance(scope, QuerySet):
        records = scope.order_by()
        ids = list(records.values_list("pk", flat=True)[: SMALL + 1]) if records.query.has_filters() else None
        if ids is None or len(ids) > SMALL:
            try:
                sql, params = records.values("pk").query.sql_with_params()
            except EmptyResultSet:
                return None
            return f"{column} IN ({sql})", list(params)
    else:
        ids = [int(record_id) for record_id in scope]
    if not ids:
        return None
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _unfound(rule: Rule, kind: str, scope, loaded: bool) -> tuple[str, list] | None:
    """SQL for the violations ``v`` of ``scope`` the findings in ``FOUND`` no longer hold: those a sync clears.

    Shared by the sync and its preview (``violations_diff``), so the preview counts what the sync does.
    """
    scoped = _violations_in(rule, kind, scope)
    if scoped is None:
        return None
    condition, params = scoped
    if loaded:
        names = _names()
        condition += (
            f" AND NOT EXISTS (SELECT 1 FROM {FOUND} f "
            f"WHERE f.record_id = v.record_id AND f.{names['key']} = v.{names['key']})"
        )
    return condition, params


def _violations_in(rule: Rule, kind: str, scope) -> tuple[str, list] | None:
    """SQL restricting violations ``v`` of ``rule`` to those of the records of ``scope``; None for none.

    A group (an aggregate rule's violation) is in scope when any record behind it is,
    not only its anchor.
    """
    scoped = _scope_condition(scope)
    if scoped is None or not rule.aggregate:
        return scoped
    condition, scope_params = scoped
    behind, behind_params = _scope_condition(scope, "m.record_id")
    return (
        f"({condition} OR EXISTS (SELECT 1 FROM {_names()['member']} m "
        f"WHERE m.violation_id = v.id AND m.record_kind = %s AND {behind}))",
        [*scope_params, kind, *behind_params],
    )


def violations_diff(rule: Rule, kind: str, findings: Iterable[Finding], scope) -> dict[str, int]:
    """What ``violations_sync`` would do with ``findings`` on ``scope``, counted, writing no violation.

    ``raised``: the findings with no violation yet or a cleared one (it would open or
    reopen them); ``cleared``: the open or acknowledged violations of the scope not found
    again. The findings are loaded into the connection's temporary table, as for a sync,
    and two counting statements compare them with the violations, however many there
    are. (A group whose first record would change counts as raised and cleared, where
    the sync moves its violation onto the new anchor.)
    """
    names = _names()
    found = f"v.rule = %s AND v.record_kind = %s AND v.record_id = f.record_id AND v.{names['key']} = f.{names['key']}"
    raised = cleared = 0
    with connection.cursor() as cursor:
        _prepare(cursor)
        loaded, _members = _load(cursor, findings, {}, None)
        if loaded:
            cursor.execute(
                f"SELECT COUNT(*) FROM {FOUND} f LEFT JOIN {names['violation']} v ON {found} "  # nosec B608 # names from the code and the models' metadata; values go as parameters
                f"WHERE v.id IS NULL OR v.status = '{CLEARED}'",
                [rule.code, kind],
            )
            raised = cursor.fetchone()[0]
        unfound = _unfound(rule, kind, scope, loaded)
        if unfound is not None:
            condition, scope_params = unfound
            cursor.execute(
                f"SELECT COUNT(*) FROM {names['violation']} v "  # nosec B608 # names from the code and the models' metadata; values go as parameters
                f"WHERE v.rule = %s AND v.record_kind = %s AND v.status IN ({names['open_statuses']}) AND {condition}",
                [rule.code, kind, *scope_params],
            )
            cleared = cursor.fetchone()[0]
    return {"raised": raised, "cleared": cleared}


def violations_sync(
    rule: Rule,
    kind: str,
    findings: Iterable[Finding],
    scope,
    params: dict,
    *,
    progress: Callable[[int], None] | None = None,
    dated_by=None,
) -> dict[str, int]:
    """Make the violations of ``rule`` on the records of ``scope`` match ``findings``.

    New findings open violations (a unique constraint makes a duplicate impossible,
    even with two workers); findings that hold again refresh ``last_seen``, the details,
    unit and severity (``last_seen`` of a resolved or waived one stays as people left
    it); the open or acknowledged violations of the scope not found again are cleared,
    and cleared ones found again reopen, each step kept in the timeline. ``scope`` is a
    queryset of the records that were evaluated, or a list of record ids (a deleted
    record: nothing is found, all is cleared); findings on records outside it (another
    record an aggregate rule touched) are written too.

    Findings are loaded outside the transaction (into a table only this connection
    sees), so that ``progress`` (called with the number of findings of each batch) can
    be saved and seen by others while a long rule runs; every write to violations is
    then one transaction.

    Each violation is dated (``occurred_on``) by its finding's date or else by its
    record's ``date_field`` in ``dated_by`` (the record model; by default the model of
    ``scope``), and redated when that changes, reviewed or not: the burden's date is a
    fact of the record, not a decision. A record that cannot be read is dated today.
    """
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    dated_join, dated_column = _record_date(dated_by if dated_by is not None else getattr(scope, "model", None))
    names = _names()
    found = f"v.rule = %s AND v.record_kind = %s AND v.record_id = f.record_id AND v.{names['key']} = f.{names['key']}"
    opened = reopened = cleared = 0
    with connection.cursor() as cursor:
        _prepare(cursor)
        loaded, members = _load(cursor, findings, params, progress)
        if loaded and _postgres():
            # Nothing analyzes temporary tables on its own; without statistics the planner
            # would guess their size and might scan every violation of the rule for one record.
            cursor.execute(f"ANALYZE {FOUND}")
            if members:
                cursor.execute(f"ANALYZE {MEMBERS}")
        with transaction.atomic():
            if members and rule.anchor_moves:
                _move_anchors(cursor, rule.code, kind)
            if loaded:
                cursor.execute(
                    f"INSERT INTO {MOVED} (violation_id, from_status, to_status) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
                    f"SELECT v.id, v.status, '{OPEN}' FROM {FOUND} f JOIN {names['violation']} v ON {found} "
                    f"WHERE v.status = '{CLEARED}' {_lock()}",
                    [rule.code, kind],
                )
                reopened = cursor.rowcount
            unfound = _unfound(rule, kind, scope, loaded)
            if unfound is not None:
                condition, scope_params = unfound
                cursor.execute(
                    f"INSERT INTO {MOVED} (violation_id, from_status, to_status) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
                    f"SELECT v.id, v.status, '{CLEARED}' FROM {names['violation']} v "
                    f"WHERE v.rule = %s AND v.record_kind = %s AND v.status IN ({names['open_statuses']}) "
                    f"AND {condition} {_lock()}",
                    [rule.code, kind, *scope_params],
                )
                cleared = cursor.rowcount
            setattr(connection, LOADED, loaded + members + reopened + cleared)
            if loaded:
                cursor.execute(
                    f"INSERT INTO {names['violation']} (rule, record_kind, record_id, {names['key']}, unit_id, "  # nosec B608 # names from the code and the models' metadata; values go as parameters
                    "source_unit_id, severity, status, details, occurred_on, first_seen, last_seen) "
                    f"SELECT %s, %s, f.record_id, f.{names['key']}, f.unit_id, f.source_unit_id, %s, '{OPEN}', "
                    f"f.details, COALESCE(f.occurred_on, {dated_column}, %s), %s, %s FROM {FOUND} f {dated_join} "
                    "WHERE true "
                    f"ON CONFLICT (rule, record_kind, record_id, {names['key']}) DO UPDATE SET "
                    "unit_id = excluded.unit_id, source_unit_id = excluded.source_unit_id, "
                    "severity = excluded.severity, details = excluded.details, occurred_on = excluded.occurred_on, "
                    f"last_seen = CASE WHEN {names['violation']}.status IN ({names['reviewed']}) "
                    f"THEN {names['violation']}.last_seen ELSE excluded.last_seen END",
                    [
                        rule.code,
                        kind,
                        rule.severity,
                        connection.ops.adapt_datefield_value(timezone.localdate(now)),
                        stamp,
                        stamp,
                    ],
                )
                # The violations inserted just now are the ones first seen at this very instant.
                cursor.execute(
                    f"INSERT INTO {names['event']} (violation_id, from_status, to_status, actor_id, note, at) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
                    f"SELECT v.id, '', '{OPEN}', NULL, '', %s FROM {FOUND} f JOIN {names['violation']} v "
                    f"ON {found} WHERE v.first_seen = %s",
                    [stamp, rule.code, kind, stamp],
                )
                opened = cursor.rowcount
                if rule.aggregate:
                    _sync_members(cursor, rule.code, kind)
            if reopened or cleared:
                _apply_moves(cursor, stamp)
    return {"opened": opened, "reopened": reopened, "cleared": cleared}


def _move_anchors(cursor, rule: str, kind: str) -> None:
    """Keep a group's violation when its first record changes: move it onto the group's new anchor.

    A group found again with another first record (an earlier visit entered later, the
    first document moved away) is the same burden: the violation of the same key that
    lists any of its records, and whose own anchor was not found again, takes the new
    anchor, so its status, timeline and case stay. Where the new anchor already has its
    violation, or two old ones claim it (groups that merged), the lowest id moves and the
    others are cleared as usual. Three statements, whatever the number of groups.
    """
    names = _names()
    key, violation, member = names["key"], names["violation"], names["member"]
    cursor.execute(
        f"INSERT INTO {ANCHORS} (violation_id, record_id, {key}) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"SELECT v.id, MIN(m.record_id), v.{key} FROM {violation} v "
        f"JOIN {member} vr ON vr.violation_id = v.id "
        f"JOIN {MEMBERS} m ON m.member_id = vr.record_id AND m.{key} = v.{key} "
        f"WHERE v.rule = %s AND v.record_kind = %s AND m.record_id <> v.record_id "
        f"AND NOT EXISTS (SELECT 1 FROM {FOUND} f WHERE f.record_id = v.record_id AND f.{key} = v.{key}) "
        "GROUP BY v.id, v." + key,
        [rule, kind],
    )
    if not cursor.rowcount:
        return
    cursor.execute(
        f"DELETE FROM {ANCHORS} WHERE EXISTS (SELECT 1 FROM {violation} w WHERE w.rule = %s "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"AND w.record_kind = %s AND w.record_id = {ANCHORS}.record_id AND w.{key} = {ANCHORS}.{key}) "
        f"OR violation_id > (SELECT MIN(a.violation_id) FROM {ANCHORS} a "
        f"WHERE a.record_id = {ANCHORS}.record_id AND a.{key} = {ANCHORS}.{key})",
        [rule, kind],
    )
    cursor.execute(
        f"UPDATE {violation} SET record_id = (SELECT a.record_id FROM {ANCHORS} a "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"WHERE a.violation_id = {violation}.id) WHERE id IN (SELECT violation_id FROM {ANCHORS})"
    )


def _sync_members(cursor, rule: str, kind: str) -> None:
    """Make the records listed behind each violation found just now those of its finding's group.

    A violation found as a group has its records in ``rules_members``; one found on
    one record has none there, and keeps none.
    """
    names = _names()
    key = names["key"]
    found = f"v.rule = %s AND v.record_kind = %s AND v.record_id = f.record_id AND v.{key} = f.{key}"
    cursor.execute(
        f"DELETE FROM {names['member']} WHERE violation_id IN (SELECT v.id FROM {FOUND} f "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"JOIN {names['violation']} v ON {found}) AND NOT EXISTS (SELECT 1 FROM {MEMBERS} f "
        f"JOIN {names['violation']} v ON {found} WHERE v.id = {names['member']}.violation_id "
        f"AND f.member_id = {names['member']}.record_id)",
        [rule, kind, rule, kind],
    )
    cursor.execute(
        f"INSERT INTO {names['member']} (violation_id, record_kind, record_id) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"SELECT v.id, %s, f.member_id FROM {MEMBERS} f JOIN {names['violation']} v ON {found} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {names['member']} m WHERE m.violation_id = v.id "
        "AND m.record_id = f.member_id)",
        [kind, rule, kind],
    )


def _record_date(model) -> tuple[str, str]:
    """(a join of the found rows to their records, the records' date column) for the upsert.

    Without a model (a caller that names none, on ids) there is no join, and the column is NULL.
    """
    if model is None or not getattr(model, "date_field", None):
        return "", "NULL"
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(model.date_field).column)
    return (
        f"LEFT JOIN {quote(model._meta.db_table)} r ON r.{quote(model._meta.pk.column)} = f.record_id",
        f"r.{column}",
    )


def _lock() -> str:
    """Lock the violations a move is noted for until it is applied (PostgreSQL; SQLite has one writer).

    A second worker moving the same violations meanwhile waits, then sees them moved
    and notes nothing: no move is applied twice, no timeline row is written twice.
    """
    return connection.ops.for_update_sql(of=("v",)) if connection.features.has_select_for_update_of else ""


def _apply_moves(cursor, stamp) -> None:
    """The noted moves (cleared -> open, open or acknowledged -> cleared), each kept in the timeline.

    Only a violation still in the status its move was noted from is moved.
    """
    cursor.execute(
        f"UPDATE {_names()['violation']} SET status = CASE WHEN status = '{CLEARED}' THEN '{OPEN}' "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"ELSE '{CLEARED}' END WHERE (id, status) IN (SELECT violation_id, from_status FROM {MOVED})"
    )
    cursor.execute(
        f"INSERT INTO {_names()['event']} (violation_id, from_status, to_status, actor_id, note, at) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
        f"SELECT violation_id, from_status, to_status, NULL, '', %s FROM {MOVED}",
        [stamp],
    )


@transaction.atomic
def violations_clear(*querysets: QuerySet) -> int:
    """Clear the open or acknowledged violations of ``querysets``, kept in the timeline; how many.

    One statement per queryset notes the moves, then two apply them all.
    """
    cleared = 0
    with connection.cursor() as cursor:
        _prepare(cursor)
        for violations in querysets:
            if connection.features.has_select_for_update_of:
                violations = violations.select_for_update(of=("self",))
            moves = (
                violations.order_by()
                .filter(status__in=OPEN_STATUSES)
                .annotate(to_status=Value(CLEARED, output_field=CharField()))
                .values_list("pk", "status", "to_status")
            )
            try:
                sql, params = moves.query.sql_with_params()
            except EmptyResultSet:
                continue
            cursor.execute(f"INSERT INTO {MOVED} (violation_id, from_status, to_status) {sql}", params)
            cleared += cursor.rowcount
        setattr(connection, LOADED, cleared)
        if cleared:
            _apply_moves(cursor, connection.ops.adapt_datetimefield_value(timezone.now()))
    return cleared
