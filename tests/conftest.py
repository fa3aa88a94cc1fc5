import pytest

from . import factories


@pytest.fixture(autouse=True)
def _plain_static_files(settings, tmp_path_factory):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
