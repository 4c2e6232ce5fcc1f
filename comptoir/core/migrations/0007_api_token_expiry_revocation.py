import datetime

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_a_lifetime(apps, schema_editor):
    """Tokens made before expiry existed get the default lifetime from the upgrade, not from their
    creation: an integration must not stop without warning on the day of the upgrade."""
    ApiToken = apps.get_model("core", "ApiToken")
    days = getattr(settings, "API_TOKEN_DAYS", 90)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + datetime.timedelta(days=days))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_keyed_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(default=timezone.now),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("manual", "révoqué"),
                    ("password_changed", "mot de passe changé"),
                    ("user_deactivated", "utilisateur désactivé"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(give_existing_tokens_a_lifetime, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(("expires_at__gt", models.F("created_at"))),
                name="api_token_expires_after_creation",
            ),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("revoked_at__isnull", True), ("revoked_reason", "")),
                    models.Q(("revoked_at__isnull", False), models.Q(("revoked_reason", ""), _negated=True)),
                    _connector="OR",
                ),
                name="api_token_revocation_has_reason",
            ),
        ),
    ]
