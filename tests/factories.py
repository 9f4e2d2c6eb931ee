"""factory_boy factories shared by every test module."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from enterprises.models import Enterprise, Membership, OperationMode, Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Enterprise {n} Co., Ltd.")
    size_band = "small"
    province = "zhejiang"
    city = "Hangzhou"

    @factory.post_generation
    def modes(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.operation_modes.set(OperationMode.objects.filter(code__in=extracted or ["b2c"]))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    enterprise = factory.SubFactory(EnterpriseFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER
