"""The organisation's Wat telt policy and its history move to the organisations app.
State only: the tables stay where they are (the models name them in `db_table`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("implementation", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OrganisationPolicy"),
                migrations.DeleteModel(name="PolicyChange"),
            ]
        )
    ]
