"""The admin's own name and the sign-in lockout page, in the three languages."""

import pytest
from django.test import Client

from . import factories

pytestmark = pytest.mark.django_db

NAMES = {"en": "Forum Archive", "zh-hans": "论坛档案库", "ja": "フォーラム・アーカイブ"}
INDEX_TITLES = {"en": "Editors' admin", "zh-hans": "编辑后台", "ja": "編集者用管理画面"}


@pytest.mark.parametrize("language", NAMES)
def test_admin_is_titled_forum_archive_in_each_language(editor_client, language):
    page = editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language)

    index_title = {"en": "Editors' admin", "zh-hans": "编辑后台", "ja": "編集者用管理画面"}[
        language
    ]
    assert page.context["site_header"] == NAMES[language]
    assert f"<title>{index_title} | {NAMES[language]}</title>" in page.text.replace("&#x27;", "'")
    assert f'<a href="/admin/">{NAMES[language]}</a>' in page.text
    assert "Django" not in page.text.split("<body")[1].split('id="content-main"')[0]


LOCKOUT = {
    "en": ["Sign-in locked", "15 minutes", "manage.py axes_reset_username editor-x"],
    "zh-hans": ["登录已锁定", "15 分钟", "manage.py axes_reset_username editor-x"],
    "ja": ["サインインがロックされました", "15 分", "manage.py axes_reset_username editor-x"],
}


@pytest.mark.parametrize("language", LOCKOUT)
def test_lockout_page_says_how_long_and_what_to_do_with_status_429(language):
    factories.EditorFactory(username="editor-x")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    responses = [
        client.post("/admin/login/", {"username": "editor-x", "password": f"wrong-{n}"})
        for n in range(5)
    ]

    locked = responses[-1]
    assert locked.status_code == 429
    for text in LOCKOUT[language]:
        assert text in locked.text
    assert NAMES[language] in locked.text


def test_lockout_page_follows_the_cooloff_setting(settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(hours=1)
    factories.EditorFactory(username="editor-y")
    client = Client()
    for n in range(5):
        locked = client.post("/admin/login/", {"username": "editor-y", "password": f"bad-{n}"})
    assert locked.status_code == 429
    assert "60 minutes" in locked.text
