"""Account and LedgerEntry move from the api app to this one. Only Django's idea of which
app holds them changes: the tables keep their names (api_account, api_ledgerentry) and
their rows, and the content types are relabelled so permissions granted on them stay."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def relabel_content_types(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("account", "ledgerentry"):
        # A fresh database has neither yet (post_migrate creates them); an old one has
        # the api ones, which permissions point at.
        if not ContentType.objects.filter(app_label="billing", model=model).exists():
            ContentType.objects.filter(app_label="api", model=model).update(app_label="billing")


def unlabel_content_types(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("account", "ledgerentry"):
        if not ContentType.objects.filter(app_label="api", model=model).exists():
            ContentType.objects.filter(app_label="billing", model=model).update(app_label="api")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("api", "0003_idempotency_record"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Account",
                    fields=[
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="credit_account",
                                serialize=False,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("balance", models.BigIntegerField(default=0)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "api_account",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("balance__gte", 0)),
                                name="account_balance_never_negative",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LedgerEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("grant", "Grant"),
                                    ("deduct", "Deduction"),
                                    ("charge", "Charge"),
                                    ("refund", "Refund"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("amount", models.BigIntegerField()),
                        ("reason", models.CharField(blank=True, max_length=200)),
                        ("actor_label", models.CharField(blank=True, max_length=100)),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False
                            ),
                        ),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ledger",
                                to="billing.account",
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "generation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="ledger",
                                to="api.generation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "api_ledgerentry",
                        "verbose_name_plural": "ledger entries",
                        "ordering": ("-created_at", "-id"),
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("generation__isnull", False)),
                                fields=("generation", "kind"),
                                name="ledger_one_entry_per_generation_kind",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, unlabel_content_types),
    ]
