"""The default catalogue's cards in Arabic, Turkish, Polish, Ukrainian and Tigrinya, and
its wording for young people. Only adds: the Dutch and English words stay."""

from django.db import migrations


def add_translations(apps, schema_editor):
    from wattelt.instrument.catalogue import add_default_translations

    Domain = apps.get_model("instrument", "Domain")
    for domain in Domain.objects.filter(catalogue__organisation__isnull=True):
        if add_default_translations(domain):
            domain.save()


class Migration(migrations.Migration):
    dependencies = [("instrument", "0004_catalogue_languages_and_youth_wording")]

    operations = [migrations.RunPython(add_translations, migrations.RunPython.noop)]
