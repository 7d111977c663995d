"""Violations get the burden's date (``occurred_on``), filled from their records set-based.

One UPDATE per kind of record with a subquery on the record's date; then the rules
that date a flag by its group or its clock (the quarter of INS-FREQUENCY, the year of
MTG-ACCOMPANY, the busiest day of SEC-SHARE, the day after the term of SEC-OVERDUE);
a flag whose record is gone keeps the day it was first seen. The column is made
required in the next migration, apart from these updates (PostgreSQL refuses to alter
a table with updates pending in the same transaction).
"""

import datetime

from django.db import migrations, models
from django.db.models import DateField, F, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate, TruncQuarter, TruncYear

# record_kind -> (app, model, date field), as the record models declare them at this migration.
DATED_BY = {
    "meeting": ("meetings", "Meeting", "date"),
    "document": ("documents", "Document", "received_on"),
    "inspection": ("inspections", "Inspection", "date"),
    "secondment": ("secondments", "Secondment", "start_date"),
    "data_request": ("datarequests", "DataRequest", "date"),
}


def occurred_on_fill(apps, schema_editor):
    Violation = apps.get_model("burden", "Violation")
    for kind, (app, name, field) in DATED_BY.items():
        records = apps.get_model(app, name).objects.filter(pk=OuterRef("record_id"))
        Violation.objects.filter(record_kind=kind).update(occurred_on=Subquery(records.values(field)[:1]))
    dated = Violation.objects.filter(occurred_on__isnull=False)
    dated.filter(rule="INS-FREQUENCY").update(occurred_on=Cast(TruncQuarter("occurred_on"), DateField()))
    dated.filter(rule="MTG-ACCOMPANY").update(occurred_on=Cast(TruncYear("occurred_on"), DateField()))
    Violation.objects.filter(rule="SEC-SHARE", details__has_key="day").update(
        occurred_on=Cast(KT("details__day"), DateField())
    )
    Violation.objects.filter(rule="SEC-OVERDUE", details__has_key="end").update(
        occurred_on=Cast(Cast(KT("details__end"), DateField()) + datetime.timedelta(days=1), DateField())
    )
    Violation.objects.filter(occurred_on__isnull=True).update(occurred_on=TruncDate(F("first_seen")))


class Migration(migrations.Migration):
    dependencies = [
        ("burden", "0014_versions_and_person_history"),
        ("datarequests", "0002_record_version"),
        ("documents", "0002_record_version"),
        ("inspections", "0002_record_version"),
        ("meetings", "0002_record_version"),
        ("secondments", "0002_record_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="violation",
            name="occurred_on",
            field=models.DateField(null=True, verbose_name="occurred on"),
        ),
        migrations.RunPython(occurred_on_fill, migrations.RunPython.noop, elidable=True),
    ]
