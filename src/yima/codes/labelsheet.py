"""The PDF label sheet: A4 pages of labels, one a printed face, each a vector QR symbol with the
防伪码 under it (on the face that carries it) and the serial in small print.

Labels run by serial, the outer before the inner, four to a row: a unit's peers (同级码) sit side
by side, so whoever applies them by hand puts both on the same bottle. Chinese needs a CJK font;
without one installed the labels are printed in English (``No. 1234 5678 9012``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
from fpdf import FPDF

from yima.codes import qrbatch
from yima.codes.formats import QR_ERROR, Label, Plan

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 210.0, 297.0, 10.0  # A4, millimetres
COLUMNS, ROWS = 4, 6  # an even number of columns keeps a unit's two faces on one row
PER_PAGE = COLUMNS * ROWS
CELL_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS
CELL_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / ROWS
SYMBOL = 30.0  # the QR symbol's side; its quiet zone is the label's white space
# CJK fonts as Debian, Fedora and Alpine install them: (file, index in a collection).
CJK_FONTS = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # fonts-noto-cjk; 2 = SC
    (Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),
]
FACE_NAMES = {"outer": ("外码", "outer"), "inner": ("内码", "inner")}


@lru_cache(maxsize=1)
def cjk_font() -> tuple[Path, int] | None:
    """The first CJK font installed, or None (then labels are printed in English)."""
    return next(((path, index) for path, index in CJK_FONTS if path.is_file()), None)


def anti_fake_text(number: str, chinese: bool) -> str:
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return f"防伪码 {grouped}" if chinese else f"No. {grouped}"


class LabelSheet:
    def __init__(self, plan: Plan, font: tuple[Path, int] | bool | None = True) -> None:
        """``font``: a (file, collection index), None for English labels, True to look one up."""
        self.plan = plan
        self.font = cjk_font() if font is True else font or None
        # The 防伪码 goes with the code people scan to check: the inner one where there is one.
        self.anti_fake_face = "inner" if "inner" in plan.faces else "outer"

    def _document(self) -> FPDF:
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_creator("yima")
        pdf.set_title(f"batch {self.plan.batch_id} {self.plan.level} {self.plan.first}-{self.plan.last}")
        if self.font is not None:
            path, index = self.font
            pdf.add_font("cjk", fname=str(path), collection_font_number=index)
        pdf.set_draw_color(210)
        pdf.set_fill_color(0)
        pdf.set_line_width(0.1)
        return pdf

    def _family(self) -> str:
        return "cjk" if self.font is not None else "helvetica"

    def render(self, chunks: Iterable[list[Label]]) -> bytes:
        """The sheet of ``chunks`` of labels (as ``formats.label_chunks`` gives them)."""
        pdf = self._document()
        symbols: qrbatch.QrBatch | None = None
        at = 0
        for chunk in chunks:
            symbols = symbols or qrbatch.QrBatch(chunk[0].url, QR_ERROR)
            for label, matrix in zip(chunk, symbols.make([label.url for label in chunk]), strict=True):
                if at % PER_PAGE == 0:
                    pdf.add_page()
                    self._footer(pdf)
                row, column = divmod(at % PER_PAGE, COLUMNS)
                self._label(pdf, label, matrix, MARGIN + column * CELL_WIDTH, MARGIN + row * CELL_HEIGHT)
                at += 1
        if pdf.page == 0:
            pdf.add_page()  # an empty batch still makes a valid document
        return bytes(pdf.output())

    def _label(self, pdf: FPDF, label: Label, matrix: np.ndarray, x: float, y: float) -> None:
        pdf.rect(x, y, CELL_WIDTH, CELL_HEIGHT)  # a light cut line
        # The symbol in vector: a filled rectangle a horizontal run of dark modules.
        module = SYMBOL / matrix.shape[0]
        left, top = x + (CELL_WIDTH - SYMBOL) / 2, y + 4
        for row, first, length in qrbatch.runs(matrix):
            pdf.rect(left + first * module, top + row * module, length * module, module, style="F")
        chinese = self.font is not None
        text_y = top + SYMBOL + 1.5
        if label.face == self.anti_fake_face:
            pdf.set_font(self._family(), size=9)
            pdf.set_xy(x, text_y)
            pdf.cell(CELL_WIDTH, 4, anti_fake_text(label.anti_fake, chinese), align="C")
        zh, en = FACE_NAMES[label.face]
        pdf.set_font(self._family(), size=6)
        pdf.set_text_color(90)
        pdf.set_xy(x, text_y + 4.5)
        pdf.cell(CELL_WIDTH, 3, f"{label.serial} · {zh if chinese else en}", align="C")
        pdf.set_text_color(0)

    def _footer(self, pdf: FPDF) -> None:
        plan = self.plan
        pdf.set_font(self._family(), size=7)
        pdf.set_text_color(120)
        pdf.set_xy(MARGIN, PAGE_HEIGHT - MARGIN + 2)
        text = f"yima · batch {plan.batch_id} · {plan.level} · {plan.first}-{plan.last} · {pdf.page}/{{nb}}"
        pdf.cell(PAGE_WIDTH - 2 * MARGIN, 4, text, align="R")
        pdf.set_text_color(0)
