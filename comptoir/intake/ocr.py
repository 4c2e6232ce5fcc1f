"""OCR of scans and photos with RapidOCR (PP-OCR models in ONNX, shipped inside the `rapidocr` wheel: no
download, no network). No Django; run by the background worker only (`intake.tasks.read_document`), never
in a web request: a page takes seconds.

Each page image becomes words with boxes in points, like a PDF's text layer, then the same extraction
(`layout.extract`). A scan tilted by a degree or two is straightened from the slope of the text boxes
before lines are formed, so a table row stays one line from its first column to its last.
"""

import io
import math
import statistics
import threading

from comptoir.intake.extraction import ExtractedDocument, ParseError
from comptoir.intake.layout import Page, Word, extract

DPI = 200
MAX_PIXELS = 40_000_000  # a photo larger than this is scaled down first
_engine = None
_lock = threading.Lock()


def engine():
    global _engine
    with _lock:
        if _engine is None:
            import logging

            from rapidocr import RapidOCR

            _engine = RapidOCR(params={"Global.log_level": "error"})
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        return _engine


def _words_of_run(
    text: str, box, number: int, score: float, scale: float, angle: float, centre
) -> list[Word]:
    """One OCR text run (a quadrilateral) as words, their x cut in proportion to their characters."""
    cos, sin = math.cos(-angle), math.sin(-angle)
    cx, cy = centre
    points = [((x - cx) * cos - (y - cy) * sin + cx, (x - cx) * sin + (y - cy) * cos + cy) for x, y in box]
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    width = (x1 - x0) / max(len(text), 1)
    words, position = [], 0
    for part in text.split(" "):
        if part:
            words.append(
                Word(
                    part,
                    (x0 + position * width) * scale,
                    y0 * scale,
                    (x0 + (position + len(part)) * width) * scale,
                    y1 * scale,
                    number,
                    float(score),
                )
            )
        position += len(part) + 1
    return words


def page_words(image, number: int, dpi: float = DPI) -> Page:
    image = image.convert("RGB")
    if image.width * image.height > MAX_PIXELS:
        factor = math.sqrt(MAX_PIXELS / (image.width * image.height))
        image = image.resize((int(image.width * factor), int(image.height * factor)))
        dpi *= factor
    import numpy

    result = engine()(numpy.asarray(image))
    scale = 72 / dpi
    page = Page(number, image.width * scale, image.height * scale)
    if result.boxes is None or result.txts is None:
        return page
    runs = list(zip(result.boxes.tolist(), result.txts, result.scores, strict=False))
    # The page's tilt: the median slope of the long runs' top edges.
    slopes = []
    for box, text, _score in runs:
        (ax, ay), (bx, by) = box[0], box[1]
        if bx - ax > 3 * abs(box[3][1] - box[0][1]) and len(text) > 3:
            slopes.append(math.atan2(by - ay, bx - ax))
    angle = statistics.median(slopes) if slopes else 0.0
    centre = (image.width / 2, image.height / 2)
    for box, text, score in runs:
        page.words.extend(_words_of_run(text, box, number, score, scale, angle, centre))
    return page


def image_pages(content: bytes) -> list[Page]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 200_000_000
    try:
        image = Image.open(io.BytesIO(content))
        image = ImageOps.exif_transpose(image)
        dpi = image.info.get("dpi", (DPI, DPI))[0] or DPI
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ParseError("image_unreadable", type(exc).__name__) from exc
    # A photo has no meaningful dpi: its boxes are scaled as if at 200 dpi. The resolution is image
    # geometry (PIL gives a rational), read as whole dots per inch.
    dpi = round(dpi)
    return [page_words(image, 1, dpi if 100 <= dpi <= 600 else DPI)]


def scanned_pdf_pages(content: bytes) -> list[Page]:
    from comptoir.intake.pdfwords import render

    return [page_words(image, index + 1, DPI) for index, image in enumerate(render(content, DPI))]


def read(content: bytes, fmt: str) -> ExtractedDocument:
    """The order of a scan (`fmt` « pdf_scan ») or a picture (« image »)."""
    from comptoir.intake.detection import IMAGE

    pages = image_pages(content) if fmt == IMAGE else scanned_pdf_pages(content)
    if not any(page.words for page in pages):
        raise ParseError("ocr_no_text")
    return extract(pages, fmt)
