"""One form renderer: every Django form and field comes out as NL Design System components.

Forms never name CSS classes. The renderer lays fields out with the templates in
``templates/forms/`` (form field, label, description, error message; checkbox with its
label beside; radio and checkbox groups as fieldset and legend) and gives each widget the
class of its NL Design System component when it is rendered.
"""

from typing import Any

from django.forms.renderers import TemplatesSetting

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
SELECT = "utrecht-select utrecht-select--html-select"
TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"
CHECKBOX = "utrecht-checkbox utrecht-checkbox--html-input"
RADIO = "utrecht-radio-button utrecht-radio-button--html-input"

# Input types that are not typed into: no textbox look.
NOT_TEXTBOX = {"hidden", "checkbox", "radio", "file", "submit", "button", "image", "reset"}


def _add_class(attrs: dict[str, Any], css_class: str) -> None:
    classes = css_class.split()
    classes += [name for name in attrs.get("class", "").split() if name not in classes]
    attrs["class"] = " ".join(classes)


def component_class(widget: dict[str, Any]) -> str | None:
    """The NL Design System class for a widget's render context, or None."""
    template = widget.get("template_name", "")
    input_type = widget.get("type")
    if template.endswith("select.html"):
        return SELECT
    if template.endswith("textarea.html"):
        return TEXTAREA
    if "optgroups" in widget:  # radio buttons and checkbox groups: the options carry it
        return None
    if input_type == "checkbox":
        return CHECKBOX
    if input_type and input_type not in NOT_TEXTBOX:
        return TEXTBOX
    return None


class NLDesignSystemRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict):
            invalid = "aria-invalid" in widget.get("attrs", {})
            css_class = component_class(widget)
            if css_class:
                block = css_class.split()[0]
                _add_class(
                    widget["attrs"], f"{css_class} {block}--invalid" if invalid else css_class
                )
            # Each radio button or check box of a group (a select's options have no type).
            for _group, options, _index in widget.get("optgroups", ()):
                for option in options:
                    option_class = {"radio": RADIO, "checkbox": CHECKBOX}.get(option.get("type"))
                    if option_class:
                        _add_class(option["attrs"], option_class)
        return super().render(template_name, context, request)
