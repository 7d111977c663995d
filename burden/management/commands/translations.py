"""Compile and check the message catalogues without GNU gettext.

Users' machines often lack gettext, so the compiled ``.mo`` files are committed and
this command (pure Python, via polib) is what writes and verifies them:

- ``translations compile``: write every ``locale/*/LC_MESSAGES/*.mo`` from its ``.po``;
- ``translations check``: fail if a ``.po`` has an untranslated, fuzzy or obsolete
  message, or if its ``.mo`` says something else than the ``.po``.

Finding messages in the sources still needs gettext: ``make messages`` runs Django's
``makemessages`` first, and CI does too before ``check`` to catch stale catalogues.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogues() -> list[Path]:
    return sorted(Path(p) for locale in settings.LOCALE_PATHS for p in Path(locale).glob("*/LC_MESSAGES/*.po"))


def _messages(entries) -> dict:
    """(context, msgid, plural) -> translations, for comparing a .po with its .mo."""
    result = {}
    for entry in entries:
        if entry.obsolete or not entry.msgid:
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
        result[key] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)) or (entry.msgstr,)
    return result


def catalogue_problems(po_path: Path) -> list[str]:
    """Everything wrong with one catalogue, as readable lines (empty when it is sound)."""
    po = polib.pofile(str(po_path))
    problems = []
    for entry in po:
        label = f"{po_path}: {entry.msgid[:60]!r}"
        if entry.obsolete:
            problems.append(f"{label} is obsolete (no longer in the sources)")
        elif "fuzzy" in entry.flags:
            problems.append(f"{label} is fuzzy")
        elif not entry.translated():
            problems.append(f"{label} is not translated")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        problems.append(f"{mo_path} is missing; run: python manage.py translations compile")
    elif _messages(polib.mofile(str(mo_path))) != _messages(entry for entry in po if "fuzzy" not in entry.flags):
        problems.append(f"{mo_path} does not match {po_path.name}; run: python manage.py translations compile")
    return problems


class Command(BaseCommand):
    help = "Compile (.po -> .mo) or check the message catalogues, without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "check"])

    def handle(self, *args, action, **options):
        paths = catalogues()
        if not paths:
            raise CommandError("No .po catalogue found under LOCALE_PATHS.")
        if action == "compile":
            for path in paths:
                polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
                self.stdout.write(f"compiled {path.with_suffix('.mo')}")
            return
        problems = [problem for path in paths for problem in catalogue_problems(path)]
        if problems:
            raise CommandError("Translation catalogues are incomplete:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS(f"{len(paths)} catalogue(s) complete and compiled."))
