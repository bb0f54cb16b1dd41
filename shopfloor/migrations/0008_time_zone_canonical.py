"""Plants may only be in canonical time zones: rows with a legacy name move to the zone it stands for."""

from django.db import migrations, models

import unison.time_zones


def to_canonical(apps, schema_editor):
    """Rename each legacy zone (Asia/Calcutta, US/Eastern, …) to its canonical zone; a name that stands for
    no one zone (Etc/GMT+3, Factory) is left for the plant's editor, whose form then asks for a real zone."""
    Plant = apps.get_model("shopfloor", "Plant")
    aliases = unison.time_zones.aliases()
    for alias in set(Plant.objects.filter(time_zone__in=aliases).values_list("time_zone", flat=True)):
        Plant.objects.filter(time_zone=alias).update(time_zone=aliases[alias])


class Migration(migrations.Migration):
    dependencies = [
        ("shopfloor", "0007_invitation_impersonated_by"),
    ]

    operations = [
        migrations.AlterField(
            model_name="plant",
            name="time_zone",
            field=models.CharField(choices=unison.time_zones.time_zone_choices, default="UTC", max_length=64),
        ),
        migrations.RunPython(to_canonical, migrations.RunPython.noop),
    ]
