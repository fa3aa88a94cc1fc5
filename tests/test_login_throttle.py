"""Admin login throttling behind the documented proxy (archive/http/login_throttle.py): the
attacker's address is locked, never the proxy's, so editors behind the same proxy keep working;
spraying guesses across usernames from one address locks that address."""

import pytest
from django.test import Client

from . import factories

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # what REMOTE_ADDR is for every request behind the proxy
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def through_proxy(address, claimed=None):
    """A client whose requests reach us through the proxy, which appends `address`; `claimed` is
    what the client itself wrote into X-Forwarded-For (a forgery the proxy passes on)."""
    forwarded = f"{claimed}, {address}" if claimed else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def test_failures_through_the_proxy_lock_the_attacker_not_the_editor():
    factories.EditorFactory(username="editor-a")
    attacker = through_proxy("203.0.113.9")
    statuses = [login(attacker, "editor-a", f"wrong-{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert login(attacker, "editor-a", PASSWORD).status_code == 429
    editor = through_proxy("198.51.100.7")
    response = login(editor, "editor-a", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_a_forged_forwarded_for_does_not_change_the_address_throttled():
    factories.EditorFactory(username="editor-b")
    for n in range(5):
        # Each request claims another address; the proxy's entry is what counts.
        login(through_proxy("203.0.113.9", claimed=f"192.0.2.{n}"), "editor-b", f"wrong-{n}")
    assert (
        login(through_proxy("203.0.113.9", claimed="192.0.2.99"), "editor-b", PASSWORD).status_code
        == 429
    )


def test_password_spraying_across_usernames_locks_the_address():
    factories.EditorFactory(username="editor-c")
    sprayer = through_proxy("203.0.113.50")
    names = [f"user-{n}" for n in range(15)]
    attempts = [(name, guess) for name in names for guess in range(4)]  # 60, 4 per username
    statuses = [login(sprayer, name, f"guess-{guess}").status_code for name, guess in attempts]
    # No username fails five times, but the address's twentieth failure locks it.
    assert statuses.index(429) == 19
    assert set(statuses[20:]) == {429}
    assert login(sprayer, "editor-c", PASSWORD).status_code == 429
    assert login(through_proxy("198.51.100.8"), "editor-c", PASSWORD).status_code == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    factories.EditorFactory(username="editor-d")
    for n in range(5):
        login(
            Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "editor-d", "x"
        )
    direct = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert login(direct, "editor-d", PASSWORD).status_code == 429
