"""factory_boy factories for the shop floor's records, and a workspace filled with one of each.

``workspace_fill`` makes the same rows, in the same order, in whichever schema is current, so two
workspaces filled one after the other hold records with the same ids and different content.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import factory
from django_tenants.utils import schema_context

from apikeys.keys import key_generate, key_hash
from apikeys.models import APIKey
from exports.models import Export
from shopfloor.models import NCR, Department, Invitation, Lane, Material, Plant, Shift, WorkOrder
from sso.models import IdentityProvider


class PlantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plant

    name = factory.Sequence(lambda n: f"Plant {n}")
    code = factory.Sequence(lambda n: f"P-{n}")
    address = "1 Mill Lane"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    plant = factory.SubFactory(PlantFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class LaneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lane

    plant = factory.SubFactory(PlantFactory)
    department = None
    name = factory.Sequence(lambda n: f"Lane {n}")


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    plant = factory.SubFactory(PlantFactory)
    name = factory.Sequence(lambda n: f"Shift {n}")
    start, end = time(6), time(14)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Sequence(lambda n: f"Material {n}")
    unit = "kg"
    quantity_on_hand = Decimal(5)
    reorder_point = Decimal(10)


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"WO-{n:05d}")
    material = factory.SubFactory(MaterialFactory)
    plant = factory.SubFactory(PlantFactory)
    quantity = Decimal(20)
    due_date = date(2030, 1, 15)


class NCRFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NCR

    number = factory.Sequence(lambda n: f"NCR-{n:05d}")
    work_order = factory.SubFactory(WorkOrderFactory)
    material = factory.SelfAttribute("work_order.material")
    description = "Dent"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee-{n}@example.com")


class ExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Export

    status = Export.Status.DONE
    progress = 100


class APIKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = APIKey

    name = factory.Sequence(lambda n: f"Key {n}")
    prefix = factory.LazyFunction(lambda: key_generate()[0])
    hashed_key = factory.LazyFunction(lambda: key_hash(key_generate()[1], schema_name="unused"))
    created_by = "owner@example.com"


def workspace_fill(organization, marker: str) -> dict[str, int]:
    """Make one plant (with a department, lane and shift), material, work order, NCR and invitation in the
    organisation's schema, each naming ``marker``, a finished export (its file not written), an API key and a
    (switched off) SSO provider;
    return their ids by kind."""
    with schema_context(organization.schema_name):
        plant = PlantFactory(name=f"{marker} plant", code=f"{marker[:3].upper()}-1", address=f"{marker} street")
        records = {
            "plant": plant,
            "department": DepartmentFactory(plant=plant, name=f"{marker} welding"),
            "lane": LaneFactory(plant=plant, name=f"{marker} lane"),
            "shift": ShiftFactory(plant=plant, name=f"{marker} night"),
            "material": MaterialFactory(sku=f"{marker[:3].upper()}-STEEL", name=f"{marker} steel"),
        }
        records["work_order"] = WorkOrderFactory(material=records["material"], plant=plant, lane=records["lane"],
                                                 number=f"WO-{marker[:3].upper()}-1")
        records["ncr"] = NCRFactory(work_order=records["work_order"], description=f"{marker} dent",
                                    number=f"NCR-{marker[:3].upper()}-1")
        records["invitation"] = InvitationFactory(email=f"{marker.lower()}-invitee@example.com")
        records["export"] = ExportFactory()
        records["api_key"] = APIKeyFactory(name=f"{marker} key")
        # Switched off: a signed-out visitor's "Sign in with SSO" is then a 404, not a call to a made-up issuer.
        IdentityProvider.objects.create(pk=1, issuer=f"https://{marker.lower()}.idp.example.com",
                                        client_id=f"{marker} client", role_claim=f"{marker} groups")
    return {kind: record.pk for kind, record in records.items()}
