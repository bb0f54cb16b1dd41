from django.db import migrations


def fill(apps, schema_editor):
    """Write one row naming the schema it ran in: proof the Python ran in each workspace's own schema."""
    Probe = apps.get_model("migration_probe", "Probe")
    Probe.objects.create(label="filled", note=schema_editor.connection.schema_name)


class Migration(migrations.Migration):
    dependencies = [("migration_probe", "0002_probe_note")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
