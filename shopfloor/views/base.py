"""The building blocks every shop-floor page shares: sign-in, gates, roles and service errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.generic import FormView, ListView

from shopfloor.permissions import FeatureNotInPlan
from shopfloor.states import IllegalStatusChange
from subscriptions.gates import FeatureRequiredMixin, feature_refusal
from subscriptions.limits import LimitExceeded
from unison.errors import form_add_error


def refusal_for(request, exc: Exception):
    """Return the 403 page for a limit or a feature a service refused, or None for other errors."""
    if isinstance(exc, LimitExceeded):
        return render(request, "shopfloor/limit_reached.html", {"check": exc.check}, status=403)
    if isinstance(exc, FeatureNotInPlan):
        return feature_refusal(request, exc.feature)
    return None


class WorkspaceMixin(LoginRequiredMixin, FeatureRequiredMixin):
    """Signed-in users only; writes are refused while read-only; set ``required_feature`` to gate."""


class RecordListView(WorkspaceMixin, ListView):
    """A list with a search box and filters; ``select`` is the selector that applies them."""

    paginate_by = 25
    filter_form_class = None
    select = None

    def get_queryset(self):
        self.filter_form = self.filter_form_class(self.request.GET or None)
        self.filter_form.is_valid()  # a bad filter (too long, not a choice) is left out and shown on the form
        filters = getattr(self.filter_form, "cleaned_data", {})
        return type(self).select(**{key: value for key, value in filters.items() if value not in (None, "", False)})

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter_form=self.filter_form, query=query.urlencode(), **kwargs)


class RecordFormView(WorkspaceMixin, FormView):
    """A form whose valid data goes to one service (``save``); its refusals come back as messages."""

    template_name = "shopfloor/form.html"
    title = ""
    submit_label = "Save"
    success_message = ""
    object = None

    def load(self) -> None:
        """Look up the records the form is about (``self.kwargs``); runs after sign-in and gates."""

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None and hasattr(self.get_form_class(), "_meta"):
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, submit_label=self.submit_label, object=self.object, **kwargs)

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            record = self.save(form)
        except (ValidationError, IllegalStatusChange) as exc:
            form_add_error(form, exc)
            return self.form_invalid(form)
        except (LimitExceeded, FeatureNotInPlan) as exc:
            return refusal_for(self.request, exc)
        if self.success_message:
            messages.success(self.request, self.success_message.format(record=record))
        return redirect(self.get_success_url_for(record))

    def get_success_url_for(self, record) -> str:
        return record.get_absolute_url()
