"""The lifecycle's time tables move from supervision to appeals: the working-day calendar, the time-limit
policies and the callback reminders. State only — the tables keep their names (`db_table`), no row moves."""

import django.db.models.deletion
from django.db import migrations, models

import shequ.core.clock


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0004_lean_indexes"),
        ("supervision", "0002_seed_calendar_and_policies"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="日期")),
                        ("kind", models.CharField(choices=[("holiday", "放假"), ("workday", "调休上班")], max_length=10, verbose_name="类型")),
                        ("name", models.CharField(blank=True, default="", max_length=30, verbose_name="节日")),
                    ],
                    options={
                        "verbose_name": "节假日与调休",
                        "verbose_name_plural": "节假日与调休",
                        "db_table": "supervision_calendarday",
                        "ordering": ["date"],
                    },
                ),
                migrations.CreateModel(
                    name="DeadlinePolicy",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("time_class", models.CharField(blank=True, choices=[("utility", "水电气暖及电梯"), ("general", "一般事项"), ("complex", "复杂事项")], default="", max_length=10, verbose_name="时限类别")),
                        ("urgency", models.CharField(blank=True, choices=[("normal", "一般"), ("urgent", "紧急"), ("emergency", "危及生命财产")], default="", max_length=10, verbose_name="紧急程度")),
                        ("accept_limit", models.PositiveIntegerField(blank=True, help_text="留空表示沿用更一般的规则", null=True, verbose_name="签收时限")),
                        ("accept_unit", models.CharField(choices=[("minutes", "分钟"), ("hours", "小时"), ("days", "自然日"), ("working_days", "工作日")], default="hours", max_length=14, verbose_name="签收时限单位")),
                        ("resolve_limit", models.PositiveIntegerField(blank=True, help_text="留空表示沿用更一般的规则", null=True, verbose_name="办结时限")),
                        ("resolve_unit", models.CharField(choices=[("minutes", "分钟"), ("hours", "小时"), ("days", "自然日"), ("working_days", "工作日")], default="hours", max_length=14, verbose_name="办结时限单位")),
                        ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                        ("note", models.CharField(blank=True, default="", max_length=200, verbose_name="说明")),
                        ("category", models.ForeignKey(blank=True, help_text="留空表示所有分类", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="appeals.category", verbose_name="分类")),
                    ],
                    options={
                        "verbose_name": "办理时限规则",
                        "verbose_name_plural": "办理时限规则",
                        "db_table": "supervision_deadlinepolicy",
                        "ordering": ["category_id", "urgency", "time_class", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="CallbackReminder",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("resolved_at", models.DateTimeField()),
                        ("reminded_at", models.DateTimeField(default=shequ.core.clock.now)),
                        ("appeal", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="appeals.appeal")),
                    ],
                    options={
                        "verbose_name": "回访提醒",
                        "verbose_name_plural": "回访提醒",
                        "db_table": "supervision_callbackreminder",
                        "constraints": [models.UniqueConstraint(fields=("appeal", "resolved_at"), name="sup_callback_once")],
                    },
                ),
            ],
        ),
    ]
