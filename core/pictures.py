"""Pictures staff upload (an organisation's logo, an event's cover, an article's header image).

An upload is judged by its content, never by its name or Content-Type: Pillow must read it as JPEG, PNG or WebP
(no SVG: it can carry script), within a byte and a pixel limit (the pixel count is read from the header before
anything is decoded, so a small file claiming 30,000 × 30,000 pixels is refused, not expanded). The picture is
turned upright by its EXIF orientation and written again as WebP in the widths pages use — re-encoding drops
every metadata block, a phone photo's GPS position included. Files are named by a random key and never change,
so they are served with a year-long cache and `immutable`.

Storage is one small interface (`Storage`), on disk under `instance/uploads` by default (`UPLOADS_DIR`).
"""

import io
import re
import secrets
import tarfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, send_file, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import BooleanField, FileField, StringField
from wtforms.validators import Length, ValidationError

from core.db import Base, UTCDateTime, db, utcnow
from core.files import private_directory, private_file

#: what an upload may be
FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
#: the widths written (never wider than the original)
WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 82
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,40}")
#: pictures no row refers to any more are deleted after this long (a form may still be showing one)
ORPHAN_GRACE = timedelta(days=1)

bp = Blueprint("pictures", __name__)


class Picture(Base):
    """One uploaded picture in the widths written for it, with the text that stands for it."""

    __tablename__ = "pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    #: the widths written, ascending
    widths: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    alt: Mapped[str] = mapped_column(sa.String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def url(self, width: int | None = None) -> str:
        chosen = width if width in self.widths else self.widths[-1]
        return url_for("pictures.file", key=self.key, width=chosen)

    def srcset(self) -> str:
        return ", ".join(f"{self.url(width)} {width}w" for width in self.widths)

    def height_at(self, width: int) -> int:
        return round(self.height * width / self.width)

    def __repr__(self) -> str:
        return f"<Picture {self.key}>"


# --- storage ---------------------------------------------------------------------------------


class Storage:
    """Files by name under one folder (the one place that knows where pictures live)."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    def save(self, name: str, data: bytes) -> None:
        private_directory(self.root, ours=True)
        partial = private_file(self.path(name + ".partial"))  # served by the app, readable by nobody else
        partial.write_bytes(data)
        partial.replace(self.path(name))

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        return sorted(path.name for path in self.root.glob("*.webp")) if self.root.exists() else []


def storage() -> Storage:
    return Storage(Path(current_app.config.get("UPLOADS_DIR") or Path(current_app.instance_path) / "uploads"))


def _file_name(key: str, width: int) -> str:
    return f"{key}-{width}.webp"


# --- checking and writing an upload ----------------------------------------------------------


class PictureRefused(ValueError):
    """The upload is not a picture this site takes; the message says why, in the reader's language."""


def _read(data: bytes) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise PictureRefused(_l("The picture is larger than %(mb)d MB. Please make it smaller.", mb=MAX_BYTES // 2**20))
    too_many_pixels = PictureRefused(_l(
        "The picture has too many pixels (at most %(mp)d million, %(side)s px a side). Please make it smaller.",
        mp=MAX_PIXELS // 1_000_000, side=f"{MAX_SIDE:,}"))
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise PictureRefused(_l("This file is not a picture we can read. Please upload a JPEG, PNG or WebP.")) from None
    if image.format not in FORMATS:
        raise PictureRefused(_l("Please upload a JPEG, PNG or WebP picture (other kinds, SVG included, are not "
                                "accepted)."))
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise too_many_pixels
    try:
        image.load()
    except (OSError, Image.DecompressionBombError, ValueError, SyntaxError):
        raise PictureRefused(_l("The picture is damaged and cannot be read.")) from None
    return image


@dataclass
class Prepared:
    """An upload read, turned upright and written in its widths, waiting to be stored."""

    width: int
    height: int
    files: dict[int, bytes]


def prepare(data: bytes) -> Prepared:
    image = ImageOps.exif_transpose(_read(data))
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    files = {}
    widths = [width for width in WIDTHS if width < image.width] + [min(image.width, WIDTHS[-1])]
    for width in sorted(set(widths)):
        copy = image if width == image.width else image.resize(
            (width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)  # no exif=…: nothing of the original's metadata
        files[width] = buffer.getvalue()
    return Prepared(image.width, image.height, files)


def store(prepared: Prepared, *, alt: str, uploaded_by=None) -> Picture:
    key = secrets.token_urlsafe(18)
    place = storage()
    for width, data in prepared.files.items():
        place.save(_file_name(key, width), data)
    picture = Picture(key=key, width=prepared.width, height=prepared.height, widths=sorted(prepared.files),
                      alt=alt.strip(), uploaded_by_id=getattr(uploaded_by, "id", None))
    db.session.add(picture)
    db.session.flush()
    return picture


def erase(picture: Picture) -> None:
    place = storage()
    for width in picture.widths:
        place.delete(_file_name(picture.key, width))
    db.session.delete(picture)


# --- form fields ------------------------------------------------------------------------------


class PictureField(FileField):
    """A picture upload: on validation the file is read and prepared (`field.prepared`), or refused."""

    prepared: Prepared | None = None

    def pre_validate(self, form):
        self.prepared = None
        upload = self.data
        if upload is None or not getattr(upload, "filename", None):
            return
        try:
            self.prepared = prepare(upload.read(MAX_BYTES + 1))
        except PictureRefused as refused:
            raise ValidationError(str(refused.args[0])) from None


def picture_mixin(label, alt_label):
    """Form fields of one picture, to mix into a form class: the file, its alt text and "remove". The view sets
    `form.current_picture` before validating (a kept picture needs its alt text as much as a new one)."""

    class PictureFields:
        current_picture: Picture | None = None
        picture = PictureField(label)
        picture_alt = StringField(alt_label, validators=[Length(max=200)])
        picture_remove = BooleanField(_l("Remove the picture"))

        def validate_picture_alt(self, field):
            uploading = bool(getattr(self.picture.data, "filename", None))
            keeps = (uploading or self.current_picture is not None) and not self.picture_remove.data
            if keeps and not (field.data or "").strip():
                raise ValidationError(_l("Please describe the picture in a few words for those who cannot see it."))

    return PictureFields


def prepare_form(form, current: Picture | None) -> None:
    """Before validation: what the object shows now (and, on a first visit, its alt text in the field)."""
    form.current_picture = current
    if current is not None and not form.is_submitted():
        form.picture_alt.data = current.alt


def save_from_form(form, owner, attribute: str, actor) -> bool:
    """After validation: the owner's picture as the form says (new, kept with its alt text, or removed)."""
    current = getattr(owner, attribute)
    alt = (form.picture_alt.data or "").strip()
    if form.picture.prepared is not None:
        setattr(owner, attribute, store(form.picture.prepared, alt=alt, uploaded_by=actor))
        return True
    if current is not None and form.picture_remove.data:
        setattr(owner, attribute, None)  # the file goes with `pictures purge` once nothing refers to it
        return True
    if current is not None and current.alt != alt:
        current.alt = alt
        return True
    return False


# --- serving, showing, housekeeping ----------------------------------------------------------


@bp.get("/media/<key>-<int:width>.webp")
def file(key: str, width: int):
    if not KEY_PATTERN.fullmatch(key) or not 1 <= width <= WIDTHS[-1]:
        abort(404)
    path = storage().path(_file_name(key, width))
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=365 * 24 * 3600, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def picture_tag(picture: Picture | None, *, sizes: str = "100vw", width: int = 640, lazy: bool = True) -> Markup:
    """<img> with srcset, sizes, its size for layout and its alt text ("" → nothing)."""
    if picture is None or not picture.widths:
        return Markup("")
    shown = width if width in picture.widths else picture.widths[-1]
    attributes = {
        "src": picture.url(shown), "srcset": picture.srcset(), "sizes": sizes, "alt": picture.alt,
        "width": str(shown), "height": str(picture.height_at(shown)),
        "loading": "lazy" if lazy else "eager", "decoding": "async",
    }
    html = " ".join(f'{name}="{escape(value)}"' for name, value in attributes.items() if value or name == "alt")
    return Markup(f"<img {html}>")  # noqa: S704  # nosec B704 - every value escaped above


def _referring_columns() -> list[sa.Column]:
    """Every column of the schema that points at a picture (logos, covers, header images, and any to come)."""
    return [column for table in db.metadata.sorted_tables for column in table.columns
            if any(key.column.table.name == Picture.__tablename__ for key in column.foreign_keys)
            and table.name != Picture.__tablename__]


def purge_orphans(now: datetime | None = None) -> int:
    """Delete pictures no row refers to (replaced or removed, or of content deleted for good) after a day's
    grace, and files no picture row names; how many pictures went."""
    now = now or utcnow()
    referenced_ids = set()
    for column in _referring_columns():
        referenced_ids |= set(db.session.scalars(sa.select(column).where(column.is_not(None))))
    gone = 0
    for picture in db.session.scalars(sa.select(Picture).where(Picture.created_at < now - ORPHAN_GRACE)):
        if picture.id not in referenced_ids:
            erase(picture)
            gone += 1
    known = {_file_name(key, width) for key, widths in db.session.execute(sa.select(Picture.key, Picture.widths))
             for width in widths}
    place = storage()
    for name in place.names():
        if name not in known:
            place.delete(name)
    return gone


def archive(destination: Path) -> Path | None:
    """The uploads as a tar file beside a database backup (None when there are none)."""
    place = storage()
    names = place.names()
    if not names:
        return None
    private_file(destination)
    with tarfile.open(destination, "w") as tar:
        for name in names:
            tar.add(place.path(name), arcname=name)
    return destination


def unarchive(source: Path) -> int:
    place = storage()
    private_directory(place.root, ours=True)
    count = 0
    with tarfile.open(source) as tar:
        for member in tar.getmembers():
            if member.isfile() and re.fullmatch(r"[A-Za-z0-9_-]+-\d+\.webp", member.name):
                place.save(member.name, tar.extractfile(member).read())
                count += 1
    return count


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["picture_tag"] = picture_tag
