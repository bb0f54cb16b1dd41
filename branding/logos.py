"""Logo uploads: checked by opening them with Pillow, re-encoded as PNG, stored under the tenant's media path.

Accepted: PNG and JPEG up to ``MAX_BYTES``, ``MIN_SIDE`` to ``MAX_SIDE`` pixels a side, at most
``MAX_RATIO`` wide to one high. SVG is refused rather than sanitised (it can carry scripts and
external references). The stored file is a new PNG drawn from the pixels (no metadata, nothing of the
upload's bytes), scaled to fit ``STORED_BOX``, named after its SHA-256 so its URL can be cached for ever.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from unison.errors import ApplicationError
from unison.media_storage import workspace_name, workspace_storage

MAX_BYTES = 1024 * 1024
MIN_SIDE, MAX_SIDE, MAX_RATIO = 32, 4096, 8
STORED_BOX = (1024, 256)
FORMATS = {"PNG", "JPEG"}


def logo_storage_name(name: str, schema_name: str | None = None) -> str:
    """Return the name of a workspace's logo file in the workspace store: <schema>/branding/<name>."""
    return workspace_name("branding", name, schema_name)


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_logo", field="logo")


def logo_read(upload) -> Image.Image:
    """Return the uploaded image, loaded; raise ApplicationError (field ``logo``) naming what is wrong."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(f"The logo is over {MAX_BYTES // 1024} KB: upload a smaller file.")
    if not data:
        raise _refuse("The file is empty.")
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise _refuse("SVG logos are refused (they can carry scripts): upload a PNG or JPEG.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise _refuse(f"A {image.format} file is not accepted: upload a PNG or JPEG.")
            _dimensions_check(*image.size)
            image.load()
    except ApplicationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("This is not a PNG or JPEG image.") from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse("The image is damaged or incomplete: export it again and upload that.") from None
    return image


def _dimensions_check(width: int, height: int) -> None:
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise _refuse(f"The logo is {width} × {height} px: each side must be {MIN_SIDE} to {MAX_SIDE} px.")
    if max(width / height, height / width) > MAX_RATIO:
        raise _refuse(f"The logo is {width} × {height} px: at most {MAX_RATIO} times wider than high (or higher than wide).")


def logo_store(image: Image.Image) -> tuple[str, int, int]:
    """Write the image as a new PNG in the workspace's folder; return its file name, width and height."""
    image = image.convert("RGBA")
    image.thumbnail(STORED_BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    name = f"logo-{hashlib.sha256(data).hexdigest()[:20]}.png"
    stored = logo_storage_name(name)
    if not workspace_storage().exists(stored):  # named after its content: the same logo again is the same file
        workspace_storage().save(stored, ContentFile(data))
    return name, image.width, image.height


def logo_open(name: str, schema_name: str | None = None):
    """Return the workspace's logo file ``name``, opened, or None if there is none (names are ours: no traversal)."""
    try:
        stored = logo_storage_name(name, schema_name)
    except SuspiciousOperation:
        return None
    return workspace_storage().open(stored, "rb") if workspace_storage().exists(stored) else None


def logo_remove(name: str, schema_name: str) -> None:
    """Delete a logo file that is no longer used (a missing one is fine)."""
    workspace_storage().delete(logo_storage_name(name, schema_name))
