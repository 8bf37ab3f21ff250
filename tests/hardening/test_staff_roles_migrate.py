"""The staff role groups are created by `migrate` itself, on every run."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from shop.accounts.roles import ROLES


def role_permissions() -> dict[str, set[str]]:
    return {group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
            for group in Group.objects.prefetch_related("permissions__content_type")}


@pytest.mark.django_db
def test_the_groups_exist_on_a_freshly_migrated_database():
    # pytest-django built this database with `migrate`; nothing in the tests created the groups.
    assert role_permissions() == {name: set(permissions) for name, permissions in ROLES.items()}


@pytest.mark.django_db(transaction=True)
def test_migrate_recreates_missing_groups_and_restores_their_permissions():
    Group.objects.filter(name="Owner").delete()
    Group.objects.get(name="Order manager").permissions.clear()
    Group.objects.create(name="Someone else's group")

    call_command("migrate", verbosity=0)

    groups = role_permissions()
    assert {name: groups[name] for name in ROLES} == {name: set(perms) for name, perms in ROLES.items()}
    assert groups["Someone else's group"] == set()
