"""factory_boy factories for every model."""

import factory

from burden.models import Membership, Unit, User


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
