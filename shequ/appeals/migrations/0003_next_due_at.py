"""Appeal.next_due_at: when the sweeper next has something to do (the current stage's limit, then the
next rung of the ladder), with a partial index for the sweeper's `next_due_at <= now ORDER BY
next_due_at`. Backfilled set-based (a few UPDATEs whatever the row count), before the index is built."""

from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    from shequ.appeals.sweeps import next_due_refresh  # noqa: PLC0415

    next_due_refresh(model=apps.get_model("appeals", "Appeal"))


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0002_default_categories"),
        ("directory", "0003_more_verbose_names"),
        # the seeded time-limit policies, read for the interval between rungs
        ("supervision", "0002_seed_calendar_and_policies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="next_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="下一时限"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("next_due_at__isnull", False)),
                fields=["next_due_at", "id"],
                name="appeal_due_sweep",
            ),
        ),
    ]
