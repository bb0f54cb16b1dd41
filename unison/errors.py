"""The one refusal type services raise: ``ApplicationError`` (code, message, HTTP status, field).

APIs turn it into JSON in ``unison.api_errors.exception_handler``; pages put it on their form
with ``form_add_error``. Subclasses fix the code and status of a kind of refusal.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A request our rules refuse; ``message`` is safe to show, ``field`` names the input at fault."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = self.detail = message
        self.code = code or self.code
        self.status = status or self.status
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict:
        """Return the JSON body of the refusal: code, detail, the field's errors and any extras."""
        body = {"code": self.code, "detail": self.message, **self.extra}
        if self.field:
            body[self.field] = [self.message]
        return body


class PaymentRequired(ApplicationError):
    """The change needs a payment first: ``checkout_url`` is where to make it."""

    code = "payment_required"
    status = 402

    def __init__(self, message: str, *, checkout_url: str):
        super().__init__(message, extra={"checkout_url": checkout_url})
        self.checkout_url = checkout_url


def form_add_error(form, error: Exception) -> None:
    """Show a service's ValidationError or ApplicationError on the form field it names (else on the form)."""
    if isinstance(error, ValidationError):
        errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    else:
        errors = {getattr(error, "field", None): [str(error)]}
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)
