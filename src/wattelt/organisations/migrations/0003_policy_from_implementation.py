# Moved from implementation 0001_initial (state only).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The policy and its history, moved here from the implementation app: state only,
    the tables stay (see implementation 0002)."""

    dependencies = [
        ("organisations", "0002_organisation_roles"),
        ("implementation", "0002_policy_moves_to_organisations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OrganisationPolicy",
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
                            "mandatory",
                            models.BooleanField(
                                default=False,
                                help_text="Closing a trajectory then needs a start and an end measurement, or a recorded reason why one was not filled in.",
                                verbose_name="Wat telt is mandatory",
                            ),
                        ),
                        (
                            "professional_view",
                            models.BooleanField(
                                default=True, verbose_name="professional's view on offer"
                            ),
                        ),
                        (
                            "carer_view",
                            models.BooleanField(default=True, verbose_name="carer's view on offer"),
                        ),
                        (
                            "organisation",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="wattelt_policy",
                                to="organisations.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "implementation_organisationpolicy",
                        "verbose_name": "Wat telt policy",
                        "verbose_name_plural": "Wat telt policies",
                    },
                ),
                migrations.CreateModel(
                    name="PolicyChange",
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
                            "changed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="changed at"
                            ),
                        ),
                        ("field", models.CharField(max_length=40, verbose_name="setting")),
                        (
                            "old",
                            models.CharField(blank=True, max_length=40, verbose_name="old value"),
                        ),
                        ("new", models.CharField(max_length=40, verbose_name="new value")),
                        (
                            "changed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="policy_changes",
                                to="organisations.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "implementation_policychange",
                        "verbose_name": "policy change",
                        "verbose_name_plural": "policy changes",
                        "ordering": ["-changed_at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["organisation", "-changed_at"],
                                name="implementat_organis_8559b2_idx",
                            )
                        ],
                    },
                ),
            ]
        )
    ]
