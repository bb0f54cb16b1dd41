"""Writes of the shop floor. Each module holds one topic; import from here."""

from shopfloor.services.invitations import (
    InvitationInvalid,
    invitation_accept,
    invitation_from_link,
    invitation_link,
    invitation_withdraw,
    invitations_send,
)
from shopfloor.services.onboarding import (
    onboarding_step_complete,
    organization_update_profile,
    sample_data_load,
    sample_data_remove,
)
from shopfloor.services.plants import (
    department_create,
    department_update,
    lane_create,
    lane_update,
    layout_delete,
    plant_create,
    plant_update,
    shift_create,
    shift_update,
)
from shopfloor.services.production import (
    material_adjust,
    material_create,
    material_update,
    ncr_advance,
    ncr_create,
    ncr_update,
    work_order_advance,
    work_order_create,
    work_order_update,
)

__all__ = [
    "InvitationInvalid",
    "department_create",
    "department_update",
    "invitation_accept",
    "invitation_from_link",
    "invitation_link",
    "invitation_withdraw",
    "invitations_send",
    "lane_create",
    "lane_update",
    "layout_delete",
    "material_adjust",
    "material_create",
    "material_update",
    "ncr_advance",
    "ncr_create",
    "ncr_update",
    "onboarding_step_complete",
    "organization_update_profile",
    "plant_create",
    "plant_update",
    "sample_data_load",
    "sample_data_remove",
    "shift_create",
    "shift_update",
    "work_order_advance",
    "work_order_create",
    "work_order_update",
]
