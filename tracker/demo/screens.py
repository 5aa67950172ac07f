"""Realistic 1920×1080 desktop contents drawn with QPainter, for the screenshot codec's test and
benchmark (what a client sees must stay readable after encoding) and the demo week's screenshots.

Text is set at the pixel sizes real desktops use (13–14 px body text, 12–13 px code and
terminals, 11–12 px side panels and tables), not large easy text. Each renderer is deterministic
(seeded) and needs a QGuiApplication for its fonts (only DejaVu is assumed installed).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

WIDTH, HEIGHT = 1920, 1080
SANS, SERIF, MONO = "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"

VOCABULARY = """
the of a to and in is for that with as on by it be are this from at or an not which can when each
block slot contract screenshot service client time week hours memo tracker database sync returns
value default option argument function method object string list request response file folder
setting module configure connection timeout error message user token image encode decode quality
size thumbnail upload queue retry backoff schema migration record field index query transaction
commit session engine clock monitor window display keyboard mouse activity minute idle threshold
limit rate currency invoice milestone feedback report export
"""
WORDS = VOCABULARY.split()
CODE_WORDS = ["encode_screenshot()", "--data-dir", "None", "True", "Settings", "utf-8"]

CODE = '''\
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)
SLOT = timedelta(minutes=10)


@dataclass
class Block:
    """The tracked part of one slot for one contract."""

    contract_id: int
    start: datetime
    end: datetime
    memo: str = ""
    minutes: list[tuple[int, int, int]] = field(default_factory=list)

    def duration(self) -> timedelta:
        return self.end - self.start

    def activity_level(self) -> int:
        active = sum(1 for keys, mouse, _ in self.minutes if keys or mouse)
        return round(10 * active / max(1, len(self.minutes)))


def slot_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 10, second=0, microsecond=0)


class Engine:
    def __init__(self, clock, storage, capturer) -> None:
        self._clock = clock
        self._storage = storage
        self._capturer = capturer
        self._block: Block | None = None

    def tick(self) -> None:
        now = self._clock.now()
        if self._block and now >= slot_start(self._block.start) + SLOT:
            log.info("closing block %s at %s", self._block, now)
            self._storage.save(self._block)
            self._block = None
'''
KEYWORDS = {"from", "import", "class", "def", "return", "if", "for", "in", "and", "or", "not", "None", "self"}


def font(family: str, pixels: int, bold: bool = False) -> QFont:
    result = QFont(family)
    result.setPixelSize(pixels)
    result.setBold(bold)
    return result


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(CODE_WORDS) if rng.random() < 0.04 else rng.choice(WORDS) for _ in range(words)]
    for i in range(3, len(chosen) - 2, rng.randint(6, 12)):
        chosen[i] += ","
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 22)) for _ in range(sentences))


def canvas(colour: str) -> tuple[QImage, QPainter]:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    return image, painter


def wrapped(painter: QPainter, rect: QRect, text: str, line_height: int = 100) -> int:
    """Draws word-wrapped text in ``rect`` with the painter's font and pen, lines spaced at
    ``line_height`` % (web pages use about 150 %); returns the height it took."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(painter.font())
    document.setTextWidth(rect.width())
    cursor = QTextCursor(document)
    block = QTextBlockFormat()
    block.setLineHeight(line_height, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    cursor.setBlockFormat(block)
    characters = QTextCharFormat()
    characters.setForeground(painter.pen().color())
    cursor.insertText(text, characters)
    painter.save()
    painter.translate(rect.topLeft())
    document.drawContents(painter, QRectF(0, 0, rect.width(), rect.height()))
    painter.restore()
    return min(rect.height(), round(document.size().height()))


def browser_chrome(painter: QPainter, left: int, top: int, width: int, url: str, tab: str) -> int:
    """Tabs and the address bar of a browser window; returns the page's top."""
    painter.fillRect(left, top, width, 78, QColor("#dee1e6"))
    painter.fillRect(left + 8, top + 6, 240, 32, QColor("#ffffff"))
    painter.setPen(QColor("#202124"))
    painter.setFont(font(SANS, 12))
    painter.drawText(left + 34, top + 27, tab)
    painter.setPen(QColor("#5f6368"))
    painter.drawText(left + 270, top + 27, "New tab")
    painter.fillRect(left, top + 38, width, 40, QColor("#ffffff"))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#f1f3f4"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(left + 110, top + 43, width - 260, 30), 15, 15)
    painter.setPen(QColor("#202124"))
    painter.setFont(font(SANS, 13))
    painter.drawText(left + 140, top + 63, url)
    painter.setPen(QColor("#dadce0"))
    painter.drawLine(left, top + 78, left + width, top + 78)
    return top + 79


def documentation() -> QImage:
    """Dense text: a documentation page in a browser (navigation, prose, code sample, table)."""
    rng = random.Random(11)
    image, p = canvas("#ffffff")
    top = browser_chrome(p, 0, 0, WIDTH, "docs.workdiary.test/en/latest/reference/capture.html", "Capture")
    p.fillRect(0, top, 300, HEIGHT - top, QColor("#f8f9fb"))
    p.setFont(font(SANS, 13))
    y = top + 28
    for section in range(6):
        p.setPen(QColor("#1a1a1a"))
        p.setFont(font(SANS, 13, bold=True))
        p.drawText(24, y, f"{section + 1}. " + " ".join(rng.choice(WORDS) for _ in range(2)).title())
        y += 24
        p.setFont(font(SANS, 13))
        p.setPen(QColor("#2962ff"))
        for _ in range(rng.randint(4, 7)):
            p.drawText(40, y, " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))))
            y += 22
        y += 8
    left, width = 380, 1000  # about 110 characters a line, like documentation sites
    y = top + 30
    p.setPen(QColor("#111111"))
    p.setFont(font(SANS, 28, bold=True))
    p.drawText(left, y + 28, "Capture: screenshots and their encoding")
    y += 60
    for block in range(9):
        p.setPen(QColor("#24292f"))
        p.setFont(font(SANS, 14))
        y += wrapped(p, QRect(left, y, width, 400), paragraph(rng, rng.randint(3, 6)), 150) + 16
        if block == 1:
            p.fillRect(left, y, width, 10 * 19 + 24, QColor("#f6f8fa"))
            p.setFont(font(MONO, 13))
            for row, line in enumerate(CODE.splitlines()[11:21]):
                p.setPen(QColor("#cf222e") if line.lstrip().startswith("def") else QColor("#1f2328"))
                p.drawText(left + 16, y + 28 + row * 19, line)
            y += 10 * 19 + 40
        if block == 3:
            p.setFont(font(SANS, 13, bold=True))
            p.setPen(QColor("#24292f"))
            for column, title in enumerate(["Parameter", "Type", "Default", "Meaning"]):
                p.drawText(left + 8 + [0, 180, 330, 470][column], y + 18, title)
            p.setFont(font(SANS, 13))
            for row in range(6):
                ry = y + 28 + row * 26
                p.fillRect(left, ry, width, 26, QColor("#ffffff" if row % 2 else "#f6f8fa"))
                p.setPen(QColor("#24292f"))
                p.setFont(font(MONO, 13))
                p.drawText(left + 8, ry + 18, rng.choice(WORDS) + "_" + rng.choice(WORDS))
                p.drawText(left + 188, ry + 18, rng.choice(["int", "str", "bool", "float", "Path"]))
                p.drawText(left + 338, ry + 18, str(rng.randint(0, 600)))
                p.setFont(font(SANS, 13))
                p.drawText(left + 478, ry + 18, sentence(rng, rng.randint(6, 12)))
            y += 28 + 6 * 26 + 20
        if y > HEIGHT:
            break
        if block % 3 == 2:
            p.setPen(QColor("#111111"))
            p.setFont(font(SANS, 20, bold=True))
            p.drawText(left, y + 22, " ".join(rng.choice(WORDS) for _ in range(3)).capitalize())
            y += 40
    p.setPen(QColor("#57606a"))
    p.setFont(font(SANS, 12, bold=True))
    p.drawText(1460, top + 40, "On this page")
    p.setFont(font(SANS, 12))
    for row in range(14):
        p.drawText(1460 + 12 * (row % 3 != 0), top + 66 + row * 22, sentence(rng, 3)[:-1])
    p.end()
    return image


def editor(p: QPainter, area: QRect, first_line: int = 1) -> None:
    """A dark code editor's text area: line numbers, syntax-coloured code, a minimap."""
    p.fillRect(area, QColor("#1e1e1e"))
    p.setFont(font(MONO, 13))
    metrics = p.fontMetrics()
    lines = CODE.splitlines() * 3
    by_colour: dict[str, list[tuple[int, int, str]]] = {"#858585": []}
    minimap = area.right() - 110
    for row in range((area.height() - 8) // 19):
        y = area.top() + 18 + row * 19
        line = lines[(first_line + row) % len(lines)]
        by_colour["#858585"].append((area.left() + 8, y, f"{first_line + row:4d}"))
        x = area.left() + 60
        for token in re.split(r"(\W)", line):
            colour = "#d4d4d4"
            if token in KEYWORDS:
                colour = "#569cd6"
            elif token[:1].isupper():
                colour = "#4ec9b0"
            elif token[:1] in "\"'":
                colour = "#ce9178"
            if x < minimap - 10:
                by_colour.setdefault(colour, []).append((x, y, token))
            x += metrics.horizontalAdvance(token)
        indent = len(line) - len(line.lstrip())
        if line.strip():  # the minimap: a 2 px bar per line
            p.fillRect(
                minimap + 10 + indent, area.top() + 4 + row * 3, len(line.strip()), 2, QColor("#5a5a5a")
            )
    for colour, tokens in by_colour.items():
        p.setPen(QColor(colour))
        for x, y, token in tokens:
            p.drawText(x, y, token)
    p.fillRect(area.left(), area.top() + 5 + 12 * 19, area.width() - 120, 19, QColor(255, 255, 255, 12))


def code() -> QImage:
    """Code: a dark IDE with a file tree, tabs, the editor and a terminal panel."""
    image, p = canvas("#181818")
    p.fillRect(0, 0, WIDTH, 30, QColor("#3c3c3c"))
    p.setFont(font(SANS, 12))
    p.setPen(QColor("#cccccc"))
    for i, item in enumerate(["File", "Edit", "Selection", "View", "Go", "Run", "Terminal", "Help"]):
        p.drawText(12 + i * 72, 20, item)
    p.fillRect(0, 30, 48, HEIGHT - 52, QColor("#333333"))
    p.fillRect(48, 30, 260, HEIGHT - 52, QColor("#252526"))
    tree = [
        "WORKDIARY",
        "> .ci",
        "> benchmarks",
        "v tracker",
        "  > capture",
        "    __init__.py",
        "    imaging.py",
    ]
    tree += ["    input.py", "    screen.py", "    windows.py", "  cli.py", "  diary.py", "  engine.py"]
    tree += [
        "  errors.py",
        "  models.py",
        "  rules.py",
        "  settings.py",
        "  storage.py",
        "> sync",
        "> service",
    ]
    tree += ["> tests", "> ui", "  Makefile", "  pyproject.toml", "  README.md"] + ["  notes.md"] * 12
    for i, name in enumerate(tree):
        p.setPen(QColor("#e7e7e7" if i == 6 else "#cccccc"))
        if i == 6:
            p.fillRect(48, 44 + i * 22, 260, 22, QColor("#37373d"))
        p.drawText(60, 60 + i * 22, name)
    p.fillRect(308, 30, WIDTH - 308, 35, QColor("#252526"))
    for i, tab in enumerate(["imaging.py", "screen.py", "engine.py", "test_imaging.py"]):
        p.fillRect(308 + i * 150, 30, 149, 35, QColor("#1e1e1e" if i == 0 else "#2d2d2d"))
        p.setPen(QColor("#ffffff" if i == 0 else "#969696"))
        p.drawText(328 + i * 150, 53, tab)
    editor(p, QRect(308, 65, WIDTH - 308, 700), first_line=21)
    p.fillRect(308, 765, WIDTH - 308, 1, QColor("#414141"))
    p.fillRect(308, 766, WIDTH - 308, HEIGHT - 788, QColor("#181818"))
    p.setFont(font(MONO, 13))
    p.setPen(QColor("#cccccc"))
    terminal = [
        "$ .venv/bin/python -m pytest tests/tracker/capture -q",
        "........................................................                 [100%]",
        "56 passed in 7.31s",
        "$ git status --short",
        " M tracker/capture/imaging.py",
        " M benchmarks/bench_screenshot.py",
        "?? tests/helpers/screens.py",
        "$ git diff --stat",
        " 3 files changed, 214 insertions(+), 61 deletions(-)",
        "$ ",
    ]
    for row, line in enumerate(terminal):
        p.drawText(320, 806 + row * 19, line)
    p.fillRect(0, HEIGHT - 22, WIDTH, 22, QColor("#007acc"))
    p.setPen(QColor("#ffffff"))
    p.setFont(font(SANS, 12))
    p.drawText(12, HEIGHT - 6, "main*   0 ⚠ 0    Ln 42, Col 17   Spaces: 4   UTF-8   LF   Python 3.11.2")
    p.end()
    return image


def web_page() -> QImage:
    """A web page: a news site with a large picture, article text, and cards with pictures."""
    rng = random.Random(13)
    image, p = canvas("#ffffff")
    top = browser_chrome(p, 0, 0, WIDTH, "news.workdiary.test/freelancing/tracking-hours", "Freelance news")
    p.fillRect(0, top, WIDTH, 56, QColor("#14a800"))
    p.setPen(QColor("#ffffff"))
    p.setFont(font(SANS, 22, bold=True))
    p.drawText(60, top + 37, "freelance news")
    p.setFont(font(SANS, 14))
    for i, item in enumerate(["Jobs", "Talent", "Reports", "Messages", "Community", "Help"]):
        p.drawText(1000 + i * 130, top + 34, item)
    y = top + 80
    p.drawImage(QRect(60, y, 1160, 420), photo_like(1160, 420, seed=3))
    p.setPen(QColor("#111111"))
    p.setFont(font(SERIF, 30, bold=True))
    p.drawText(60, y + 470, "How freelancers track their hours without losing a minute")
    p.setPen(QColor("#555555"))
    p.setFont(font(SANS, 13))
    p.drawText(60, y + 500, "By A. Writer · 6 min read · Updated 23 November 2026")
    p.setPen(QColor("#222222"))
    p.setFont(font(SERIF, 16))
    text_top = y + 520
    for _ in range(4):
        text_top += wrapped(p, QRect(60, text_top, 900, 300), paragraph(rng, 4), 150) + 16
    for i in range(4):
        card = y + i * 225
        p.drawImage(QRect(1280, card, 200, 140), photo_like(200, 140, seed=10 + i))
        p.setFont(font(SANS, 15, bold=True))
        p.setPen(QColor("#108a00"))
        wrapped(p, QRect(1500, card, 360, 60), sentence(rng, 7))
        p.setFont(font(SANS, 13))
        p.setPen(QColor("#555555"))
        wrapped(p, QRect(1500, card + 62, 360, 140), paragraph(rng, 2))
    p.end()
    return image


def photo() -> QImage:
    """A full-screen landscape photo (an image viewer, or a designer's work)."""
    return photo_like(WIDTH, HEIGHT, seed=7)


def photo_like(width: int, height: int, seed: int) -> QImage:
    """A photo's statistics: a smooth landscape (sky with soft clouds, hills) whose near ground has
    texture at several scales (coarse to fine, weaker as it gets finer, like grass and foliage),
    and mild sensor grain everywhere; built with a few large pixel operations."""
    rng = random.Random(seed)
    small_w, small_h = 160, 90
    scene = bytearray()
    ridges = [(0.5 + 0.12 * depth, rng.uniform(2, 9), rng.uniform(0, 6)) for depth in range(3)]
    for y in range(small_h):
        v = y / small_h
        for x in range(small_w):
            u = x / small_w
            red, green, blue = 70 + 130 * v, 120 + 95 * v, 190 + 40 * v  # sky, lighter at the horizon
            for depth, (level, frequency, phase) in enumerate(ridges):
                if v > level + 0.05 * math.sin(frequency * u + phase):
                    red, green, blue = 40 + 35 * depth, 90 + 30 * depth - 20 * v, 30 + 10 * depth
            scene += bytes((int(blue), int(green), int(red), 255))
    base = QImage(bytes(scene), small_w, small_h, QImage.Format.Format_RGB32)
    image = base.scaled(
        width, height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SoftLight)
    layers = [(64, 0.3, 0.0), (24, 0.8, 0.56), (8, 0.6, 0.56), (3, 0.3, 0.56), (1, 0.06, 0.0)]
    for divisor, opacity, top in layers:  # (noise cell in px, strength, from what height down)
        area = QRect(0, int(height * top), width, height - int(height * top))
        noise_w, noise_h = max(1, area.width() // divisor), max(1, area.height() // divisor)
        noise = QImage(
            rng.randbytes(noise_w * noise_h), noise_w, noise_h, noise_w, QImage.Format.Format_Grayscale8
        )
        p.setOpacity(opacity)
        p.drawImage(area, noise)
    p.end()
    return image


def desktop() -> QImage:
    """A whole desktop: a photo wallpaper, a panel, and overlapping windows (a terminal, a chat, a
    spreadsheet) with their title bars and shadows."""
    rng = random.Random(14)
    image = photo_like(WIDTH, HEIGHT, seed=21)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.fillRect(0, 0, WIDTH, 28, QColor("#1d1d1d"))
    p.setPen(QColor("#ffffff"))
    p.setFont(font(SANS, 13, bold=True))
    p.drawText(WIDTH // 2 - 60, 19, "Mon 23 Nov  09:42")
    p.setFont(font(SANS, 13))
    p.drawText(14, 19, "Activities")

    def window(rect: QRect, title: str, background: str) -> QRect:
        p.fillRect(rect.adjusted(-1, -1, 1, 1), QColor(0, 0, 0, 70))
        p.fillRect(rect.left(), rect.top(), rect.width(), 36, QColor("#ebebeb"))
        p.setPen(QColor("#2e2e2e"))
        p.setFont(font(SANS, 13, bold=True))
        p.drawText(QRect(rect.left(), rect.top(), rect.width(), 36), Qt.AlignmentFlag.AlignCenter, title)
        body = QRect(rect.left(), rect.top() + 36, rect.width(), rect.height() - 36)
        p.fillRect(body, QColor(background))
        return body

    sheet = window(QRect(80, 90, 1100, 640), "hours-november.ods — Spreadsheet", "#ffffff")
    p.fillRect(sheet.left(), sheet.top(), sheet.width(), 26, QColor("#f0f0f0"))
    p.setFont(font(SANS, 12))
    columns = [46, 110, 260, 90, 90, 90, 110, 120, 120]
    p.setPen(QColor("#444444"))
    for row in range((sheet.height() - 30) // 22):
        ry = sheet.top() + 30 + row * 22
        p.setPen(QColor("#d4d4d4"))
        p.drawLine(sheet.left(), ry + 22, sheet.right(), ry + 22)
        x = sheet.left()
        for column, cell_width in enumerate(columns):
            p.setPen(QColor("#d4d4d4"))
            p.drawLine(x + cell_width, ry, x + cell_width, ry + 22)
            p.setPen(QColor("#222222"))
            value = (
                str(row + 1)
                if column == 0
                else f"2026-11-{1 + row % 28:02d}"
                if column == 1
                else sentence(rng, 3)[:-1]
                if column == 2
                else f"{rng.uniform(0, 9):.2f}"
            )
            p.drawText(QRect(x + 4, ry, cell_width - 8, 22), Qt.AlignmentFlag.AlignVCenter, value)
            x += cell_width
    terminal = window(QRect(820, 420, 1000, 560), "user@laptop: ~/work/workdiary", "#300a24")
    p.setFont(font(MONO, 13))
    log_lines = [f"2026-11-23 09:{m:02d}:{rng.randint(0, 59):02d} INFO {sentence(rng, 7)}" for m in range(40)]
    for row, line in enumerate(log_lines[: (terminal.height() - 10) // 19]):
        p.setPen(QColor("#8ae234" if row % 7 == 0 else "#ffffff"))
        p.drawText(terminal.left() + 8, terminal.top() + 18 + row * 19, line[:118])
    chat = window(QRect(1380, 60, 500, 520), "Messages — Acme", "#f5f5f5")
    y = chat.top() + 14
    for i in range(8):
        text = sentence(rng, rng.randint(6, 16))
        mine = i % 2 == 1
        p.setFont(font(SANS, 13))
        bounds = p.boundingRect(QRect(0, 0, 330, 200), Qt.TextFlag.TextWordWrap, text)
        left = chat.right() - bounds.width() - 30 if mine else chat.left() + 14
        p.fillRect(
            left, y, bounds.width() + 16, bounds.height() + 12, QColor("#d7f5c8" if mine else "#ffffff")
        )
        p.setPen(QColor("#1d1d1d"))
        p.drawText(QRect(left + 8, y + 6, 330, 200), Qt.TextFlag.TextWordWrap, text)
        y += bounds.height() + 24
        if y > chat.bottom() - 40:
            break
    p.end()
    return image


CONTENTS: dict[str, Callable[[], QImage]] = {
    "text": documentation,
    "code": code,
    "web": web_page,
    "photo": photo,
    "desktop": desktop,
}
