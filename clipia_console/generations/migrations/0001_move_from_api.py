"""VideoModel and Generation move from the api app to this one. Only Django's idea of which
app holds them changes: the tables keep their names (api_videomodel, api_generation) and
their rows, and the content types are relabelled so permissions granted on them stay."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MODELS = ("videomodel", "generation")


def relabel_content_types(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A fresh database has neither yet (post_migrate creates them); an old one has
        # the api ones, which permissions point at.
        if not ContentType.objects.filter(app_label="generations", model=model).exists():
            ContentType.objects.filter(app_label="api", model=model).update(
                app_label="generations"
            )


def unlabel_content_types(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="api", model=model).exists():
            ContentType.objects.filter(app_label="generations", model=model).update(
                app_label="api"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("api", "0005_generation_budget_window_and_dispatch"),
        ("apikeys", "0009_event_kind_limit_changed"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VideoModel",
                    fields=[
                        ("id", models.CharField(max_length=100, primary_key=True, serialize=False)),
                        ("name", models.CharField(max_length=100)),
                        ("description", models.TextField()),
                        ("price_credits", models.PositiveIntegerField()),
                        ("max_duration_seconds", models.PositiveSmallIntegerField(default=10)),
                        ("is_active", models.BooleanField(default=True)),
                    ],
                    options={"db_table": "api_videomodel", "ordering": ("id",)},
                ),
                migrations.CreateModel(
                    name="Generation",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "environment",
                            models.CharField(
                                choices=[("live", "Live"), ("test", "Test")], max_length=4
                            ),
                        ),
                        ("prompt", models.TextField()),
                        ("params", models.JSONField(blank=True, default=dict)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("cost", models.PositiveIntegerField(default=0)),
                        ("result", models.JSONField(blank=True, null=True)),
                        ("error", models.CharField(blank=True, max_length=500)),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False
                            ),
                        ),
                        ("completed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "budget_window_start",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        ("dispatched_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "api_key",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="generations",
                                to="apikeys.apikey",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="generations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "model",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="generations",
                                to="generations.videomodel",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "api_generation",
                        "ordering": ("-created_at",),
                        "indexes": [
                            models.Index(
                                fields=["owner", "environment", "-created_at"],
                                name="gen_owner_env",
                            ),
                            models.Index(fields=["status"], name="gen_status"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, unlabel_content_types),
    ]
