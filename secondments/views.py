from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from burden.record_views import RecordConfig, RecordDetailView

from .filters import SecondmentFilterSet
from .forms import ExtensionForm, SecondmentForm
from .models import Extension, Secondment
from .services import secondment_extend

config = RecordConfig(
    model=Secondment,
    form_class=SecondmentForm,
    filterset_class=SecondmentFilterSet,
    columns=[
        "start_date",
        "person_name",
        "host_name",
        "arrangement",
        "unit",
        "source_unit",
        "planned_end_date",
        "returned_on",
    ],
    sort_fields=["start_date", "person_name", "planned_end_date", "returned_on", "burden_hours"],
    detail_extra_template="secondments/clock.html",
    estimate_fields=["start_date", "planned_end_date", "returned_on"],
    icon="person-badge",
)


class SecondmentExtendView(RecordDetailView):
    """Adds an extension from the clock panel; a refused one shows the detail page again with its errors."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = secondment = self.get_object()  # scoped: 404 outside one's units
        form = ExtensionForm(request.POST, instance=Extension(secondment=secondment))
        if form.is_valid():
            try:
                secondment_extend(secondment=secondment, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Extended to %(date)s.") % {"date": date_format(form.cleaned_data["new_end_date"])}
                )
                return HttpResponseRedirect(secondment.get_absolute_url())
        return self.render_to_response(self.get_context_data(object=secondment, extension_form=form))
