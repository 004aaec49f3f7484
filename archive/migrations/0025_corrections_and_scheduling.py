"""Scheduled publishing and corrections in public (archive/models/corrections.py).

- archive_is_public(status, published_at): the rule of archive.models.public_article in SQL, for
  what runs in the database (the triggers of corrections, the "did you mean" vocabulary); like
  Django's Now(), it compares with the time of the statement (a test holds the two equal).
- The vocabulary (migration 0006) is made again from the articles public when it is refreshed;
  archive_search_vocabulary_refresh keeps when that was (archive.tasks refreshes it when an
  article has become public or changed since).
- Article.revised_at, Correction and VerdictChange with their triggers, and the rights of the
  Editors and (where the group exists) Chief editors on them.
"""

import django.db.models.deletion
import django.db.models.functions.datetime
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

PUBLIC_RULE_SQL = """
CREATE OR REPLACE FUNCTION archive_is_public(status text, published_at timestamptz)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT status = 'published' AND published_at <= statement_timestamp()
$fn$;
"""
DROP_PUBLIC_RULE_SQL = "DROP FUNCTION IF EXISTS archive_is_public(text, timestamptz);"

# As in 0006, with the rule; the view is refreshed under a safe search_path, hence the schema.
VOCABULARY_SQL = """
DROP MATERIALIZED VIEW IF EXISTS archive_search_vocabulary;
DO $do$ BEGIN
EXECUTE format($sql$
  CREATE MATERIALIZED VIEW archive_search_vocabulary AS
    SELECT substr(word, 2) AS word, ndoc
    FROM ts_stat('SELECT search_vector FROM %1$I.archive_article
                  WHERE %1$I.archive_is_public(status, published_at)')
    WHERE word LIKE '=%%'
$sql$, current_schema());
END $do$;
CREATE UNIQUE INDEX archive_search_vocabulary_word ON archive_search_vocabulary (word);
CREATE INDEX archive_search_vocabulary_trgm
  ON archive_search_vocabulary USING gin (word gin_trgm_ops);
CREATE TABLE archive_search_vocabulary_refresh (refreshed_at timestamptz NOT NULL);
INSERT INTO archive_search_vocabulary_refresh VALUES (statement_timestamp());
"""
OLD_VOCABULARY_SQL = """
DROP TABLE IF EXISTS archive_search_vocabulary_refresh;
DROP MATERIALIZED VIEW IF EXISTS archive_search_vocabulary;
DO $do$ BEGIN
EXECUTE format($sql$
  CREATE MATERIALIZED VIEW archive_search_vocabulary AS
    SELECT substr(word, 2) AS word, ndoc
    FROM ts_stat('SELECT search_vector FROM %I.archive_article WHERE status = ''published''')
    WHERE word LIKE '=%%'
$sql$, current_schema());
END $do$;
CREATE UNIQUE INDEX archive_search_vocabulary_word ON archive_search_vocabulary (word);
CREATE INDEX archive_search_vocabulary_trgm
  ON archive_search_vocabulary USING gin (word gin_trgm_ops);
"""

RIGHTS = {
    "Editors": ["view_correction", "add_correction", "change_correction", "view_verdictchange"],
    "Chief editors": [
        "view_correction",
        "add_correction",
        "change_correction",
        "delete_correction",
        "view_verdictchange",
        "view_correctionevent",
    ],
}


def grant_rights(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in RIGHTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:  # the chief editors' group comes with the roles' migration
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="archive", codename__in=codenames
                )
            )


def withdraw_rights(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    codenames = {codename for codenames in RIGHTS.values() for codename in codenames}
    for permission in Permission.objects.filter(
        content_type__app_label="archive", codename__in=codenames
    ):
        permission.group_set.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0024_import_records"),
        ("pghistory", "0007_auto_20250421_0444"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(PUBLIC_RULE_SQL, DROP_PUBLIC_RULE_SQL),
        migrations.CreateModel(
            name="Correction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "note",
                    models.TextField(
                        help_text="What was wrong and what the article says now, for readers.",
                        verbose_name="correction",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        editable=False,
                        verbose_name="date",
                    ),
                ),
                (
                    "made_while_public",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        verbose_name="made while the article was public",
                    ),
                ),
            ],
            options={
                "verbose_name": "correction",
                "verbose_name_plural": "corrections",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="CorrectionEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "note",
                    models.TextField(
                        help_text="What was wrong and what the article says now, for readers.",
                        verbose_name="correction",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        editable=False,
                        verbose_name="date",
                    ),
                ),
                (
                    "made_while_public",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        verbose_name="made while the article was public",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="VerdictChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(), verbose_name="date"
                    ),
                ),
                (
                    "from_verdict",
                    models.CharField(
                        choices=[
                            ("unverified", "Unverified"),
                            ("supported", "Supported"),
                            ("disputed", "Disputed"),
                            ("false", "False"),
                            ("misleading", "Misleading"),
                        ],
                        max_length=12,
                        verbose_name="earlier verdict",
                    ),
                ),
                (
                    "to_verdict",
                    models.CharField(
                        choices=[
                            ("unverified", "Unverified"),
                            ("supported", "Supported"),
                            ("disputed", "Disputed"),
                            ("false", "False"),
                            ("misleading", "Misleading"),
                        ],
                        max_length=12,
                        verbose_name="new verdict",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="public note")),
                (
                    "made_while_public",
                    models.BooleanField(
                        default=False, verbose_name="made while the claim was public"
                    ),
                ),
            ],
            options={
                "verbose_name": "verdict change",
                "verbose_name_plural": "verdict changes",
                "ordering": ["changed_at", "id"],
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="article",
            name="create_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="article",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="article",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="article",
            name="revised_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the title, lead or body last changed while the article was public.",
                null=True,
                verbose_name="revised while public at",
            ),
        ),
        migrations.AddField(
            model_name="articleevent",
            name="revised_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the title, lead or body last changed while the article was public.",
                null=True,
                verbose_name="revised while public at",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="create_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "archive_articleevent" ("author", "body", "created_at", "id", "language", "lead", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "revised_at", "slug", "source_id", "status", "title", "updated_at", "updated_by_id", "url", "withdrawn_at") SELECT new_values."author", new_values."body", new_values."created_at", new_values."id", new_values."language", new_values."lead", _pgh_attached_context.value, NOW(), \'create\', new_values."id", new_values."published_at", new_values."revised_at", new_values."slug", new_values."source_id", new_values."status", new_values."title", new_values."updated_at", new_values."updated_by_id", new_values."url", new_values."withdrawn_at" FROM ( SELECT new_values.* FROM new_values  ) AS new_values, _pgh_attached_context; RETURN NULL;',
                    hash="33bef59b99f32d7fe999deae2d02e8b62918f7a4",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_create_insert_e946b",
                    referencing="REFERENCING NEW TABLE AS new_values ",
                    table="archive_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "archive_articleevent" ("author", "body", "created_at", "id", "language", "lead", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "revised_at", "slug", "source_id", "status", "title", "updated_at", "updated_by_id", "url", "withdrawn_at") SELECT new_values."author", new_values."body", new_values."created_at", new_values."id", new_values."language", new_values."lead", _pgh_attached_context.value, NOW(), \'update\', new_values."id", new_values."published_at", new_values."revised_at", new_values."slug", new_values."source_id", new_values."status", new_values."title", new_values."updated_at", new_values."updated_by_id", new_values."url", new_values."withdrawn_at" FROM ( SELECT new_values.* FROM old_values JOIN new_values ON (old_values."id") = (new_values."id") WHERE (old_values."author" IS DISTINCT FROM (new_values."author") OR old_values."body" IS DISTINCT FROM (new_values."body") OR old_values."id" IS DISTINCT FROM (new_values."id") OR old_values."language" IS DISTINCT FROM (new_values."language") OR old_values."lead" IS DISTINCT FROM (new_values."lead") OR old_values."published_at" IS DISTINCT FROM (new_values."published_at") OR old_values."revised_at" IS DISTINCT FROM (new_values."revised_at") OR old_values."slug" IS DISTINCT FROM (new_values."slug") OR old_values."source_id" IS DISTINCT FROM (new_values."source_id") OR old_values."status" IS DISTINCT FROM (new_values."status") OR old_values."title" IS DISTINCT FROM (new_values."title") OR old_values."updated_by_id" IS DISTINCT FROM (new_values."updated_by_id") OR old_values."url" IS DISTINCT FROM (new_values."url") OR old_values."withdrawn_at" IS DISTINCT FROM (new_values."withdrawn_at")) ) AS new_values, _pgh_attached_context; RETURN NULL;',
                    hash="18a740d871084c6a853a28baf005588d0e91bbc8",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_4266a",
                    referencing="REFERENCING OLD TABLE AS old_values  NEW TABLE AS new_values ",
                    table="archive_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "archive_articleevent" ("author", "body", "created_at", "id", "language", "lead", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "revised_at", "slug", "source_id", "status", "title", "updated_at", "updated_by_id", "url", "withdrawn_at") SELECT old_values."author", old_values."body", old_values."created_at", old_values."id", old_values."language", old_values."lead", _pgh_attached_context.value, NOW(), \'delete\', old_values."id", old_values."published_at", old_values."revised_at", old_values."slug", old_values."source_id", old_values."status", old_values."title", old_values."updated_at", old_values."updated_by_id", old_values."url", old_values."withdrawn_at" FROM ( SELECT old_values.* FROM old_values  ) AS old_values, _pgh_attached_context; RETURN NULL;',
                    hash="a7fed3f50fe0e7013d5745be5140febcdd7c135c",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_fdf42",
                    referencing="REFERENCING OLD TABLE AS old_values ",
                    table="archive_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="article_revised_while_public",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN ((OLD.title, OLD.lead, OLD.body) IS DISTINCT FROM (NEW.title, NEW.lead, NEW.body) OR OLD.revised_at IS DISTINCT FROM NEW.revised_at)",
                    func="\n            IF (OLD.title, OLD.lead, OLD.body) IS DISTINCT FROM (NEW.title, NEW.lead, NEW.body)\n               AND archive_is_public(OLD.status, OLD.published_at) THEN\n                NEW.revised_at := now();\n            ELSE\n                NEW.revised_at := OLD.revised_at;\n            END IF;\n            RETURN NEW;\n        ",
                    hash="d8898f545214f581eef338fcf401ed2742504ce3",
                    operation="UPDATE",
                    pgid="pgtrigger_article_revised_while_public_560ce",
                    table="archive_article",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="claim",
            trigger=pgtrigger.compiler.Trigger(
                name="claim_verdict_changes",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."verdict" IS DISTINCT FROM (NEW."verdict"))',
                    func="\n            INSERT INTO archive_verdictchange\n                (claim_id, changed_at, from_verdict, to_verdict, note, made_while_public)\n            VALUES (NEW.id, now(), OLD.verdict, NEW.verdict, '',\n                    EXISTS (\n    SELECT 1 FROM archive_claimappearance ca JOIN archive_article a ON a.id = ca.article_id\n    WHERE ca.claim_id = NEW.id AND archive_is_public(a.status, a.published_at)));\n            RETURN NULL;\n        ",
                    hash="aec8a86a4f800756509613957b5cfc639fdcf6c8",
                    operation="UPDATE",
                    pgid="pgtrigger_claim_verdict_changes_bc256",
                    table="archive_claim",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddField(
            model_name="correction",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="corrections",
                to="archive.article",
                verbose_name="article",
            ),
        ),
        migrations.AddField(
            model_name="correction",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="added by",
            ),
        ),
        migrations.AddField(
            model_name="correctionevent",
            name="article",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="archive.article",
                verbose_name="article",
            ),
        ),
        migrations.AddField(
            model_name="correctionevent",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="added by",
            ),
        ),
        migrations.AddField(
            model_name="correctionevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="correctionevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="archive.correction",
            ),
        ),
        migrations.AddField(
            model_name="verdictchange",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="verdict_changes",
                to="archive.claim",
                verbose_name="claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="correction",
            constraint=models.CheckConstraint(
                condition=models.Q(("note__regex", "\\S")),
                name="correction_note_not_blank",
                violation_error_message="The correction cannot be empty.",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="correction_made_while_public",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\n                    IF TG_OP = 'INSERT' OR NEW.article_id IS DISTINCT FROM OLD.article_id THEN\n                        NEW.made_while_public := coalesce((\n                            SELECT archive_is_public(a.status, a.published_at)\n                            FROM archive_article a WHERE a.id = NEW.article_id), false);\n                    ELSE\n                        NEW.made_while_public := OLD.made_while_public;\n                    END IF;\n                    RETURN NEW;\n                ",
                    hash="3a69a04327a6b0f64e0961b2856a4029dfd68211",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_correction_made_while_public_98dfe",
                    table="archive_correction",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="create_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "archive_correctionevent" ("article_id", "created_at", "created_by_id", "id", "made_while_public", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") SELECT new_values."article_id", new_values."created_at", new_values."created_by_id", new_values."id", new_values."made_while_public", new_values."note", _pgh_attached_context.value, NOW(), \'create\', new_values."id" FROM ( SELECT new_values.* FROM new_values  ) AS new_values, _pgh_attached_context; RETURN NULL;',
                    hash="17233b43d6349f586f8b9c650f7d85d5a0760e9b",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_create_insert_b4bac",
                    referencing="REFERENCING NEW TABLE AS new_values ",
                    table="archive_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "archive_correctionevent" ("article_id", "created_at", "created_by_id", "id", "made_while_public", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") SELECT new_values."article_id", new_values."created_at", new_values."created_by_id", new_values."id", new_values."made_while_public", new_values."note", _pgh_attached_context.value, NOW(), \'update\', new_values."id" FROM ( SELECT new_values.* FROM old_values JOIN new_values ON (old_values."id") = (new_values."id") WHERE (old_values.* IS DISTINCT FROM new_values.*) ) AS new_values, _pgh_attached_context; RETURN NULL;',
                    hash="8cbc893e9dea711ef2c67f0e76ae10d6c9800da0",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a5305",
                    referencing="REFERENCING OLD TABLE AS old_values  NEW TABLE AS new_values ",
                    table="archive_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "archive_correctionevent" ("article_id", "created_at", "created_by_id", "id", "made_while_public", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") SELECT old_values."article_id", old_values."created_at", old_values."created_by_id", old_values."id", old_values."made_while_public", old_values."note", _pgh_attached_context.value, NOW(), \'delete\', old_values."id" FROM ( SELECT old_values.* FROM old_values  ) AS old_values, _pgh_attached_context; RETURN NULL;',
                    hash="c3586279f484742965d899ea695358a63562941c",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_ee522",
                    referencing="REFERENCING OLD TABLE AS old_values ",
                    table="archive_correction",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="verdictchange",
            index=models.Index(fields=["claim", "changed_at"], name="verdictchange_claim_date"),
        ),
        migrations.RunSQL(VOCABULARY_SQL, OLD_VOCABULARY_SQL),
        migrations.RunPython(grant_rights, withdraw_rights),
    ]
