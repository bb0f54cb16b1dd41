"""Plant pages: list, detail, create and edit, and the plant's departments, lanes and shifts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from shopfloor import forms, selectors, services
from shopfloor.models import Department, Lane, Plant, Shift
from shopfloor.permissions import ConfigureRequiredMixin, configure_required
from shopfloor.views.base import RecordFormView, RecordListView, WorkspaceMixin
from subscriptions.gates import writable_required
from subscriptions.limits import limit_check


class PlantListView(RecordListView):
    template_name = "shopfloor/plant_list.html"
    filter_form_class = forms.PlantFilterForm
    select = selectors.plant_list


class PlantDetailView(WorkspaceMixin, DetailView):
    model = Plant
    template_name = "shopfloor/plant_detail.html"
    # A lane's department joined in: one query for the lanes whether or not any has a department.
    queryset = Plant.objects.prefetch_related(
        "departments", Prefetch("lanes", queryset=Lane.objects.select_related("department")), "shifts")


class PlantCreateView(ConfigureRequiredMixin, RecordFormView):
    form_class = forms.PlantForm
    title = "Add a plant"
    submit_label = "Add plant"
    success_message = "{record.name} is ready, with four departments, three lanes and a day shift."

    def get_context_data(self, **kwargs):
        check = limit_check(self.request.tenant, "add_plant")
        return super().get_context_data(limit=check, **kwargs)

    def save(self, form):
        return services.plant_create(organization=self.request.tenant, **form.cleaned_data)


class PlantEditView(ConfigureRequiredMixin, RecordFormView):
    form_class = forms.PlantForm
    submit_label = "Save plant"

    def load(self):
        self.object = get_object_or_404(Plant, pk=self.kwargs["pk"])
        self.title = f"Edit {self.object.name}"

    def save(self, form):
        return services.plant_update(plant=self.object, **form.cleaned_data)


# Departments, lanes and shifts: (model, form, create service, update service, what it is called).
LAYOUT = {
    "department": (Department, forms.DepartmentForm, services.department_create, services.department_update),
    "lane": (Lane, forms.LaneForm, services.lane_create, services.lane_update),
    "shift": (Shift, forms.ShiftForm, services.shift_create, services.shift_update),
}


class LayoutFormView(ConfigureRequiredMixin, RecordFormView):
    """Add (``plant_pk``) or edit (``pk``) one of a plant's departments, lanes or shifts."""

    kind = ""

    def load(self):
        self.model, self.form_class, self.create, self.update = LAYOUT[self.kind]
        if "pk" in self.kwargs:
            self.object = get_object_or_404(self.model, pk=self.kwargs["pk"])
            self.plant = self.object.plant
        else:
            self.plant = get_object_or_404(Plant, pk=self.kwargs["plant_pk"])
        verb = "Edit" if self.object else "Add a"
        self.title = f"{verb} {self.kind} · {self.plant.name}"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.kind != "department":
            kwargs["plant"] = self.plant
        return kwargs

    def save(self, form):
        if self.object is not None:
            return self.update(**{self.kind: self.object}, **form.cleaned_data)
        return self.create(plant=self.plant, **form.cleaned_data)


@require_POST
@login_required
@writable_required
@configure_required
def layout_delete(request, kind: str, pk: int):
    """Delete a department, lane or shift and go back to its plant."""
    record = get_object_or_404(LAYOUT[kind][0], pk=pk)
    plant = record.plant
    services.layout_delete(record=record)
    return redirect(plant)
