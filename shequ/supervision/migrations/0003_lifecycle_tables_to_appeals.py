"""The calendar, the time-limit policies and the callback reminders now belong to appeals (its migration
0005 takes them over). State only: the tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_seed_calendar_and_policies"),
        ("appeals", "0005_lifecycle_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="DeadlinePolicy"),
                migrations.DeleteModel(name="CallbackReminder"),
            ],
        ),
    ]
