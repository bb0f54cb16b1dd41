from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("migration_probe", "0003_probe_filled")]
    operations = [migrations.AddField(model_name="probe", name="size", field=models.IntegerField(default=0))]
