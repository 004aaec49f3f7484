"""python manage.py load_seed [FIXTURE] [--reset]

The demo archive (fixtures/seed.json) without overwriting anyone's work: an object of the
fixture is loaded only when no row has its natural key (slug, alias name, claim and article and
quote...) and none ever had: the history keeps what an editor deleted, or renamed away from the
seed's key, and such an object is not brought back. Objects already there are left as they
are, their links included. `make run` and `make test` use it.

--reset loads the whole fixture over what is there (`loaddata`): the demo as it was shipped,
the editors' changes to it gone. `make reset-demo` does that.
"""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from archive.history import recorded

# The columns of each model's natural key, as they are in its history's events.
NATURAL_KEY_COLUMNS = {
    "source": ["slug"],
    "tag": ["slug"],
    "tagalias": ["name__iexact"],
    "article": ["slug"],
    "claim": ["slug"],
    "claimevidence": ["claim_id", "url"],
    "claimappearance": ["claim_id", "article_id", "quote"],
}


def ever_existed(obj):
    """Whether the history holds a row with `obj`'s natural key (now gone or changed)."""
    name = obj._meta.model_name
    columns = NATURAL_KEY_COLUMNS.get(name)
    if columns is None:
        return False
    events = apps.get_model(obj._meta.app_label, f"{obj.__class__.__name__}Event")
    key = {column: getattr(obj, column.split("__")[0]) for column in columns}
    return events.objects.filter(Q(**key)).exists()


def load_missing(fixture):
    """Loads the objects of `fixture` that are missing (see above); returns the counts of
    those loaded, those already there, and those left out."""
    loaded = kept = left_out = 0
    with open(fixture, encoding="utf-8") as stream:
        entries = json.load(stream)
    for entry in entries:  # one at a time: the fixture is in dependency order
        try:
            (deserialized,) = serializers.deserialize(
                "python", [entry], handle_forward_references=True
            )
        except ObjectDoesNotExist:
            left_out += 1  # it belongs to an object an editor deleted (its natural key)
            continue
        obj = deserialized.object
        if obj.pk is not None:  # found by its natural key: an editor's to change
            kept += 1
        elif ever_existed(obj) or any(
            not field.many_to_many for field in deserialized.deferred_fields
        ):
            left_out += 1  # deleted or renamed by an editor, or refers to what was deleted
        else:
            deserialized.save()
            link_what_remains(obj, deserialized.deferred_fields)
            loaded += 1
    return loaded, kept, left_out


def link_what_remains(obj, deferred):
    """The links of a new object to those of its tags (or sources) that still exist."""
    for field, keys in deferred.items():
        manager = field.remote_field.model._default_manager
        found = []
        for key in keys:
            try:
                found.append(manager.get_by_natural_key(*key))
            except ObjectDoesNotExist:
                continue
        getattr(obj, field.name).set(found)


class Command(BaseCommand):
    help = "Load the demo archive's missing objects, never overwriting what is there."

    def add_arguments(self, parser):
        parser.add_argument("fixture", nargs="?", default="seed")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="load the whole fixture over what is there (the editors' changes to it go)",
        )

    def handle(self, *args, fixture, reset, **options):
        with recorded("command", command="load_seed" + (" --reset" if reset else "")):
            if reset:
                call_command("loaddata", fixture, verbosity=options["verbosity"])
                return
            path = fixture_path(fixture)
            with transaction.atomic():
                loaded, kept, left_out = load_missing(path)
        if options["verbosity"]:
            self.stdout.write(
                f"{path.name}: {loaded} objects loaded, {kept} already there and left as they"
                f" are, {left_out} left out (deleted or renamed by an editor)"
            )


def fixture_path(name):
    path = Path(name)
    if path.is_file():
        return path
    for folder in settings.FIXTURE_DIRS:
        candidate = Path(folder) / (name if name.endswith(".json") else f"{name}.json")
        if candidate.is_file():
            return candidate
    raise CommandError(f"no fixture {name!r} (a JSON file, or a name in FIXTURE_DIRS)")
