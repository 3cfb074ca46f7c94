from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import ANSWER_MAX, QUESTION_MAX


class FaqForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=QUESTION_MAX,
        widget=forms.TextInput(attrs={"class": "utrecht-textbox utrecht-textbox--html-input"}),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "class": "utrecht-textarea"}),
        help_text=_("Plain text. A blank line starts a new paragraph; web addresses become links."),
    )
