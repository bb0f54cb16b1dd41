"""Logo uploads: checked by opening them with Pillow, re-encoded as PNG, stored under the tenant's media path.

Accepted: PNG and JPEG up to ``MAX_BYTES``, ``MIN_SIDE`` to ``MAX_SIDE`` pixels a side, at most
``MAX_RATIO`` wide to one high. SVG is refused rather than sanitised (it can carry scripts and
external references). The stored file is a new PNG drawn from the pixels (no metadata, nothing of the
upload's bytes), scaled to fit ``STORED_BOX``, named after its SHA-256 so its URL can be cached for ever.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from pathlib import Path

from django.conf import settings
from django.db import connection
from PIL import Image, UnidentifiedImageError

from unison.errors import ApplicationError

MAX_BYTES = 1024 * 1024
MIN_SIDE, MAX_SIDE, MAX_RATIO = 32, 4096, 8
STORED_BOX = (1024, 256)
FORMATS = {"PNG", "JPEG"}


def logo_folder(schema_name: str | None = None) -> Path:
    """Return the folder of a workspace's logo files: MEDIA_ROOT/tenants/<schema>/branding (as exports do)."""
    return Path(settings.MEDIA_ROOT) / "tenants" / (schema_name or connection.schema_name) / "branding"


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
    folder = logo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)  # whole or not at all
    return name, image.width, image.height


def logo_path(name: str, schema_name: str | None = None) -> Path | None:
    """Return the path of the workspace's logo file ``name`` if it exists (names are ours: no traversal)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = logo_folder(schema_name) / name
    return path if path.is_file() else None


def logo_remove(name: str, schema_name: str) -> None:
    """Delete a logo file that is no longer used (a missing one is fine)."""
    path = logo_path(name, schema_name)
    if path is not None:
        path.unlink(missing_ok=True)
