"""Words on a page, grouped as a person reads them (no Django): each word with its box in points (origin top
left) and a confidence; lines by vertical overlap, segments (a cell, a label or a value) by the gaps
between words; the source of a field in words (« page 1 [56,120,210,131] »), and text folded for
comparing labels. Used by `layout` and `table`.
"""

import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

LABEL_CONFIDENCE = Decimal("0.95")
CHECKED_CONFIDENCE = Decimal("0.98")  # an identifier whose check key is right
CELL_CONFIDENCE = Decimal("0.95")
DOUBTFUL = Decimal("0.5")


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int = 1
    conf: float = 1.0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)


@dataclass
class Segment:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def conf(self) -> float:
        return min(w.conf for w in self.words)


@dataclass
class Line:
    words: list[Word]
    segments: list[Segment] = field(default_factory=list)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def height(self) -> float:
        return statistics.median(w.height for w in self.words)

    @property
    def text(self) -> str:
        return "  ".join(s.text for s in self.segments)


def source(words) -> str:
    words = list(words)
    if not words:
        return ""
    x0, y0 = min(w.x0 for w in words), min(w.y0 for w in words)
    x1, y1 = max(w.x1 for w in words), max(w.y1 for w in words)
    return f"page {words[0].page} [{x0:.0f},{y0:.0f},{x1:.0f},{y1:.0f}]"


def plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip()


# --- Lines and segments --------------------------------------------------------------------------------


def lines_of(page: Page) -> list[Line]:
    """The words of a page in reading order, as lines; each line split into segments."""
    words = sorted((w for w in page.words if w.text.strip()), key=lambda w: (w.cy, w.x0))
    lines: list[list[Word]] = []
    for word in words:
        placed = False
        for line in reversed(lines[-3:]):
            top = statistics.median(w.y0 for w in line)
            bottom = statistics.median(w.y1 for w in line)
            overlap = min(bottom, word.y1) - max(top, word.y0)
            if overlap > 0.5 * min(bottom - top, word.height):
                line.append(word)
                placed = True
                break
        if not placed:
            lines.append([word])
    result = []
    for words_of_line in lines:
        words_of_line.sort(key=lambda w: w.x0)
        line = Line(words_of_line)
        gap_limit = 0.9 * max(line.height, 1.0)
        current = [words_of_line[0]]
        for word in words_of_line[1:]:
            if word.x0 - current[-1].x1 > gap_limit:
                line.segments.append(Segment(current))
                current = [word]
            else:
                current.append(word)
        line.segments.append(Segment(current))
        result.append(line)
    result.sort(key=lambda line: line.y0)
    return result


# --- The document ---------------------------------------------------------------------------------------


def _conf(base: Decimal, words) -> Decimal:
    score = min((w.conf for w in words), default=1.0)
    return (base * Decimal(str(round(score, 3)))).quantize(Decimal("0.001"))
