"""Existing flags of the aggregate rules, one per record, become one flag per group with its records.

Before, DOC-DAILY, INS-FREQUENCY, MTG-ACCOMPANY, SEC-SHARE and DR-DUPLICATE flagged
each record of a group; now each group is one violation listing its records. Here the
old flags of a group (found by what they store: the unit, the burden's date, the key)
become one: the one furthest along in people's review keeps its status, timeline
and waiver (acknowledged before open, before waived, resolved and cleared; the
lowest record on a tie), takes the group's key and lists every record of the group; the
others are deleted with their timelines. The next sweep then moves each group onto
its true first record (a first visit was never flagged) and adds the records the old
flags did not name. MTG-MERGE's old flags (one per pair of meetings) cannot be told
apart by group; the next sweep clears them and opens one per run, their reviews kept
as history.
"""

from collections import defaultdict

from django.db import migrations

PRIORITY = {"acknowledged": 0, "open": 1, "waived": 2, "resolved": 3, "cleared": 4}


def _group(rule: str, row: dict):
    """The group an old flag belongs to, and the group's key, from what the flag stores."""
    day = row["occurred_on"]
    if rule == "DOC-DAILY":
        return (row["unit_id"], day), day.isoformat()
    if rule == "INS-FREQUENCY":
        return (row["unit_id"], row["source_unit_id"], day), f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if rule == "MTG-ACCOMPANY":
        return (row["unit_id"], day.year), str(day.year)
    if rule == "SEC-SHARE":
        return (row["unit_id"],), ""
    return (row["unit_id"], row["key"]), row["key"]  # DR-DUPLICATE: the item was already the key


def regroup(apps, schema_editor):
    Violation = apps.get_model("burden", "Violation")
    ViolationRecord = apps.get_model("burden", "ViolationRecord")
    for rule in ("DOC-DAILY", "INS-FREQUENCY", "MTG-ACCOMPANY", "SEC-SHARE", "DR-DUPLICATE"):
        rows = (
            Violation.objects.filter(rule=rule, members__isnull=True)
            .order_by("pk")
            .values("pk", "record_kind", "record_id", "unit_id", "source_unit_id", "occurred_on", "key", "status")
        )
        groups: dict[tuple, list[dict]] = defaultdict(list)
        keys: dict[tuple, str] = {}
        for row in rows.iterator(chunk_size=5000):
            group, key = _group(rule, row)
            groups[group].append(row)
            keys[group] = key
        doomed, members = [], []
        for group, flags in groups.items():
            kept = min(flags, key=lambda flag: (PRIORITY.get(flag["status"], 5), flag["record_id"]))
            doomed.extend(flag["pk"] for flag in flags if flag is not kept)
            Violation.objects.filter(pk=kept["pk"]).update(key=keys[group][:64])
            members.extend(
                ViolationRecord(violation_id=kept["pk"], record_kind=flag["record_kind"], record_id=flag["record_id"])
                for flag in flags
            )
        for start in range(0, len(doomed), 5000):
            Violation.objects.filter(pk__in=doomed[start : start + 5000]).delete()
        ViolationRecord.objects.bulk_create(members, batch_size=5000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("burden", "0019_cases")]

    operations = [migrations.RunPython(regroup, migrations.RunPython.noop)]
