"""The setup wizard: organisation details → first plant → teammates → sample data → done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from shopfloor import forms, selectors, services
from shopfloor.models import Plant
from shopfloor.permissions import ConfigureRequiredMixin, configure_required
from shopfloor.views.base import RecordFormView
from subscriptions.gates import writable_required

# URL slug of each step, in order; every step but the first may be skipped.
STEP_SLUGS = {"organization": "organization", "plant": "plant", "team": "team", "sample_data": "sample-data",
              "done": "done"}
STEP_TITLES = {"organization": "Your organisation", "plant": "First plant", "team": "Invite teammates",
               "sample_data": "Sample data", "done": "Done"}


def step_url(step: str) -> str:
    return reverse("shopfloor:onboarding_step", args=[STEP_SLUGS[step]])


@login_required  # the redirect would tell anyone how far the workspace's setup has come
def onboarding(request):
    """Send the user to the first step they have not done yet."""
    return redirect(step_url(selectors.onboarding_next_step()))


class WizardStepView(ConfigureRequiredMixin, RecordFormView):
    template_name = "shopfloor/onboarding.html"
    step = ""
    submit_label = "Continue"

    def get_context_data(self, **kwargs):
        steps = [(key, STEP_TITLES[key]) for key in STEP_SLUGS]
        state = selectors.onboarding_state()
        self.title = STEP_TITLES[self.step]
        return super().get_context_data(
            step=self.step, steps=steps, steps_done=state.steps_done, skippable=self.step != "organization", **kwargs
        )

    def post(self, request, *args, **kwargs):
        if "skip" in request.POST and self.step != "organization":
            services.onboarding_step_complete(step=self.step)
            return redirect(self.get_success_url_for(None))
        return super().post(request, *args, **kwargs)

    def save(self, form):
        with transaction.atomic():
            self.perform(form)
            return services.onboarding_step_complete(step=self.step)

    def perform(self, form) -> None:
        """Make the step's change; the last step has none."""

    def get_success_url_for(self, record) -> str:
        keys = list(STEP_SLUGS)
        return step_url(keys[min(keys.index(self.step) + 1, len(keys) - 1)])


class OrganizationStep(WizardStepView):
    step = "organization"
    form_class = forms.OrganizationProfileForm

    def get_initial(self):
        tenant = self.request.tenant
        return {name: getattr(tenant, name) for name in services.onboarding.PROFILE_FIELDS if getattr(tenant, name)}

    def perform(self, form):
        services.organization_update_profile(organization=self.request.tenant, **form.cleaned_data)


class PlantStep(WizardStepView):
    step = "plant"
    form_class = forms.PlantForm
    submit_label = "Create plant"

    def get_initial(self):
        return {"name": "Main plant", "code": "PLANT-1", "time_zone": "UTC"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(existing_plant=Plant.objects.first(), **kwargs)

    def perform(self, form):
        services.plant_create(organization=self.request.tenant, **form.cleaned_data)


class TeamStep(WizardStepView):
    step = "team"
    form_class = forms.InviteForm
    submit_label = "Send invitations"

    def perform(self, form):
        services.invitations_send(organization=self.request.tenant, invited_by=self.request.user,
            impersonated_by=self.request.session.get("impersonator", ""), **form.cleaned_data)


class SampleDataStep(WizardStepView):
    step = "sample_data"
    form_class = forms.SampleDataForm

    def perform(self, form):
        if form.cleaned_data["load"]:
            services.sample_data_load(organization=self.request.tenant)


class DoneStep(WizardStepView):
    step = "done"
    form_class = forms.forms.Form
    submit_label = "Go to my dashboard"

    def get_success_url_for(self, record) -> str:
        return reverse("shopfloor:dashboard")


STEP_VIEWS = {
    "organization": OrganizationStep, "plant": PlantStep, "team": TeamStep, "sample-data": SampleDataStep,
    "done": DoneStep,
}


@login_required
def onboarding_step(request, step: str):
    """Show one wizard step; every step waits for the organisation's details."""
    view = STEP_VIEWS.get(step)
    if view is None:
        raise Http404("No such setup step.")
    if step != "organization" and "organization" not in selectors.onboarding_state().steps_done:
        return redirect(step_url("organization"))  # the one step that cannot be skipped
    return view.as_view()(request, step=step)


@require_POST
@login_required
@writable_required
@configure_required
def sample_data_remove(request):
    """Delete the sample records (those the team has built on stay) and go back to the dashboard."""
    removed = services.sample_data_remove(organization=request.tenant)
    messages.success(request, f"Removed {removed['materials']} sample materials, {removed['work_orders']} work "
                              f"orders and {removed['ncrs']} NCRs.")
    return redirect("shopfloor:dashboard")

