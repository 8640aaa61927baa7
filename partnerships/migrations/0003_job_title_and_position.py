"""`position` meant a job title on representatives and signatories and a sort
order everywhere else: the job title becomes `job_title`, and their `order`
becomes `position` like every other model's. Data and stale marks are kept."""

from django.db import migrations, models


def rename_stale_marks(apps, schema_editor, old="position", new="job_title"):
    for name in ["Representative", "Signatory"]:
        model = apps.get_model("partnerships", name)
        for row in model.objects.exclude(translation_stale=[]).only("translation_stale"):
            marks = [new if mark == old else mark for mark in row.translation_stale]
            if marks != row.translation_stale:
                model.objects.filter(pk=row.pk).update(translation_stale=sorted(marks))


def restore_stale_marks(apps, schema_editor):
    rename_stale_marks(apps, schema_editor, old="job_title", new="position")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_link_schemes_and_stale_field_names"),
    ]

    operations = [
        migrations.RenameField("representative", "position", "job_title"),
        migrations.RenameField("representative", "position_ja", "job_title_ja"),
        migrations.RenameField("representative", "order", "position"),
        migrations.RenameField("signatory", "position", "job_title"),
        migrations.RenameField("signatory", "position_ja", "job_title_ja"),
        migrations.RenameField("signatory", "order", "position"),
        migrations.AlterModelOptions(
            name="representative",
            options={
                "ordering": ["partner", "position", "family_name"],
                "verbose_name": "representative",
                "verbose_name_plural": "representatives",
            },
        ),
        migrations.AlterModelOptions(
            name="signatory",
            options={
                "ordering": ["agreement", "position", "name"],
                "verbose_name": "signatory",
                "verbose_name_plural": "signatories",
            },
        ),
        migrations.AlterField(
            model_name="representative",
            name="job_title",
            field=models.CharField(
                help_text="Job title(s), e.g. “Senior Advisor”.",
                max_length=255,
                verbose_name="job title",
            ),
        ),
        migrations.AlterField(
            model_name="representative",
            name="job_title_ja",
            field=models.CharField(
                blank=True, max_length=255, verbose_name="job title (Japanese)"
            ),
        ),
        migrations.AlterField(
            model_name="signatory",
            name="job_title",
            field=models.CharField(
                help_text="e.g. “Director-General”.", max_length=255, verbose_name="job title"
            ),
        ),
        migrations.AlterField(
            model_name="signatory",
            name="job_title_ja",
            field=models.CharField(
                blank=True, max_length=255, verbose_name="job title (Japanese)"
            ),
        ),
        migrations.RunPython(rename_stale_marks, restore_stale_marks),
    ]
