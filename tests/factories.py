"""factory_boy factories for every model."""

import datetime

import factory

from burden.models import Membership, Unit, User
from meetings.models import Meeting


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


# --- Records ------------------------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"工作部署会{n}")
    date = datetime.date(2026, 3, 2)
    unit = factory.SubFactory(UnitFactory)
    duration_minutes = 90
    attendees = 2
    accompanying = 0
    travel_minutes = 30
    mode = Meeting.Mode.IN_PERSON
    category = Meeting.Category.DEPLOYMENT


#: The factory of every record model; the shared record tests run over all of them.
RECORD_FACTORIES = {Meeting: MeetingFactory}
