"""Uploaded pictures: judged by content, EXIF dropped, resized, served for a year, purged, backed up."""

import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image

from alliance.models import Organization
from core import pictures
from core.db import db, utcnow
from core.pictures import Picture
from events.models import Event
from knowhow.models import Article
from tests.alliance.conftest import edit_form
from tests.events.test_organiser import valid_form


@pytest.fixture
def uploads(app, tmp_path) -> Path:
    app.config["UPLOADS_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def staff_of(make_member, make_organization, auth):
    """A logged-in staff member of an organisation; returns the organisation."""
    staff = make_member()
    organization = make_organization(staff=[staff], slug="minato-jinji")
    auth.login(staff)
    return organization


def picture_bytes(kind="PNG", size=(800, 800), colour="teal", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind, **save)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def gps_photo() -> bytes:
    """A phone photo: JPEG, taken sideways (orientation 6), with the GPS position of Ishinomaki."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (38.0, 26.0, 4.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (141.0, 18.0, 9.0)
    return picture_bytes("JPEG", size=(1600, 1000), exif=exif)


def _edit_form(organization) -> dict:
    return edit_form(organization)


def _upload(client, organization, data: bytes, filename="logo.png", **fields):
    form = {**_edit_form(organization), **fields, "picture": (io.BytesIO(data), filename)}
    return client.post(f"/alliance/{organization.slug}/edit", data=form, content_type="multipart/form-data")


def _logo(app, organization) -> Picture | None:
    with app.app_context():
        found = db.session.get(Organization, organization.id).logo
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_logo_is_stored_in_its_widths_and_served_for_a_year(app, client, uploads, staff_of):
    response = _upload(client, staff_of, picture_bytes(), picture_alt="港のロゴ")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    logo = _logo(app, staff_of)
    assert (logo.width, logo.height, logo.widths, logo.alt) == (800, 800, [320, 640, 800], "港のロゴ")
    assert sorted(path.name for path in uploads.iterdir()) == sorted(f"{logo.key}-{w}.webp" for w in logo.widths)
    page = client.get("/alliance/").get_data(as_text=True)
    assert f'srcset="/media/{logo.key}-320.webp 320w, /media/{logo.key}-640.webp 640w' in page
    assert 'alt="港のロゴ"' in page
    served = client.get(f"/media/{logo.key}-640.webp")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(served.data)).size == (640, 640)
    for path in (f"/media/{logo.key}-999.webp", "/media/..%2Fsecret_key-320.webp", "/media/short-320.webp"):
        assert client.get(path).status_code == 404


def test_a_picture_needs_its_alt_text_and_the_form_says_so(app, client, uploads, staff_of):
    response = _upload(client, staff_of, picture_bytes(), picture_alt="  ")
    assert response.status_code == 422 and "何が写っているかを短く書いてください" in response.get_data(as_text=True)
    assert _logo(app, staff_of) is None and not uploads.exists()


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "logo.png", "画像として読み込めません"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>', "logo.svg",
     "画像として読み込めません"),
    (png_claiming(30_000, 30_000), "bomb.png", "画素数が多すぎます"),
    (png_claiming(13_000, 100), "long.png", "画素数が多すぎます"),
    (picture_bytes("GIF"), "logo.gif", "JPEG・PNG・WebP形式の画像をアップロードしてください"),
    (picture_bytes("PNG")[:200], "cut.png", "壊れている"),
])
def test_hostile_and_unusable_files_are_refused(app, client, uploads, staff_of, data, filename, message):
    response = _upload(client, staff_of, data, filename=filename, picture_alt="ロゴ")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _logo(app, staff_of) is None and not uploads.exists()


def test_an_oversized_file_is_refused(app, client, uploads, staff_of, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_BYTES", 1000)
    response = _upload(client, staff_of, picture_bytes(size=(400, 400), colour="red"), picture_alt="ロゴ")
    assert response.status_code == 422 and "を超えています" in response.get_data(as_text=True)


def test_a_phone_photo_loses_its_gps_position_and_stands_upright(app, client, uploads, staff_of):
    original = gps_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the control: it has GPS
    assert _upload(client, staff_of, original, filename="IMG_0001.JPG", picture_alt="研修の様子").status_code == 302
    logo = _logo(app, staff_of)
    assert (logo.width, logo.height) == (1000, 1600)  # turned by its orientation
    for path in uploads.iterdir():
        stored = path.read_bytes()
        image = Image.open(io.BytesIO(stored))
        assert not image.getexif() and "exif" not in image.info and b"PhoneMaker" not in stored
        assert image.size[0] < image.size[1]


def test_replacing_and_removing_keep_alt_text_and_purge_the_old_files(app, client, uploads, staff_of, runner):
    _upload(client, staff_of, picture_bytes(colour="navy"), picture_alt="旧ロゴ")
    first = _logo(app, staff_of)
    _upload(client, staff_of, picture_bytes(colour="gold"), picture_alt="新ロゴ")
    second = _logo(app, staff_of)
    assert second.key != first.key and second.alt == "新ロゴ"
    client.post(f"/alliance/{staff_of.slug}/edit", data={**_edit_form(staff_of), "picture_alt": "新しいロゴ"})
    assert _logo(app, staff_of).alt == "新しいロゴ"  # kept, with new words
    assert "pictures deleted: 0" in runner.invoke(args=["pictures", "purge"]).output  # a day's grace
    with app.app_context():
        db.session.execute(sa.update(Picture).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    (uploads / "stray-320.webp").write_bytes(b"x")
    assert "pictures deleted: 1" in runner.invoke(args=["pictures", "purge"]).output
    assert sorted(p.name for p in uploads.iterdir()) == sorted(f"{second.key}-{w}.webp" for w in second.widths)
    client.post(f"/alliance/{staff_of.slug}/edit", data={**_edit_form(staff_of), "picture_remove": "y"})
    assert _logo(app, staff_of) is None
    runner.invoke(args=["pictures", "purge"])
    assert list(uploads.iterdir()) == []


def test_an_event_cover_and_an_article_header(app, client, uploads, staff_of):
    data = {**valid_form(staff_of.slug, title="表紙つきのイベント"), "picture_alt": "会場の写真",
            "picture": (io.BytesIO(picture_bytes(size=(1600, 900))), "cover.webp")}
    assert client.post("/events/new", data=data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        event = db.session.scalars(sa.select(Event)).one()
        assert event.cover.widths == [320, 640, 1280] and event.cover.alt == "会場の写真"
        event_id = event.id
    assert 'alt="会場の写真"' in client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "has-cover" in client.get("/events/").get_data(as_text=True)
    article = {"title": "画像つきの記事", "kind": "column", "visibility": "public", "status": "published",
               "themes": ["youth-retention"], "prefecture": "", "summary": "要約です。", "body": "本文です。",
               "picture_alt": "", "picture": (io.BytesIO(picture_bytes(size=(1200, 675))), "header.png")}
    refused = client.post("/knowhow/new", data=article, content_type="multipart/form-data")
    assert "何が写っているかを短く書いてください" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    article["picture"] = (io.BytesIO(picture_bytes(size=(1200, 675))), "header.png")
    article["picture_alt"] = "対話の場面"
    assert client.post("/knowhow/new", data=article, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Article)).one().header.alt == "対話の場面"


@pytest.mark.one_engine
def test_backup_writes_the_pictures_beside_and_restore_brings_them_back(app, client, uploads, staff_of, runner,
                                                                       tmp_path, engine_name):
    _upload(client, staff_of, picture_bytes(), picture_alt="ロゴ")
    target = tmp_path / "backup" / "ranhub.db"
    output = runner.invoke(args=["backup", str(target)]).output
    archive = target.with_name("ranhub.db.pictures.tar")
    assert "Pictures written" in output and archive.stat().st_mode & 0o777 == 0o600
    for path in uploads.iterdir():
        path.unlink()
    with app.app_context():
        assert pictures.unarchive(archive) == 3
    assert len(list(uploads.iterdir())) == 3
