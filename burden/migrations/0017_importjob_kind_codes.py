# An import job names its kind by ``record_kind`` (the registry's code), as violations and
# roll-ups do, instead of by the model's ``app_label.model_name``: a kind has one identity.

from django.db import migrations

# The kinds that existed when jobs were named by model; later kinds are named by code from the start.
LABEL_TO_CODE = {
    "meetings.meeting": "meeting",
    "documents.document": "document",
    "inspections.inspection": "inspection",
    "secondments.secondment": "secondment",
    "datarequests.datarequest": "data_request",
}


def to_codes(apps, schema_editor):
    ImportJob = apps.get_model("burden", "ImportJob")
    for label, code in LABEL_TO_CODE.items():
        ImportJob.objects.filter(kind=label).update(kind=code)


def to_labels(apps, schema_editor):
    ImportJob = apps.get_model("burden", "ImportJob")
    for label, code in LABEL_TO_CODE.items():
        ImportJob.objects.filter(kind=code).update(kind=label)


class Migration(migrations.Migration):
    dependencies = [
        ("burden", "0016_violation_occurred_on_required"),
    ]

    operations = [
        migrations.RunPython(to_codes, to_labels),
    ]
