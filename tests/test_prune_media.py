"""manage.py prune_media: unused media files (replaced pictures, old and draft cards) go, every
file a record or public page uses stays."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from archive import images
from archive.models import Edition
from archive.opendata import cards

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (9, 99, 199)).save(buffer, "JPEG")
    return SimpleUploadedFile("me.jpg", buffer.getvalue())


def files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def prune(*args):
    out = io.StringIO()
    call_command("prune_media", *args, stdout=out)
    return out.getvalue()


def test_replaced_portraits_and_stale_cards_go_and_used_files_stay(client, media):
    appearance = factories.AppearanceFactory()
    participant = appearance.participant
    participant.photo = jpeg()
    participant.save()
    old = participant.photo.name
    participant.photo = jpeg()  # the editor replaces the portrait
    participant.save()
    current = participant.photo.name
    draft = factories.EditionFactory(status=Edition.Status.DRAFT)
    draft_card = cards.ensure_card(cards.card_for(draft))  # a staff preview drew it
    public_card = cards.ensure_card(cards.card_for(appearance.edition))
    stale_card = cards.ensure_card(cards.Card("Forum Archive", "An old title"))
    stray = default_storage.save("portraits/failed-upload.jpg", jpeg())

    old_files = {
        old,
        *(images.rendition_name(old, w, f) for w in (160, 640) for f in ("WEBP", "JPEG")),
    }
    gone = sorted({*old_files, draft_card, stale_card, stray})
    before = files(media)

    assert prune("--dry-run") == "".join(f"would delete {n}\n" for n in gone) + (
        f"{len(gone)} unused media files would be deleted.\n"
    )
    assert files(media) == before
    assert prune() == f"{len(gone)} unused media files deleted.\n"
    assert files(media) == sorted(set(before) - set(gone))
    assert current in files(media) and public_card in files(media)
    assert prune() == "0 unused media files deleted.\n"


def test_files_outside_the_archive_folders_are_left_alone(media):
    default_storage.save("elsewhere/notes.txt", io.BytesIO(b"keep me"))
    assert prune() == "0 unused media files deleted.\n"
    assert files(media) == ["elsewhere/notes.txt"]
