from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("burden", "0015_violation_occurred_on")]

    operations = [
        migrations.AlterField(
            model_name="violation",
            name="occurred_on",
            field=models.DateField(db_index=True, verbose_name="occurred on"),
        ),
        migrations.AddIndex(
            model_name="violation",
            index=models.Index(fields=["unit", "occurred_on"], name="violation_unit_occurred"),
        ),
    ]
