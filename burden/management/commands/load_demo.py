from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from burden.demo import DEMO_PASSWORD, load_demo
from burden.demo_records import load_demo_records
from burden.insights.rollups import rollups_rebuild
from burden.models import Unit
from burden.review.demo import load_demo_case_history
from burden.rules.engine import sweep


class Command(BaseCommand):
    help = "Create or refresh the demo city (units and a person for every role) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-records", action="store_true", help="Only the units and the people, without a year of records."
        )
        parser.add_argument(
            "--force", action="store_true", help="Load it even with DEBUG=False (a demo server, never production)."
        )

    def handle(self, *args, no_records=False, force=False, **options):
        # Every demo login, a superuser among them, has a password printed in the README:
        # loaded on a production server it would open the whole city to anyone.
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production server: the demo creates people, a superuser "
                f"among them, whose password ({DEMO_PASSWORD}) is published. Add --force if this is a demo server."
            )
        logins = load_demo()
        with translation.override("en"):
            loaded = {} if no_records else load_demo_records()
        if loaded:
            sweep()  # flag what the demo records break, as the scheduled sweep would
            rollups_rebuild()  # written in bulk, past the services: the dashboards need their roll-ups
            letters = load_demo_case_history()  # a few cases already on the ladder, for the review to show
        units = {u.code: u for u in Unit.objects.filter(code__in=[login.unit_code for login in logins])}
        self.stdout.write(self.style.SUCCESS(f"Demo city ready: {Unit.objects.count()} units."))
        if no_records:
            pass
        elif loaded:
            summary = ", ".join(f"{count} {label}" for label, count in loaded.items())
            self.stdout.write(f"A year of records loaded: {summary}.")
            if letters:
                self.stdout.write(f"Case history: {letters} letters issued, replies and an interview's minutes.")
        else:
            self.stdout.write("Demo records were already loaded; left as they are.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins / 演示账号  (password / 密码: {DEMO_PASSWORD})")
        width = max(len(login.username) for login in logins)
        for login in logins:
            unit = units[login.unit_code]
            extra = "  + superuser" if login.superuser else ""
            self.stdout.write(
                f"  {login.username:<{width}}  {login.role:<11} {unit.code} {unit.name} ({unit.name_en}){extra}"
            )
        self.stdout.write("")
