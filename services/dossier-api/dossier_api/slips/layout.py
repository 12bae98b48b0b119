"""Page furniture shared by every slip: A5 page, Vietnamese font, national header, fields, tables, QR, signatures."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from fpdf import FPDF, FontFace
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import TTFFont

from motcua_kit.fonts import FAMILY, FONT_FILES, font_path, printable
from motcua_kit.timezone import VIETNAM

PAGE_SIZE_MM = (148.0, 210.0)  # A5 portrait (ISO 216)
MARGIN = 12.0
BODY_SIZE = 9.0
LINE = 4.6
QR_SIZE = 24.0


def local_time(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("slip times must carry a time zone offset")
    return instant.astimezone(VIETNAM)


def vietnamese_date(instant: dt.datetime) -> str:
    """``ngày 09 tháng 6 năm 2025``: days below 10 and months 1-2 get a leading zero (Decree 30/2020/NĐ-CP)."""
    day = local_time(instant)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vietnamese_time(instant: dt.datetime) -> str:
    """``14 giờ 05 phút, ngày 09 tháng 6 năm 2025``, as the one-stop forms write times."""
    moment = local_time(instant)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {vietnamese_date(moment)}"


@dataclass(frozen=True, slots=True)
class Signature:
    title: str
    name: str | None
    note: str = "(Ký và ghi rõ họ tên)"


class SlipDocument(FPDF):
    """An A5 slip with the embedded Vietnamese font; text is normalised and made printable first."""

    def __init__(self, *, title: str, code: str, author: str, created_at: dt.datetime) -> None:
        super().__init__(orientation="P", unit="mm", format=PAGE_SIZE_MM)
        self._code = code
        for style in FONT_FILES:
            self.add_font(FAMILY, style, font_path(style))
        self._glyphs = self._drawable(FAMILY.lower()) & self._drawable(f"{FAMILY.lower()}B")
        self.set_margins(MARGIN, 10, MARGIN)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(self.clean(f"{title} - {code}"))
        self.set_author(self.clean(author))
        self.set_creator("motcua dossier-api")
        self.set_creation_date(local_time(created_at))
        self.set_lang("vi")
        self.add_page()

    def _drawable(self, key: str) -> frozenset[int]:
        font = self.fonts[key]
        assert isinstance(font, TTFFont)
        return frozenset(font.cmap)

    # -- text -------------------------------------------------------------------------------------

    def clean(self, text: str, *, multiline: bool = False) -> str:
        """Text the embedded font can draw (see :func:`motcua_kit.fonts.printable`)."""
        return printable(text, self._glyphs, multiline=multiline)

    def font(self, style: str = "", size: float = BODY_SIZE) -> None:
        self.set_font(FAMILY, style, size)

    def paragraph(self, text: str, *, style: str = "", size: float = BODY_SIZE, align: Align = Align.J) -> None:
        self.font(style, size)
        self.multi_cell(0, LINE, self.clean(text, multiline=True), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str) -> None:
        """``label`` in regular type followed by ``value`` in bold, wrapping at the margin."""
        self.set_x(self.l_margin)
        self.font()
        self.write(LINE, self.clean(label) + " ")
        self.font("B")
        self.write(LINE, self.clean(value))
        self.ln(LINE)

    def numbered(self, items: Sequence[str], *, indent: float = 4.0) -> None:
        self.font()
        for number, item in enumerate(items, start=1):
            self.set_x(self.l_margin + indent)
            self.multi_cell(
                0, LINE, f"{number}. {self.clean(item, multiline=True)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

    def table_of(self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        self.font(size=BODY_SIZE - 1.5)
        with self.table(
            col_widths=tuple(widths),
            text_align="LEFT",
            line_height=LINE - 0.8,
            headings_style=FontFace(emphasis="BOLD"),
            padding=0.8,
            repeat_headings=1,
        ) as table:
            for cells in (headings, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(self.clean(cell, multiline=True))
        self.font()

    # -- blocks -----------------------------------------------------------------------------------

    def national_header(
        self, *, parent: str | None, agency: str, unit: str, place: str, issued_at: dt.datetime
    ) -> None:
        """The agency on the left, the national motto and place and date on the right (Decree 30/2020/NĐ-CP)."""
        top, left_width, right_width = self.get_y(), 54.0, self.epw - 56.0
        self.font(size=7.5)
        lines = [(parent, ""), (agency, "B"), (unit, "B")]
        for text, style in lines:
            if text:
                self.font(style, 7.5)
                self.multi_cell(
                    left_width, 3.4, self.clean(text).upper(), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
        left_bottom = self.get_y()
        self.line(
            self.l_margin + left_width / 2 - 8, left_bottom + 0.8, self.l_margin + left_width / 2 + 8, left_bottom + 0.8
        )
        right_x = self.l_margin + self.epw - right_width
        self.set_xy(right_x, top)
        self.font("B", 7.5)
        self.cell(
            right_width, 3.4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT
        )
        self.font("B", 8)
        self.cell(right_width, 3.8, "Độc lập - Tự do - Hạnh phúc", align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        motto_bottom = self.get_y()
        center = right_x + right_width / 2
        self.line(center - 17, motto_bottom + 0.3, center + 17, motto_bottom + 0.3)
        self.set_xy(right_x, motto_bottom + 1.5)
        self.font("I", 7.5)
        self.multi_cell(
            right_width,
            3.4,
            f"{self.clean(place)}, {vietnamese_date(issued_at)}",
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_y(max(left_bottom + 2, self.get_y()) + 4)

    def title_block(self, title: str, *, code: str | None) -> None:
        self.font("B", 11.5)
        self.multi_cell(0, 5.5, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if code:
            self.font("B", 9.5)
            self.multi_cell(0, 5, f"Mã hồ sơ: {self.clean(code)}", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2.5)

    def lookup_block(self, url: str, *, code: str, secret: str | None = None) -> None:
        """The QR code of the public lookup URL, with the URL and the codes a citizen types in."""
        height = QR_SIZE + 2
        if self.will_page_break(height):
            self.add_page()
        self.ln(1.5)
        top = self.get_y()
        image = io.BytesIO()
        segno.make(url, error="m", micro=False).save(image, kind="png", scale=8, border=2)
        image.seek(0)
        self.image(image, x=self.l_margin, y=top, w=QR_SIZE, h=QR_SIZE)
        text_x = self.l_margin + QR_SIZE + 3
        self.set_xy(text_x, top + 2)
        self.font("B", 8)
        self.multi_cell(0, 3.8, "Tra cứu tình trạng hồ sơ", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(size=7.5)
        self.multi_cell(0, 3.6, "Quét mã QR hoặc truy cập địa chỉ:", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.multi_cell(0, 3.6, self.clean(url), wrapmode=WrapMode.CHAR, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.multi_cell(0, 3.6, f"Mã hồ sơ: {self.clean(code)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if secret:
            self.multi_cell(0, 3.6, f"Mã tra cứu: {self.clean(secret)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, max(self.get_y(), top + QR_SIZE) + 2)

    def signatures(self, left: Signature | None, right: Signature) -> None:
        """One or two signature columns, kept on one page."""
        height = 28.0
        if self.will_page_break(height):
            self.add_page()
        self.ln(2)
        top = self.get_y()
        width = self.epw / 2
        for column, signature in ((0, left), (1, right)):
            if signature is None:
                continue
            x = self.l_margin + column * width
            self.set_xy(x, top)
            self.font("B", 8.5)
            self.multi_cell(
                width, 4, self.clean(signature.title).upper(), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT
            )
            self.font("I", 7.5)
            self.multi_cell(width, 3.6, signature.note, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
            if signature.name:
                self.set_xy(x, top + 22)
                self.font("B", 8.5)
                self.multi_cell(width, 4, self.clean(signature.name), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, top + height)

    def footer(self) -> None:
        self.set_y(-10)
        self.font("I", 6.5)
        self.cell(0, 4, f"{self.clean(self._code)} - Trang {self.page_no()}/{{nb}}", align=Align.R)
