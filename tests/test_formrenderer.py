"""One form renderer: a plain Django form comes out in NL Design System components
without naming a CSS class."""

from __future__ import annotations

from django import forms

from wattelt.formrenderer import NLDesignSystemRenderer


class ExampleForm(forms.Form):
    name = forms.CharField(label="Naam")
    team = forms.ChoiceField(label="Team", choices=[("a", "Noord"), ("b", "Zuid")])
    agreed = forms.BooleanField(label="Akkoord")
    kind = forms.ChoiceField(label="Soort", choices=[("x", "X")], widget=forms.RadioSelect)
    note = forms.CharField(label="Notitie", widget=forms.Textarea, required=False)


def test_settings_use_the_one_renderer():
    assert isinstance(ExampleForm().renderer, NLDesignSystemRenderer)


def test_widgets_get_their_component_class():
    html = str(ExampleForm())
    assert 'class="utrecht-textbox utrecht-textbox--html-input"' in html
    assert 'class="utrecht-select utrecht-select--html-select"' in html
    assert 'class="utrecht-checkbox utrecht-checkbox--html-input"' in html
    assert 'class="utrecht-radio-button utrecht-radio-button--html-input"' in html
    assert "utrecht-textarea utrecht-textarea--html-textarea" in html
    assert "<legend" in html and "utrecht-form-fieldset" in html


def test_check_box_sits_inside_its_label():
    html = str(ExampleForm()["agreed"].as_field_group())
    label = html[html.index("<label") : html.index("</label>")]
    assert 'type="checkbox"' in label and "Akkoord" in label


def test_errors_are_summarised_with_links_to_the_fields():
    form = ExampleForm(data={})
    assert not form.is_valid()
    html = str(form)
    summary = html[html.index("error-summary") : html.index("</div>")]
    assert 'href="#id_name"' in summary
    assert 'href="#id_kind_0"' in summary  # a radio group: its first button
    assert 'id="id_name_error"' in html and 'aria-describedby="id_name_error"' in html
    assert "utrecht-textbox--invalid" in html
