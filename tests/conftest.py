import uuid

import pytest
from django.core.cache import cache
from django.utils import translation

from . import factories, helpers


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request to /ja/ or /zh-hans/ leaves that language active in the thread, and records made
    with plain fields (name="...") then fill that language's column. Each test starts in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
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
    # Each test builds its data package (archive/services/data_package.py) in a directory of its
    # own, made only when something builds one; never in the repository's var/.
    settings.DATA_PACKAGE_DIR = tmp_path_factory.getbasetemp() / "data-package" / uuid.uuid4().hex
    # Tests sign users in by the hundred: a fast hash, not production's deliberate slowness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


# --- The browser tests' (tests/test_browser.py, tests/test_admin_browser.py) -----------------


@pytest.fixture(scope="module")
def allow_orm_beside_playwright():
    """Playwright's sync API keeps an asyncio event loop running in the test's thread, so Django
    would refuse ORM calls there (SynchronousOnlyOperation) in the fixtures that build data and
    flush the database while the browser is open. Nothing there is async: a browser module allows
    it (`pytest.mark.usefixtures`) for itself only, and the environment is restored afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser():
    """One chromium per module (and per xdist worker): launching costs about a second."""
    with helpers.chromium_browser() as launched:
        yield launched
