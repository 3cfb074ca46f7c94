from django import forms
from django.utils.translation import gettext_lazy as _

from .reading import MAX_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File with historic measurements"),
        help_text=_("CSV (UTF-8) or XLSX, in the column format of the import guide."),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file; save nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; split it into smaller files."),
                params={"mb": MAX_BYTES // (1024 * 1024)},
            )
        return upload
