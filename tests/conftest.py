import pytest
from django.core.cache import cache

from . import factories


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tests render pages without collectstatic, and each starts with an empty private cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests",
        }
    }
    cache.clear()


@pytest.fixture
def editor(db):
    return factories.EditorFactory()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def staff_client(client, db):
    """A staff member outside the Editors group."""
    client.force_login(factories.UserFactory(is_staff=True))
    return client
