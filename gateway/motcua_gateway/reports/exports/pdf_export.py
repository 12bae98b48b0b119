"""The overview as a printable A4 PDF (fpdf2, Be Vietnam Pro): heading, the chart, every figure, the
months and the scorecard. Each dossier count links to its list.

The chart is drawn with fpdf2's own lines and rectangles (no plotting library, no image): columns of
received and of on-time-or-early dossiers per month on the left axis, the satisfaction rate as a line
on the right axis (0-100%). Over three years the columns are summed per year so they stay readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import TTFFont

from motcua_gateway.reports.exports.table import (
    MONTH_COLUMNS,
    Kind,
    Labels,
    header_lines,
    month_lines,
    overview_rows,
    score_lines,
)
from motcua_gateway.reports.schemas import Overview, Scorecard
from motcua_kit.fonts import FAMILY, FONT_FILES, font_path, printable

MARGIN = 15.0
BODY = 9.0
LINE = 5.0
RECEIVED_COLOUR = (68, 114, 196)
ON_TIME_COLOUR = (112, 173, 71)
SATISFACTION_COLOUR = (237, 125, 49)
GRID_COLOUR = (210, 210, 210)
MAX_MONTH_COLUMNS = 36


def format_value(value: int | float | bool | None, kind: Kind, t: Labels) -> str:
    """Vietnamese number style: 7.726 and 95,31%."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if kind is Kind.SHARE:
        text = f"{value * 100:.2f}%"
    elif kind is Kind.COUNT:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}"
    if t.english:
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


@dataclass(frozen=True, slots=True)
class ChartPoint:
    label: str
    received: int
    on_time: int
    responses: int
    satisfied: int

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.responses if self.responses else None


def chart_points(overview: Overview) -> list[ChartPoint]:
    """One point per month, or per year when the period is longer than three years."""
    points = [
        ChartPoint(
            m.month,
            m.received.value if m.received else 0,
            m.on_time_or_early.value if m.on_time_or_early else 0,
            m.responses or 0,
            m.satisfied or 0,
        )
        for m in overview.monthly
    ]
    if len(points) <= MAX_MONTH_COLUMNS:
        return points
    years: dict[str, ChartPoint] = {}
    for p in points:
        year = p.label[:4]
        before = years.get(year, ChartPoint(year, 0, 0, 0, 0))
        years[year] = ChartPoint(
            year,
            before.received + p.received,
            before.on_time + p.on_time,
            before.responses + p.responses,
            before.satisfied + p.satisfied,
        )
    return list(years.values())


@dataclass(frozen=True, slots=True)
class _Area:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


def _nice_ceiling(value: int) -> int:
    """A round top for the left axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


class ReportDocument(FPDF):
    def __init__(self, t: Labels) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.t = t
        for style in FONT_FILES:
            self.add_font(FAMILY, style, font_path(style))
        font = self.fonts[FAMILY.lower()]
        assert isinstance(font, TTFFont)
        self._glyphs = frozenset(font.cmap)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_title(self.clean(t("title")))
        self.set_creator("motcua gateway")
        self.set_lang("en" if t.english else "vi")
        self.add_page()

    def clean(self, text: str) -> str:
        return printable(text, self._glyphs)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align=Align.C)

    def write_line(self, text: str, *, style: str = "", size: float = BODY, height: float = LINE) -> None:
        self.set_font(FAMILY, style, size)
        self.multi_cell(0, height, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, overview: Overview) -> None:
        self.write_line(self.t("title"), style="B", size=14, height=7)
        for label, text in header_lines(overview, self.t):
            self.write_line(f"{label}: {text}" if text else label)
        self.ln(2)

    def section_table(self, title: str, rows: list[tuple[str, str, str | None]]) -> None:
        """Two columns: figure and value (a link to the dossier list when there is one)."""
        self.write_line(title, style="B", size=11, height=7)
        self.set_font(FAMILY, "", BODY)
        heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
        with self.table(
            col_widths=(140, 40),
            text_align=(Align.L, Align.R),
            headings_style=heading,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=LINE,
        ) as table:
            header = table.row()
            header.cell(self.clean(self.t("figure")))
            header.cell(self.clean(self.t("value")))
            for figure, value, link in rows:
                row = table.row()
                row.cell(self.clean(figure))
                row.cell(self.clean(value), link=link)
        self.ln(3)

    def chart(self, points: list[ChartPoint], title: str) -> None:
        height, width = 70.0, self.w - 2 * MARGIN - 20
        if self.get_y() + height + 25 > self.h - MARGIN:
            self.add_page()
        self.write_line(title, style="B", size=11, height=7)
        area = _Area(left=MARGIN + 12, top=self.get_y() + 2, width=width, height=height)
        top_value = _nice_ceiling(max([p.received for p in points] + [p.on_time for p in points] + [1]))
        self._axes(area, top_value)
        self._series(area, points, top_value)
        self.set_y(area.bottom + 6)
        self._legend(area.left)
        # The tables after the chart must not inherit its colours.
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(0, 0, 0)

    def _axes(self, area: _Area, top_value: int) -> None:
        """Grid lines with the dossier counts on the left and 0-100% on the right."""
        self.set_font(FAMILY, "", 6.5)
        self.set_line_width(0.1)
        for step in range(5):
            y = area.bottom - area.height * step / 4
            self.set_draw_color(*GRID_COLOUR)
            self.line(area.left, y, area.right, y)
            self.set_xy(area.left - 12, y - 2)
            self.cell(11, 4, format_value(top_value * step / 4, Kind.COUNT, self.t), align=Align.R)
            self.set_xy(area.right + 1, y - 2)
            self.cell(11, 4, f"{25 * step}%", align=Align.L)
        self.set_draw_color(0, 0, 0)
        self.line(area.left, area.top, area.left, area.bottom)
        self.line(area.right, area.top, area.right, area.bottom)

    def _series(self, area: _Area, points: list[ChartPoint], top_value: int) -> None:
        """Two columns per point (received, on time or early) and the satisfaction line over them."""
        slot = area.width / max(len(points), 1)
        bar = slot * 0.35
        labels_every = max(1, math.ceil(len(points) / 18))
        previous: tuple[float, float] | None = None
        for index, point in enumerate(points):
            x = area.left + index * slot + slot * 0.15
            for offset, value, colour in ((0.0, point.received, RECEIVED_COLOUR), (bar, point.on_time, ON_TIME_COLOUR)):
                bar_height = area.height * value / top_value
                self.set_fill_color(*colour)
                if bar_height > 0:
                    self.rect(x + offset, area.bottom - bar_height, bar, bar_height, style="F")
            if index % labels_every == 0:
                self.set_xy(area.left + index * slot, area.bottom + 0.5)
                self.cell(slot * labels_every, 3.5, point.label[2:] if len(point.label) == 7 else point.label)
            rate = point.satisfaction
            if rate is None:
                previous = None
                continue
            centre = (area.left + index * slot + slot / 2, area.bottom - area.height * rate)
            self.set_draw_color(*SATISFACTION_COLOUR)
            self.set_fill_color(*SATISFACTION_COLOUR)
            self.set_line_width(0.5)
            if previous is not None:
                self.line(*previous, *centre)
            self.circle(x=centre[0], y=centre[1], radius=0.8, style="F")
            self.set_line_width(0.1)
            previous = centre
        self.set_draw_color(0, 0, 0)

    def _legend(self, left: float) -> None:
        legend = (
            (RECEIVED_COLOUR, self.t("m_received")),
            (ON_TIME_COLOUR, self.t("m_on_time_or_early")),
            (SATISFACTION_COLOUR, self.t("m_satisfied_share")),
        )
        x = left
        self.set_font(FAMILY, "", 7.5)
        for colour, label in legend:
            self.set_fill_color(*colour)
            self.rect(x, self.get_y() + 1, 3, 3, style="F")
            self.set_xy(x + 4, self.get_y())
            text = self.clean(label)
            self.cell(self.get_string_width(text) + 2, 5, text)
            x += self.get_string_width(text) + 10
        self.ln(8)

    def months_table(self, overview: Overview, base: str) -> None:
        self.write_line(self.t("monthly"), style="B", size=11, height=7)
        self.set_font(FAMILY, "", 7.5)
        heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
        with self.table(
            col_widths=(20, 26, 26, 30, 22, 26, 30),
            text_align=Align.R,
            headings_style=heading,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=4.2,
        ) as table:
            header = table.row()
            for key in ("month", *MONTH_COLUMNS):
                header.cell(self.clean(self.t(key)))
            for line in month_lines(overview):
                row = table.row()
                row.cell(line.month)
                for key, value, link in zip(MONTH_COLUMNS, line.values, line.links, strict=True):
                    kind = Kind.SHARE if key == "m_satisfied_share" else Kind.COUNT
                    row.cell(format_value(value, kind, self.t), link=base + link if link else None)
        self.ln(3)

    def scorecard_table(self, scorecard: Scorecard) -> None:
        self.write_line(self.t("scorecard"), style="B", size=11, height=7)
        self.set_font(FAMILY, "", 7.5)
        heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
        group_face = FontFace(emphasis="BOLD", fill_color=(242, 242, 242))
        with self.table(
            col_widths=(80, 22, 22, 20, 18, 18),
            text_align=(Align.L, Align.R, Align.R, Align.R, Align.R, Align.R),
            headings_style=heading,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=4.2,
        ) as table:
            header = table.row()
            for key in ("input", "numerator", "denominator", "share", "weight", "points"):
                header.cell(self.clean(self.t(key)))
            for line in score_lines(scorecard, self.t):
                row = table.row(style=group_face if line.is_group else None)
                row.cell(self.clean(line.label))
                row.cell(format_value(line.numerator, Kind.COUNT, self.t) if not line.is_group else "")
                row.cell(format_value(line.denominator, Kind.COUNT, self.t) if not line.is_group else "")
                row.cell(format_value(line.share, Kind.SHARE, self.t) if not line.is_group else "")
                row.cell(format_value(line.weight, Kind.NUMBER, self.t))
                row.cell(format_value(line.points, Kind.NUMBER, self.t))
            total = table.row(style=group_face)
            total.cell(self.clean(self.t("total")), colspan=5)
            total.cell(format_value(scorecard.score, Kind.NUMBER, self.t))
        self.write_line(scorecard.method, size=7)


def render_pdf(overview: Overview, scorecard: Scorecard, t: Labels, public_base_url: str) -> bytes:
    document = ReportDocument(t)
    document.alias_nb_pages()
    document.heading(overview)
    points = chart_points(overview)
    if points:
        document.chart(
            points, f"{t('monthly')}: {t('m_received')}, {t('m_on_time_or_early')}, {t('m_satisfied_share')}"
        )
    sections: dict[str, list[tuple[str, str, str | None]]] = {}
    for row in overview_rows(overview, t):
        link = public_base_url + row.link if row.link else None
        sections.setdefault(row.section, []).append((row.figure, format_value(row.value, row.kind, t), link))
    for title, rows in sections.items():
        document.section_table(title, rows)
    if overview.monthly:
        document.months_table(overview, public_base_url)
    document.scorecard_table(scorecard)
    return bytes(document.output())
