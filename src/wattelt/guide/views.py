"""The guide for staff and the organisation's FAQ (read by all its staff, edited by
its organisation admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.web import StaffRequest, add_service_errors

from . import services
from .forms import FaqForm
from .models import FaqEntry, may_manage_faq
from .pages import BY_SLUG, PAGES


@login_required
def index(request: StaffRequest) -> HttpResponse:
    context = {
        "pages": PAGES,
        "has_faq": FaqEntry.objects.visible_to(request.user).exists(),
        "may_manage": may_manage_faq(request.user),
    }
    return render(request, "guide/index.html", context)


@login_required
def page(request: StaffRequest, slug: str) -> HttpResponse:
    chosen = BY_SLUG.get(slug)
    if chosen is None:
        raise Http404
    index = PAGES.index(chosen)
    context = {
        "page": chosen,
        "pages": PAGES,
        "previous": PAGES[index - 1] if index > 0 else None,
        "next": PAGES[index + 1] if index + 1 < len(PAGES) else None,
    }
    return render(request, chosen.template, context)


@login_required
def faq(request: StaffRequest) -> HttpResponse:
    context = {
        "entries": FaqEntry.objects.visible_to(request.user),
        "may_manage": may_manage_faq(request.user),
        "pages": PAGES,
        "faq_page": True,
    }
    return render(request, "guide/faq.html", context)


@login_required
def faq_manage(request: StaffRequest) -> HttpResponse:
    """The list to edit, a form to add one, and the history of changes."""
    if not may_manage_faq(request.user):
        raise Http404
    organisation = request.user.organisation
    assert organisation is not None
    form = FaqForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_entry(
                organisation,
                request.user,
                form.cleaned_data["question"],
                form.cleaned_data["answer"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The question has been added."))
            return redirect("guide:faq_manage")
    context = {
        "form": form,
        "entries": FaqEntry.objects.managed_by(request.user),
        "history": services.history(organisation),
    }
    return render(request, "guide/faq_manage.html", context)


@login_required
def faq_edit(request: StaffRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(FaqEntry.objects.managed_by(request.user), pk=pk)
    form = FaqForm(
        request.POST or None, initial={"question": entry.question, "answer": entry.answer}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_entry(
                entry, request.user, form.cleaned_data["question"], form.cleaned_data["answer"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The question has been saved."))
            return redirect("guide:faq_manage")
    return render(request, "guide/faq_edit.html", {"form": form, "entry": entry})


@login_required
@require_POST
def faq_move(request: StaffRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(FaqEntry.objects.managed_by(request.user), pk=pk)
    services.move_entry(entry, request.user, up=request.POST.get("direction") != "down")
    return redirect("guide:faq_manage")


@login_required
@require_POST
def faq_delete(request: StaffRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(FaqEntry.objects.managed_by(request.user), pk=pk)
    services.delete_entry(entry, request.user)
    messages.success(request, _("The question has been deleted."))
    return redirect("guide:faq_manage")
