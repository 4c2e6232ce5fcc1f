"""What glyphs a PDF really shows: read from the embedded fonts, not from the code that wrote them."""

import io
import struct

from pypdf import PdfReader
from pypdf.generic import ContentStream


def _truetype_cmap(font_file: bytes) -> dict[int, int]:
    """code → glyph index, from the (3,0)/(1,0) cmap of an embedded TrueType subset (formats 0, 4, 6)."""
    (num_tables,) = struct.unpack_from(">H", font_file, 4)
    tables = {}
    for i in range(num_tables):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", font_file, 12 + 16 * i)
        tables[tag] = font_file[offset : offset + length]
    cmap = tables[b"cmap"]
    _version, count = struct.unpack_from(">HH", cmap, 0)
    mapping: dict[int, int] = {}
    for i in range(count):
        _platform, _encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        (fmt,) = struct.unpack_from(">H", cmap, offset)
        if fmt == 6:
            first, entries = struct.unpack_from(">HH", cmap, offset + 6)
            glyphs = struct.unpack_from(f">{entries}H", cmap, offset + 10)
            mapping.update({(first + n) & 0xFF: g for n, g in enumerate(glyphs)})
        elif fmt == 0:
            glyphs = struct.unpack_from(">256B", cmap, offset + 6)
            mapping.update(enumerate(glyphs))
        else:
            raise AssertionError(f"cmap format {fmt} not read by this test")
    return mapping


def _raw(string) -> bytes:
    """The bytes of a PDF string as written (pypdf decodes some of them to text)."""
    return string.original_bytes


def _shown_strings(operands, operator):
    if operator in (b"Tj", b"'"):
        yield _raw(operands[0])
    elif operator == b'"':
        yield _raw(operands[2])
    elif operator == b"TJ":
        yield from (_raw(part) for part in operands[0] if isinstance(part, bytes | str))


def notdef_uses(pdf: bytes) -> list[tuple[str, int]]:
    """(font, code) for every shown code whose glyph is glyph 0, `.notdef`; also fonts with no glyph data."""
    found = []
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        fonts = {name: ref.get_object() for name, ref in page["/Resources"]["/Font"].items()}
        cmaps = {}
        for name, font in fonts.items():
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or "/FontFile2" not in descriptor.get_object():
                found.append((font["/BaseFont"], -1))
                continue
            cmaps[name] = _truetype_cmap(descriptor.get_object()["/FontFile2"].get_object().get_data())
        current = None
        operations = ContentStream(page.get_contents(), reader).operations
        for operands, operator in operations:
            if operator == b"Tf":
                current = operands[0]
                continue
            for shown in _shown_strings(operands, operator):
                for code in shown:
                    if cmaps.get(current, {}).get(code, 0) == 0:
                        found.append((fonts[current]["/BaseFont"], code))
    return found
