"""Pages for materials, work orders and NCRs: lists with filters, detail, create, edit, status moves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from shopfloor import forms, selectors, services, states
from shopfloor.models import NCR, Material, WorkOrder
from shopfloor.permissions import ConfigureRequiredMixin
from shopfloor.views.base import RecordFormView, RecordListView, WorkspaceMixin
from subscriptions.gates import feature_required, writable_required

QUALITY = "quality_management"


class MaterialListView(RecordListView):
    template_name = "shopfloor/material_list.html"
    filter_form_class = forms.MaterialFilterForm
    select = selectors.material_list


class MaterialDetailView(WorkspaceMixin, DetailView):
    model = Material
    template_name = "shopfloor/material_detail.html"


class MaterialCreateView(ConfigureRequiredMixin, RecordFormView):
    form_class = forms.MaterialForm
    title = "Add a material"
    success_message = "Material {record.sku} added."

    def save(self, form):
        return services.material_create(**form.cleaned_data)


class MaterialEditView(ConfigureRequiredMixin, RecordFormView):
    form_class = forms.MaterialForm

    def load(self):
        self.object = get_object_or_404(Material, pk=self.kwargs["pk"])
        self.title = f"Edit {self.object.sku}"

    def save(self, form):
        return services.material_update(material=self.object, **form.cleaned_data)


class MaterialAdjustView(RecordFormView):
    """Record a stock count; every role may do this."""

    form_class = forms.MaterialAdjustForm
    submit_label = "Save count"
    success_message = "{record.sku} now shows {record.quantity_on_hand} on hand."

    def load(self):
        self.object = get_object_or_404(Material, pk=self.kwargs["pk"])
        self.title = f"Count {self.object.sku} · {self.object.name}"

    def get_initial(self):
        return {"quantity_on_hand": self.object.quantity_on_hand}

    def save(self, form):
        return services.material_adjust(material=self.object, **form.cleaned_data)


class WorkOrderListView(RecordListView):
    template_name = "shopfloor/work_order_list.html"
    filter_form_class = forms.WorkOrderFilterForm
    select = selectors.work_order_list


class WorkOrderDetailView(WorkspaceMixin, DetailView):
    model = WorkOrder
    template_name = "shopfloor/work_order_detail.html"
    queryset = WorkOrder.objects.select_related("material", "plant", "lane")

    def get_context_data(self, **kwargs):
        verb = states.WORK_ORDER_VERBS.get(self.object.next_status)
        return super().get_context_data(next_verb=verb, ncrs=self.object.ncrs.all(), **kwargs)


class WorkOrderCreateView(RecordFormView):
    form_class = forms.WorkOrderForm
    title = "New work order"
    success_message = "{record.number} is planned."

    def get_initial(self):
        return {key: self.request.GET.get(key) for key in ("material", "plant") if self.request.GET.get(key)}

    def save(self, form):
        return services.work_order_create(**form.cleaned_data)


class WorkOrderEditView(RecordFormView):
    form_class = forms.WorkOrderForm

    def load(self):
        self.object = get_object_or_404(WorkOrder, pk=self.kwargs["pk"])
        self.title = f"Edit {self.object.number}"

    def save(self, form):
        return services.work_order_update(work_order=self.object, **form.cleaned_data)


class NCRListView(RecordListView):
    template_name = "shopfloor/ncr_list.html"
    required_feature = QUALITY
    filter_form_class = forms.NCRFilterForm
    select = selectors.ncr_list


class NCRDetailView(WorkspaceMixin, DetailView):
    model = NCR
    template_name = "shopfloor/ncr_detail.html"
    required_feature = QUALITY
    queryset = NCR.objects.select_related("work_order__plant", "material", "reported_by")  # the plant: its zone

    def get_context_data(self, **kwargs):
        return super().get_context_data(next_verb=states.NCR_VERBS.get(self.object.next_status), **kwargs)


class NCRCreateView(RecordFormView):
    """The quick form: what it is about, how bad, what is wrong."""

    form_class = forms.NCRQuickForm
    template_name = "shopfloor/ncr_form.html"
    required_feature = QUALITY
    title = "Report a non-conformance"
    submit_label = "Report NCR"
    success_message = "{record.number} reported."

    def get_initial(self):
        return {key: self.request.GET.get(key) for key in ("work_order", "material") if self.request.GET.get(key)}

    def save(self, form):
        return services.ncr_create(organization=self.request.tenant, reported_by=self.request.user,
                                   impersonated_by=self.request.session.get("impersonator", ""), **form.cleaned_data)


class NCREditView(RecordFormView):
    form_class = forms.NCRForm
    required_feature = QUALITY

    def load(self):
        self.object = get_object_or_404(NCR, pk=self.kwargs["pk"])
        self.title = f"Edit {self.object.number}"

    def save(self, form):
        return services.ncr_update(ncr=self.object, **form.cleaned_data)


def _advance(request, record, service, **kwargs):
    try:
        record = service(to=request.POST.get("to") or None, **kwargs)
        messages.success(request, f"{record} is now {record.get_status_display().lower()}.")
    except (states.IllegalStatusChange, states.DispositionPending, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect(record)


@require_POST
@login_required
@writable_required
def work_order_advance(request, pk: int):
    """Move a work order to its next status (planned → released → in progress → completed → closed)."""
    work_order = get_object_or_404(WorkOrder, pk=pk)
    return _advance(request, work_order, services.work_order_advance, work_order=work_order)


@require_POST
@login_required
@feature_required(QUALITY)
@writable_required
def ncr_advance(request, pk: int):
    """Move an NCR to its next status (open → investigating → closed)."""
    ncr = get_object_or_404(NCR, pk=pk)
    return _advance(request, ncr, services.ncr_advance, ncr=ncr)
