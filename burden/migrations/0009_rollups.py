# Monthly roll-ups, the working-day calendar they spread secondments over, reduction targets.

import datetime

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ("meeting", "Meetings"),
    ("document", "Documents"),
    ("inspection", "Inspections"),
    ("secondment", "Secondments"),
    ("data_request", "Data requests"),
]
YEAR_VALIDATORS = [django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2099)]


def fill_working_days(apps, schema_editor):
    """Every Monday to Friday of 2000-2099 (about 26,000 rows); later years are added on demand."""
    WorkingDay = apps.get_model("burden", "WorkingDay")
    day, last = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
    rows = []
    while day <= last:
        if day.weekday() < 5:
            rows.append(WorkingDay(day=day, month=day.replace(day=1)))
        day += datetime.timedelta(days=1)
    WorkingDay.objects.using(schema_editor.connection.alias).bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("burden", "0008_review"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthlyRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("record_kind", models.CharField(choices=KINDS, max_length=32, verbose_name="kind of record")),
                ("month", models.DateField(help_text="The first day of the month.", verbose_name="month")),
                (
                    "hours",
                    models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="burden hours"),
                ),
                ("records", models.PositiveIntegerField(default=0, verbose_name="records")),
                ("flagged", models.PositiveIntegerField(default=0, verbose_name="flagged records")),
                ("photo", models.PositiveIntegerField(default=0, verbose_name="photos demanded")),
                ("checkin", models.PositiveIntegerField(default=0, verbose_name="check-ins demanded")),
                ("material", models.PositiveIntegerField(default=0, verbose_name="written material demanded")),
                (
                    "source_unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="burden.unit",
                        verbose_name="source unit",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="burden.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={"verbose_name": "monthly roll-up", "verbose_name_plural": "monthly roll-ups"},
        ),
        migrations.AddIndex(
            model_name="monthlyrollup",
            index=models.Index(fields=["unit", "month"], name="rollup_unit_month"),
        ),
        migrations.AddIndex(
            model_name="monthlyrollup",
            index=models.Index(fields=["source_unit", "month"], name="rollup_source_month"),
        ),
        migrations.CreateModel(
            name="FlagRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("rule", models.CharField(max_length=32, verbose_name="rule")),
                ("record_kind", models.CharField(choices=KINDS, max_length=32, verbose_name="kind of record")),
                ("open_flags", models.PositiveIntegerField(default=0, verbose_name="open flags")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="burden.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={"verbose_name": "open flags by rule", "verbose_name_plural": "open flags by rule"},
        ),
        migrations.AddIndex(
            model_name="flagrollup",
            index=models.Index(fields=["unit", "record_kind"], name="flag_rollup_unit_kind"),
        ),
        migrations.CreateModel(
            name="WorkingDay",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False)),
                ("month", models.DateField()),
            ],
            options={"ordering": ["day"]},
        ),
        migrations.RunPython(fill_working_days, migrations.RunPython.noop),
        migrations.CreateModel(
            name="ReductionTarget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("record_kind", models.CharField(choices=KINDS, max_length=32, verbose_name="kind of record")),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        help_text="The year to reach it in.", validators=YEAR_VALIDATORS, verbose_name="year"
                    ),
                ),
                (
                    "measure",
                    models.CharField(
                        choices=[("records", "Number of records"), ("hours", "Burden hours")],
                        default="records",
                        max_length=16,
                        verbose_name="measured by",
                    ),
                ),
                (
                    "reduction_percent",
                    models.PositiveSmallIntegerField(
                        help_text="How much less than the same months of the year before, in per cent.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="cut (%)",
                    ),
                ),
                ("set_at", models.DateTimeField(auto_now=True, verbose_name="set at")),
                (
                    "set_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="set by",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="burden.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "reduction target",
                "verbose_name_plural": "reduction targets",
                "ordering": ["year", "record_kind"],
            },
        ),
        migrations.AddConstraint(
            model_name="reductiontarget",
            constraint=models.UniqueConstraint(
                fields=("unit", "record_kind", "year"), name="reduction_target_once_per_kind"
            ),
        ),
        migrations.CreateModel(
            name="IncreaseExplanation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("record_kind", models.CharField(choices=KINDS, max_length=32, verbose_name="kind of record")),
                ("year", models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS, verbose_name="year")),
                ("explanation", models.TextField(verbose_name="explanation")),
                ("written_at", models.DateTimeField(auto_now=True, verbose_name="written at")),
                (
                    "source_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="burden.unit",
                        verbose_name="source unit",
                    ),
                ),
                (
                    "written_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="written by",
                    ),
                ),
            ],
            options={
                "verbose_name": "explanation of an increase",
                "verbose_name_plural": "explanations of increases",
                "ordering": ["-year", "record_kind"],
            },
        ),
        migrations.AddConstraint(
            model_name="increaseexplanation",
            constraint=models.UniqueConstraint(
                fields=("source_unit", "record_kind", "year"), name="increase_explanation_once_per_kind"
            ),
        ),
    ]
