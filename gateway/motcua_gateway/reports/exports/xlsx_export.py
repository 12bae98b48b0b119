"""The overview as an XLSX workbook (xlsxwriter): formatted tables, the months with a chart, the scorecard.

Sheets: the figures (with each dossier count linked to its list), the months (received, resolved on
time or early, late, responses, satisfaction rate) with a chart of received and on-time dossiers
(columns) and the satisfaction rate (a line on the second axis), and the scorecard.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

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

# Excel refuses hyperlinks longer than this.
MAX_URL = 2079


def render_xlsx(overview: Overview, scorecard: Scorecard, t: Labels, public_base_url: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_urls": False})
    workbook.set_properties({"title": t("title"), "author": "motcua", "comments": "motcua gateway reports"})
    formats = _Formats(workbook)
    _figures_sheet(workbook, formats, overview, t, public_base_url)
    _months_sheet(workbook, formats, overview, t, public_base_url)
    _scorecard_sheet(workbook, formats, scorecard, t)
    workbook.close()
    return buffer.getvalue()


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.label = workbook.add_format({"bold": True})
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.text = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.count = workbook.add_format({"border": 1, "num_format": "#,##0"})
        self.share = workbook.add_format({"border": 1, "num_format": "0.00%"})
        self.number = workbook.add_format({"border": 1, "num_format": "0.00"})
        self.link = workbook.add_format({"border": 1, "font_color": "blue", "underline": 1})
        self.group = workbook.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
        self.group_number = workbook.add_format(
            {"bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "0.00"}
        )

    def of(self, kind: Kind) -> Any:
        return {Kind.COUNT: self.count, Kind.SHARE: self.share, Kind.NUMBER: self.number}.get(kind, self.text)


def _cell(value: int | float | bool | None, kind: Kind, t: Labels) -> int | float | str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    return value


def _heading(sheet: Any, formats: _Formats, overview: Overview, t: Labels) -> int:
    sheet.write(0, 0, t("title"), formats.title)
    row = 1
    for label, text in header_lines(overview, t):
        sheet.write(row, 0, label, formats.label)
        sheet.write(row, 1, text)
        row += 1
    return row + 1


def _link(sheet: Any, row: int, column: int, url: str, *, formats: _Formats, t: Labels) -> None:
    if len(url) <= MAX_URL:
        sheet.write_url(row, column, url, formats.link, string=t("link"))
    else:
        sheet.write_string(row, column, url, formats.text)


def _figures_sheet(workbook: Any, formats: _Formats, overview: Overview, t: Labels, base: str) -> None:
    sheet = workbook.add_worksheet(t("sheet_figures"))
    row = _heading(sheet, formats, overview, t)
    for column, key in enumerate(("section", "figure", "value", "link")):
        sheet.write(row, column, t(key), formats.header)
    for figure in overview_rows(overview, t):
        row += 1
        sheet.write(row, 0, figure.section, formats.text)
        sheet.write(row, 1, figure.figure, formats.text)
        sheet.write(row, 2, _cell(figure.value, figure.kind, t), formats.of(figure.kind))
        if figure.link:
            _link(sheet, row, 3, base + figure.link, formats=formats, t=t)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 52)
    sheet.set_column(2, 2, 14)
    sheet.set_column(3, 3, 18)


def _months_sheet(workbook: Any, formats: _Formats, overview: Overview, t: Labels, base: str) -> None:
    name = t("sheet_months")
    sheet = workbook.add_worksheet(name)
    top = _heading(sheet, formats, overview, t)
    headers = [t("month"), *(t(c) for c in MONTH_COLUMNS)]
    for column, text in enumerate(headers):
        sheet.write(top, column, text, formats.header)
    lines = month_lines(overview)
    for offset, line in enumerate(lines, start=1):
        sheet.write(top + offset, 0, line.month, formats.text)
        for column, (key, value) in enumerate(zip(MONTH_COLUMNS, line.values, strict=True), start=1):
            kind = Kind.SHARE if key == "m_satisfied_share" else Kind.COUNT
            sheet.write(top + offset, column, "" if value is None else value, formats.of(kind))
    links_column = len(headers)
    sheet.write(top, links_column, t("link"), formats.header)
    for offset, line in enumerate(lines, start=1):
        if line.links[0]:
            _link(sheet, top + offset, links_column, base + line.links[0], formats=formats, t=t)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, len(headers), 16)
    if not lines:
        return
    first, last = top + 1, top + len(lines)
    columns = workbook.add_chart({"type": "column"})
    for column, key in ((1, "m_received"), (3, "m_on_time_or_early")):
        columns.add_series(
            {
                "name": t(key),
                "categories": [name, first, 0, last, 0],
                "values": [name, first, column, last, column],
            }
        )
    satisfaction = workbook.add_chart({"type": "line"})
    satisfaction.add_series(
        {
            "name": t("m_satisfied_share"),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 6, last, 6],
            "y2_axis": True,
            "marker": {"type": "circle"},
        }
    )
    columns.combine(satisfaction)
    columns.set_title({"name": t("title")})
    columns.set_y_axis({"name": t("dossiers"), "num_format": "#,##0"})
    satisfaction.set_y2_axis({"name": t("m_satisfied_share"), "num_format": "0%", "min": 0, "max": 1})
    columns.set_legend({"position": "bottom"})
    columns.set_size({"width": 820, "height": 380})
    sheet.insert_chart(last + 2, 0, columns)


def _scorecard_sheet(workbook: Any, formats: _Formats, scorecard: Scorecard, t: Labels) -> None:
    sheet = workbook.add_worksheet(t("sheet_scorecard"))
    sheet.write(0, 0, t("scorecard"), formats.title)
    sheet.write(1, 0, scorecard.method)
    top = 3
    headers = ("group", "input", "numerator", "denominator", "share", "weight", "points")
    for column, key in enumerate(headers):
        sheet.write(top, column, t(key), formats.header)
    row = top
    for line in score_lines(scorecard, t):
        row += 1
        if line.is_group:
            sheet.write(row, 0, line.group, formats.group)
            for column in range(1, 5):
                sheet.write(row, column, "", formats.group)
            sheet.write(row, 5, line.weight, formats.group_number)
            sheet.write(row, 6, "" if line.points is None else line.points, formats.group_number)
            continue
        sheet.write(row, 0, "", formats.text)
        sheet.write(row, 1, line.label, formats.text)
        sheet.write(row, 2, "" if line.numerator is None else line.numerator, formats.count)
        sheet.write(row, 3, "" if line.denominator is None else line.denominator, formats.count)
        sheet.write(row, 4, "" if line.share is None else line.share, formats.share)
        sheet.write(row, 5, line.weight, formats.number)
        sheet.write(row, 6, "" if line.points is None else line.points, formats.number)
    row += 1
    sheet.write(row, 0, t("total"), formats.group)
    sheet.write(row, 6, "" if scorecard.score is None else scorecard.score, formats.group_number)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 6, 12)
