from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('subscriptions', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='subscription',
            name='last_paid_invoice_id',
            field=models.CharField(blank=True, max_length=255),
        ),
    ]
