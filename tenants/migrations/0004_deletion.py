from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_two_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="deletion_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="organization",
            name="deletion_due_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="organization",
            name="deletion_requested_by",
            field=models.CharField(blank=True, help_text="Who asked: an e-mail.", max_length=254),
        ),
        migrations.AddField(
            model_name="organization",
            name="deleted_at",
            field=models.DateTimeField(blank=True, help_text="When the purge finished.", null=True),
        ),
    ]
