"""The overview as CSV: one table of every figure (section, figure, value, dossier list), then the months
and the scorecard as further rows of the same table. UTF-8 with a byte-order mark, so spreadsheet
programs read Vietnamese."""

from __future__ import annotations

import csv
import io

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


def _value(value: int | float | bool | None, kind: Kind) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if kind is Kind.SHARE:
        return f"{value:.4f}"
    return str(value)


def render_csv(overview: Overview, scorecard: Scorecard, t: Labels, public_base_url: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t("section"), t("figure"), t("value"), t("link")])
    for label, text in header_lines(overview, t):
        writer.writerow(["", label, text, ""])
    for row in overview_rows(overview, t):
        writer.writerow(
            [row.section, row.figure, _value(row.value, row.kind), public_base_url + row.link if row.link else ""]
        )
    for line in month_lines(overview):
        for column, value, link in zip(MONTH_COLUMNS, line.values, line.links, strict=True):
            kind = Kind.SHARE if column == "m_satisfied_share" else Kind.COUNT
            writer.writerow(
                [f"{t('monthly')} {line.month}", t(column), _value(value, kind), public_base_url + link if link else ""]
            )
    for score in score_lines(scorecard, t):
        figure = score.group if score.is_group else f"{score.group}: {score.label}"
        writer.writerow([t("scorecard"), figure, _value(score.points, Kind.NUMBER), ""])
    writer.writerow([t("scorecard"), t("total"), _value(scorecard.score, Kind.NUMBER), ""])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
