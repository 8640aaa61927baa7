"""Photos on every kind of public content: uploads checked by content, stored
under generated names with renditions, removed with their row, published
only with alt text and a credit, shown with the rendition and the credit."""

import io
import re
import struct
import zlib
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from partnerships.models import Agreement, Partner
from partnerships.models.photos import NEEDS_ALT_AND_CREDIT
from tests.factories import (
    AgreementFactory,
    PartnerFactory,
    RepresentativeFactory,
    publishable_factories,
)
from tests.helpers import MAX_QUERIES, admin_url, change_url, edit, populate, public_urls

pytestmark = pytest.mark.django_db

FACTORIES = publishable_factories()


def image_bytes(size=(1200, 800), fmt="JPEG", noise=False):
    image = Image.new("RGB", size, (200, 80, 40))
    if noise:
        image = Image.frombytes("RGB", size, bytes(range(256)) * (size[0] * size[1] * 3 // 256))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def upload(data=None, name="photo.jpg"):
    return SimpleUploadedFile(name, image_bytes() if data is None else data)


def png_declaring(width, height):
    """A tiny PNG whose header declares `width` × `height` pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def gif_polyglot():
    """A real GIF with an HTML script after it: a browser sniffing it may run it."""
    buffer = io.BytesIO()
    Image.new("P", (1, 1)).save(buffer, "GIF")
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def media(settings, tmp_path):
    """Files on a real disk, in a temporary MEDIA_ROOT (the tests' default is in memory)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files_in(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def draft_agreement(**kwargs):
    return AgreementFactory(is_published=False, photo_alt="Two people shake hands", **kwargs)


# Uploads are checked by content.


@pytest.mark.parametrize(
    ("name", "data", "limits", "message"),
    [
        ("notes.jpg", b"Not an image at all, whatever the name says.\n" * 20, {}, "JPEG, PNG"),
        ("photo.gif", gif_polyglot(), {}, "JPEG, PNG"),
        ("big.jpg", image_bytes(noise=True), {"PHOTO_MAX_BYTES": 10_000}, "at most"),
        ("bomb.png", png_declaring(100_000, 100_000), {}, "too many pixels"),
        ("large.jpg", image_bytes((200, 100)), {"PHOTO_MAX_PIXELS": 10_000}, "too many pixels"),
    ],
    ids=["not-an-image", "gif-html-polyglot", "too-large", "decompression-bomb", "over-pixels"],
)
def test_a_bad_upload_is_refused_with_a_form_error_and_leaves_no_file(
    publisher_client, media, settings, name, data, limits, message
):
    for setting, value in limits.items():
        setattr(settings, setting, value)
    agreement = draft_agreement()

    response = edit(publisher_client, agreement, photo=SimpleUploadedFile(name, data))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["photo"]
    assert message in error
    agreement.refresh_from_db()
    assert not agreement.photo
    assert files_in(media) == []


def test_a_photo_is_stored_under_a_generated_name_of_its_detected_format(publisher_client, media):
    agreement = draft_agreement()

    response = edit(publisher_client, agreement, photo=upload(image_bytes(fmt="PNG"), "x.jpg"))

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert re.fullmatch(r"photos/agreement/[0-9a-f-]{36}\.png", agreement.photo.name)
    stem = agreement.photo.name.removesuffix(".png")
    assert files_in(media) == [f"{stem}.png", f"{stem}.w480.webp", f"{stem}.w960.webp"]
    assert agreement.photo_renditions["renditions"] == [
        {"width": 480, "height": 320, "name": f"{stem}.w480.webp"},
        {"width": 960, "height": 640, "name": f"{stem}.w960.webp"},
    ]
    with Image.open(media / f"{stem}.w960.webp") as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (960, 640))


def test_replacing_a_photo_leaves_one_original_and_its_renditions(
    publisher_client, media, django_capture_on_commit_callbacks
):
    agreement = draft_agreement()
    with django_capture_on_commit_callbacks(execute=True):
        edit(publisher_client, agreement, photo=upload())
        agreement.refresh_from_db()
        first = agreement.photo.name
        assert edit(publisher_client, agreement, photo=upload()).status_code == 302

    agreement.refresh_from_db()
    assert agreement.photo.name != first
    stem = agreement.photo.name.removesuffix(".jpg")
    assert files_in(media) == [f"{stem}.jpg", f"{stem}.w480.webp", f"{stem}.w960.webp"]


def test_deleting_the_record_removes_its_photo_and_renditions(
    publisher_client, media, django_capture_on_commit_callbacks
):
    agreement = draft_agreement(photo=upload())
    assert len(files_in(media)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher_client.post(
            admin_url(Agreement, "delete", agreement.pk), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert files_in(media) == []


# A photo is published only with alt text and a credit.


@pytest.mark.parametrize("missing", ["photo_alt", "photo_credit"])
def test_publisher_cannot_publish_a_photo_without_alt_text_or_credit_in_the_form(
    publisher_client, missing
):
    agreement = draft_agreement(photo=upload())

    response = edit(publisher_client, agreement, is_published="on", **{missing: ""})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[missing] == [str(NEEDS_ALT_AND_CREDIT)]
    agreement.refresh_from_db()
    assert not agreement.is_published


def test_publisher_publishes_a_photo_with_alt_text_and_credit_in_the_form(publisher_client):
    agreement = draft_agreement(photo=upload())

    response = edit(publisher_client, agreement, is_published="on")

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.is_published


def test_a_draft_photo_without_alt_text_may_be_saved(publisher_client):
    agreement = draft_agreement(photo=upload())

    response = edit(publisher_client, agreement, photo_alt="", photo_credit="")

    assert response.status_code == 302


def test_publish_action_refuses_items_whose_photo_lacks_alt_text_or_credit(publisher_client):
    ready = draft_agreement(photo=upload(), title="Ready")
    no_alt = draft_agreement(photo=upload(), title="No alt")
    no_alt.photo_alt = ""
    no_alt.save()
    no_credit = draft_agreement(photo=upload(), title="No credit", photo_credit="")
    without_photo = draft_agreement(title="No photo", photo_credit="")

    response = publisher_client.post(
        admin_url(Agreement, "changelist"),
        {
            "action": "publish",
            "_selected_action": [a.pk for a in (ready, no_alt, no_credit, without_photo)],
        },
        follow=True,
    )

    published = set(Agreement.objects.filter(is_published=True).values_list("title", flat=True))
    assert published == {"Ready", "No photo"}
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    [refusal] = [text for text in texts if text.startswith("Not published")]
    assert str(no_alt) in refusal
    assert str(no_credit) in refusal
    assert str(ready) not in refusal
    assert str(NEEDS_ALT_AND_CREDIT) in refusal
    assert "2 items published." in texts


# Public pages show the rendition, its size, alt text and credit.


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images(response):
    parser = Images()
    parser.feed(response.content.decode())
    return parser.images


def illustrated(factory, partner):
    kwargs = {} if factory is PartnerFactory else {"partner": partner}
    obj = factory(
        **kwargs,
        photo=upload(),
        photo_alt=f"Alt of {factory.__name__}",
        photo_caption="A caption",
        photo_credit=f"Credit of {factory.__name__}",
    )
    return obj


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f._meta.model.__name__)
def test_public_page_shows_the_rendition_with_size_srcset_lazy_alt_and_credit(client, factory):
    partner = PartnerFactory()
    obj = illustrated(factory, partner)
    url = obj.get_absolute_url() if factory is not RepresentativeFactory else None
    if url is None:
        from partnerships.collections import COLLECTIONS

        url = COLLECTIONS.of(obj).list_url(partner)

    response = client.get(url)

    stem = obj.photo.name.removesuffix(".jpg")
    [image] = [i for i in images(response) if i["alt"] == f"Alt of {factory.__name__}"]
    assert image["src"] == f"/media/{stem}.w960.webp"
    assert image["srcset"] == f"/media/{stem}.w480.webp 480w, /media/{stem}.w960.webp 960w"
    assert image["sizes"]
    assert (image["width"], image["height"]) == ("960", "640")
    assert image["loading"] == "lazy"
    assert f"© Credit of {factory.__name__}" in response.content.decode()


def test_agreement_without_a_photo_shows_its_caption_as_text_without_a_photo_label(client):
    agreement = AgreementFactory(photo_caption="Two signatories", photo_credit="A ministry")

    response = client.get(agreement.get_absolute_url())

    content = response.content.decode()
    assert "Photo:" not in content
    assert "<figure" not in content
    assert 'Two signatories <span class="photo__credit">© A ministry</span>' in content


def test_photos_add_no_query_to_public_pages(client, page_cache_off):
    partner = PartnerFactory()
    populate(partner, 3)
    urls = public_urls(partner)

    def query_counts():
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            counts[url] = len(queries)
        return counts

    without_photos = query_counts()
    for model in [factory._meta.model for factory in FACTORIES]:
        for obj in model.objects.filter(**({} if model is Partner else {"partner": partner})):
            obj.photo = upload(image_bytes((60, 40)))
            obj.photo_alt = "A photo"
            obj.photo_credit = "Someone"
            obj.save()

    with_photos = query_counts()
    assert with_photos == without_photos
    assert max(with_photos.values()) <= MAX_QUERIES
    assert client.get(urls[1]).content.decode().count(".w480.webp 60w") >= 3


def test_change_form_offers_the_photo_fields_with_their_translations(admin_client):
    for factory in FACTORIES:
        response = admin_client.get(change_url(factory()))
        form = response.context["adminform"].form
        assert {"photo", "photo_alt", "photo_alt_fr", "photo_caption_ja", "photo_credit"} <= set(
            form.fields
        )


def test_the_model_refuses_a_file_that_is_not_a_photo_outside_the_admin():
    agreement = draft_agreement()
    agreement.photo = upload(gif_polyglot(), "photo.jpg")

    with pytest.raises(ValidationError) as refused:
        agreement.full_clean()

    assert list(refused.value.message_dict) == ["photo"]


def test_photo_renditions_command_makes_them_for_photos_stored_without(media):
    (media / "agreements").mkdir()
    (media / "agreements" / "old.jpg").write_bytes(image_bytes())
    (media / "agreements" / "junk.jpg").write_bytes(b"not an image")
    old, junk = draft_agreement(), draft_agreement()
    Agreement.objects.filter(pk=old.pk).update(photo="agreements/old.jpg")
    Agreement.objects.filter(pk=junk.pk).update(photo="agreements/junk.jpg")
    out, err = io.StringIO(), io.StringIO()

    call_command("photo_renditions", stdout=out, stderr=err)

    old.refresh_from_db()
    assert [r["name"] for r in old.photo_renditions["renditions"]] == [
        "agreements/old.w480.webp",
        "agreements/old.w960.webp",
    ]
    assert "Renditions made for 1 photo(s)." in out.getvalue()
    assert "agreements/junk.jpg" in err.getvalue()
    assert files_in(media) == [
        "agreements/junk.jpg",
        "agreements/old.jpg",
        "agreements/old.w480.webp",
        "agreements/old.w960.webp",
    ]
