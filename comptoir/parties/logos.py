"""The company's logo: which images are accepted, checked with Pillow (no Django here)."""

import io

from PIL import Image, UnidentifiedImageError

# Printed in a corner of the documents: a few hundred kilobytes is plenty, and it lives in the database.
MAX_BYTES = 512 * 1024
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def media_type(data: bytes) -> str | None:
    """`image/png` or `image/jpeg` when `data` is a whole, readable image of that kind, else None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return MEDIA_TYPES.get(kind)
