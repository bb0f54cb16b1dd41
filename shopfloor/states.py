"""Statuses of work orders and NCRs, and the one way each moves forward."""

from __future__ import annotations

from django.db import models

from unison.errors import ApplicationError


class IllegalStatusChange(ApplicationError):
    """A record was asked to move to a status that does not follow its current one (a 409 on ``status``:
    the same request is right for a record in another state)."""

    code = "illegal_status_change"
    status = 409

    def __init__(self, record: str, current: str, wanted: str):
        super().__init__(f"{record} is {current.replace('_', ' ')}: it cannot move to {wanted.replace('_', ' ')}.",
                         field="status")
        self.record, self.current, self.wanted = record, current, wanted


class DispositionPending(ApplicationError):
    """An NCR was asked to close while its disposition is pending (a 409 on ``disposition``)."""

    code = "disposition_pending"
    status = 409

    def __init__(self):
        super().__init__("Choose a disposition before closing the NCR.", field="disposition")


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RELEASED = "released", "Released"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


class NCRStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    CLOSED = "closed", "Closed"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class Disposition(models.TextChoices):
    PENDING = "pending", "Pending"
    USE_AS_IS = "use_as_is", "Use as is"
    REWORK = "rework", "Rework"
    SCRAP = "scrap", "Scrap"
    RETURN_TO_SUPPLIER = "return_to_supplier", "Return to supplier"


# Each status and the only one that may follow it.
WORK_ORDER_FLOW: dict[str, str] = {
    WorkOrderStatus.PLANNED: WorkOrderStatus.RELEASED,
    WorkOrderStatus.RELEASED: WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.IN_PROGRESS: WorkOrderStatus.COMPLETED,
    WorkOrderStatus.COMPLETED: WorkOrderStatus.CLOSED,
}
WORK_ORDER_OPEN = frozenset({WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS})
# The verb a button shows for moving into each status.
WORK_ORDER_VERBS = {
    WorkOrderStatus.RELEASED: "Release",
    WorkOrderStatus.IN_PROGRESS: "Start",
    WorkOrderStatus.COMPLETED: "Complete",
    WorkOrderStatus.CLOSED: "Close",
}

NCR_FLOW: dict[str, str] = {
    NCRStatus.OPEN: NCRStatus.INVESTIGATING,
    NCRStatus.INVESTIGATING: NCRStatus.CLOSED,
}
NCR_VERBS = {NCRStatus.INVESTIGATING: "Start investigation", NCRStatus.CLOSED: "Close"}


def next_status_check(*, flow: dict[str, str], record: str, current: str, wanted: str) -> str:
    """Return ``wanted`` if it is the status that follows ``current``; raise IllegalStatusChange otherwise."""
    if flow.get(current) != wanted:
        raise IllegalStatusChange(record, current, wanted)
    return wanted
