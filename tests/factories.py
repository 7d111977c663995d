"""factory_boy factories for every model."""

import factory
from django.utils import timezone

from burden.models import Membership, Unit, User, Violation


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    level = Unit.Level.COMMUNITY
    headcount = 10
    is_grassroots = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.STAFF


class ViolationFactory(factory.django.DjangoModelFactory):
    """A flag, on ``record`` when one is given (its kind, id, units and date), else on a made-up meeting id.

    ``first_seen`` is set after saving (the model stamps it on insert), so tests can date it;
    ``occurred_on`` is the record's date, else the day of ``first_seen``, else today.
    """

    class Meta:
        model = Violation

    class Params:
        record = None

    rule = "MTG-LEADER"  # its message needs no details
    record_kind = factory.Maybe("record", factory.SelfAttribute("record.record_kind"), "meeting")
    record_id = factory.Maybe("record", factory.SelfAttribute("record.pk"), factory.Sequence(lambda n: 100_000 + n))
    unit = factory.Maybe("record", factory.SelfAttribute("record.unit"), factory.SubFactory(UnitFactory))
    source_unit = factory.Maybe("record", factory.SelfAttribute("record.source_unit"), None)
    severity = Violation.Severity.MEDIUM
    status = Violation.Status.OPEN
    details = factory.LazyFunction(dict)
    occurred_on = factory.Maybe("record", factory.SelfAttribute("record.record_date"), None)
    last_seen = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, first_seen=None, **kwargs):
        if kwargs.get("occurred_on") is None:
            kwargs["occurred_on"] = timezone.localdate(first_seen) if first_seen else timezone.localdate()
        violation = super()._create(model_class, *args, **kwargs)
        if first_seen is not None:
            model_class.objects.filter(pk=violation.pk).update(first_seen=first_seen)
            violation.first_seen = first_seen
        return violation


def _record_factories() -> dict:
    """Every record model's factory, found in ``tests/record_factories/<app>.py``.

    A record app adds its module there; the shared record tests then cover it.
    """
    import importlib
    import pkgutil

    from burden.records import BaseRecord

    from . import record_factories

    found = {}
    for module_info in pkgutil.iter_modules(record_factories.__path__):
        module = importlib.import_module(f"{record_factories.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                model = value._meta.model
                if model is not None and issubclass(model, BaseRecord):
                    found.setdefault(model, value)
    return found


RECORD_FACTORIES = _record_factories()
