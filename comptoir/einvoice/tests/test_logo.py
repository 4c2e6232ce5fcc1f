"""The company's logo on the shared page layout: sized into its box, opaque RGB, never a refusal."""

import io

from PIL import Image as PilImage
from pypdf import PdfReader
from reportlab.lib.units import mm

from comptoir.einvoice import layout


def png(width: int, height: int, mode: str = "RGBA", colour=(200, 30, 30, 128)) -> bytes:
    out = io.BytesIO()
    PilImage.new(mode, (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def images_of(pdf: bytes) -> list:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return list(page.images)


def _page_with_logo(logo: bytes | None) -> bytes:
    return layout.build(
        [flowable for flowable in [layout.logo_flowable(logo)] if flowable is not None],
        document_date=layout.date(2026, 1, 5),
        footer=(),
        running_title="",
        title="Essai",
        author="Essai",
        subject="Essai",
        keywords=[],
    )


def test_a_wide_logo_is_scaled_to_the_box_width_and_keeps_its_proportions():
    flowable = layout.logo_flowable(png(1000, 200))
    assert round(flowable.drawWidth / mm, 1) == 50.0
    assert round(flowable.drawHeight / mm, 1) == 10.0


def test_a_tall_logo_is_scaled_to_the_box_height():
    flowable = layout.logo_flowable(png(100, 400))
    assert round(flowable.drawHeight / mm, 1) == 20.0
    assert round(flowable.drawWidth / mm, 1) == 5.0


def test_a_transparent_or_grey_logo_is_printed_as_one_opaque_rgb_image():
    for logo in (png(300, 100), png(300, 100, "L", 90), png(300, 100, "P", 3)):
        pdf = _page_with_logo(logo)
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        xobjects = page["/Resources"]["/XObject"]
        (image,) = [xobjects[name].get_object() for name in xobjects]
        assert image["/ColorSpace"] == "/DeviceRGB"
        assert "/SMask" not in image  # no transparency group: PDF/A stays simple


def test_a_large_logo_is_reduced_before_it_is_embedded():
    pdf = _page_with_logo(png(3000, 1000, "RGB", (10, 20, 30)))
    (image,) = images_of(pdf)
    assert image.image.size == (600, 200)


def test_no_logo_or_unreadable_bytes_print_nothing():
    assert layout.logo_flowable(None) is None
    assert layout.logo_flowable(b"") is None
    assert layout.logo_flowable(b"not an image") is None
