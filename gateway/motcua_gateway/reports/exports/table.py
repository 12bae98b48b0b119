"""The overview and scorecard laid out as labelled rows, once, for every export format.

Labels are Vietnamese by default and English on ``Accept-Language: en``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from motcua_gateway.reports.schemas import (
    CatalogueSection,
    Count,
    DossierSection,
    Overview,
    SatisfactionSection,
    Scorecard,
)


class Kind(StrEnum):
    COUNT = "count"
    SHARE = "share"  # 0-1, shown as a percentage
    NUMBER = "number"  # a mean score, points
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class Row:
    section: str
    figure: str
    value: int | float | bool | None
    kind: Kind
    link: str | None = None  # the dossier list that produces a count


LABELS: dict[str, tuple[str, str]] = {
    "title": ("Báo cáo kết quả giải quyết thủ tục hành chính", "Report on administrative procedures"),
    "period": ("Kỳ báo cáo", "Period"),
    "agency": ("Cơ quan", "Agency"),
    "all_agencies": ("Tất cả cơ quan", "All agencies"),
    "generated_at": ("Lập lúc", "Generated at"),
    "frozen": ("Số liệu đã chốt, phiên bản", "Closed figures, revision"),
    "live": ("Số liệu tại thời điểm lập", "Figures as of generation"),
    "missing": ("Thiếu phần", "Missing part"),
    "section": ("Nhóm", "Section"),
    "figure": ("Chỉ tiêu", "Figure"),
    "value": ("Giá trị", "Value"),
    "link": ("Danh sách hồ sơ", "Dossier list"),
    "yes": ("Đạt", "Met"),
    "sheet_figures": ("Tổng hợp", "Overview"),
    "sheet_months": ("Theo tháng", "By month"),
    "sheet_scorecard": ("Chấm điểm", "Scorecard"),
    "no": ("Không đạt", "Not met"),
    # sections
    "catalogue": ("Thủ tục hành chính", "Procedures"),
    "dossiers": ("Hồ sơ", "Dossiers"),
    "satisfaction": ("Mức độ hài lòng", "Satisfaction"),
    "monthly": ("Theo tháng", "By month"),
    "scorecard": ("Chấm điểm theo Quyết định 766/QĐ-TTg", "Scored after Decision 766/QĐ-TTg"),
    # catalogue
    "in_force": ("Thủ tục đang có hiệu lực", "Procedures in force"),
    "online": ("Cung cấp trực tuyến (toàn trình hoặc một phần)", "Offered online (full or partial)"),
    "online_full": ("Trực tuyến toàn trình", "Full online"),
    "online_partial": ("Trực tuyến một phần", "Partial online"),
    "online_none": ("Không trực tuyến", "Not online"),
    "online_share": ("Tỷ lệ thủ tục trực tuyến", "Share of procedures online"),
    "legacy_1": ("Mức độ 1 (trước 2022)", "Level 1 (before 2022)"),
    "legacy_2": ("Mức độ 2 (trước 2022)", "Level 2 (before 2022)"),
    "legacy_3": ("Mức độ 3 (trước 2022)", "Level 3 (before 2022)"),
    "legacy_4": ("Mức độ 4 (trước 2022)", "Level 4 (before 2022)"),
    "online_submission_legacy": ("Mức độ 3 và 4: nộp hồ sơ trực tuyến", "Levels 3 and 4: online submission"),
    "one_stop": ("Thực hiện qua một cửa", "Through the one-stop unit"),
    "one_stop_share": ("Tỷ lệ thực hiện qua một cửa", "Share through the one-stop unit"),
    "abolished_now": ("Thủ tục đã bãi bỏ", "Procedures abolished"),
    "decisions": ("Quyết định công bố có hiệu lực trong kỳ", "Announcement decisions effective in the period"),
    "announced_in_time": ("Công bố đúng hạn (trước 20 ngày làm việc)", "Announced in time (20 working days ahead)"),
    "created": ("Thủ tục ban hành mới", "Procedures created"),
    "amended": ("Thủ tục sửa đổi, bổ sung, thay thế", "Procedures amended"),
    "abolished": ("Thủ tục bãi bỏ", "Procedures abolished in the period"),
    # dossiers
    "received_total": ("Hồ sơ tiếp nhận (mới và kỳ trước chuyển sang)", "Dossiers received (new and carried over)"),
    "received_new": ("Tiếp nhận mới trong kỳ", "New in the period"),
    "carried_over": ("Kỳ trước chuyển sang", "Carried over"),
    "new_in_person": ("Mới: trực tiếp", "New: in person"),
    "new_online": ("Mới: trực tuyến", "New: online"),
    "new_postal": ("Mới: qua bưu chính công ích", "New: by public post"),
    "resolved_total": ("Đã giải quyết", "Resolved"),
    "early": ("Trước hạn", "Early"),
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Quá hạn", "Late"),
    "on_time_or_early": ("Trước hạn và đúng hạn", "On time or early"),
    "on_time_or_early_share": ("Tỷ lệ giải quyết đúng hạn", "Share resolved on time or early"),
    "in_progress": ("Đang giải quyết cuối kỳ", "In progress at the end"),
    "in_time": ("Đang giải quyết: trong hạn", "In progress: in time"),
    "overdue": ("Đang giải quyết: quá hạn", "In progress: overdue"),
    "refused": ("Từ chối tiếp nhận", "Refused"),
    "withdrawn": ("Rút hồ sơ", "Withdrawn"),
    "stopped": ("Dừng giải quyết", "Stopped"),
    "dossier_online_share": ("Tỷ lệ hồ sơ trực tuyến", "Share filed online"),
    "postal_share": ("Tỷ lệ hồ sơ qua bưu chính", "Share filed by post"),
    "paid": ("Hồ sơ đã nộp phí, lệ phí", "Fees paid"),
    "paid_online": ("Thanh toán trực tuyến", "Paid online"),
    "paid_online_share": ("Tỷ lệ thanh toán trực tuyến", "Share paid online"),
    "results_online": ("Trả kết quả trực tuyến", "Results returned online"),
    "results_online_share": ("Tỷ lệ trả kết quả trực tuyến", "Share of results returned online"),
    # satisfaction
    "responses": ("Phiếu đánh giá", "Responses"),
    "satisfied": ("Hài lòng", "Satisfied"),
    "satisfied_share": ("Tỷ lệ hài lòng", "Satisfaction rate"),
    "target": ("Chỉ tiêu", "Target"),
    "target_met": ("Đạt chỉ tiêu", "Target met"),
    "mean_overall_score": ("Điểm trung bình (1-5)", "Mean score (1-5)"),
    "invitations": ("Lời mời đánh giá", "Invitations"),
    "answered_invitations": ("Đã trả lời", "Answered"),
    "response_rate": ("Tỷ lệ phản hồi", "Response rate"),
    "online_responses": ("Đánh giá trực tuyến", "Online responses"),
    "online_satisfied_share": ("Tỷ lệ hài lòng (trực tuyến)", "Satisfaction rate (online)"),
    "paper_responses": ("Đánh giá trên phiếu giấy", "Paper responses"),
    "paper_satisfied_share": ("Tỷ lệ hài lòng (phiếu giấy)", "Satisfaction rate (paper)"),
    "feedback_opened": ("Phản ánh, kiến nghị trong kỳ", "Feedback opened"),
    "feedback_resolved": ("Đã xử lý", "Resolved"),
    "feedback_resolved_share": ("Tỷ lệ đã xử lý", "Share resolved"),
    "complaints": ("Khiếu nại", "Complaints"),
    "factor_access": ("Tiếp cận dịch vụ", "Access to the service"),
    "factor_procedure": ("Thủ tục hành chính", "The procedure"),
    "factor_civil_servant": ("Công chức giải quyết", "The civil servant"),
    "factor_result": ("Kết quả giải quyết", "The result"),
    "factor_feedback_handling": ("Tiếp nhận, xử lý phản ánh", "Feedback handling"),
    "factor_overall": ("Đánh giá chung", "Overall"),
    # monthly
    "month": ("Tháng", "Month"),
    "m_received": ("Tiếp nhận", "Received"),
    "m_resolved": ("Đã giải quyết", "Resolved"),
    "m_on_time_or_early": ("Đúng hạn, trước hạn", "On time or early"),
    "m_late": ("Quá hạn", "Late"),
    "m_responses": ("Phiếu đánh giá", "Responses"),
    "m_satisfied_share": ("Tỷ lệ hài lòng", "Satisfaction rate"),
    # scorecard
    "group": ("Nhóm chỉ số", "Group"),
    "input": ("Chỉ tiêu thành phần", "Input"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "share": ("Tỷ lệ", "Share"),
    "weight": ("Điểm tối đa", "Weight"),
    "points": ("Điểm", "Points"),
    "total": ("Tổng điểm (thang 100)", "Score (out of 100)"),
    "g_publicity": ("Công khai, minh bạch", "Publicity"),
    "g_progress": ("Tiến độ giải quyết", "Progress"),
    "g_online_services": ("Dịch vụ trực tuyến", "Online services"),
    "g_online_payment": ("Thanh toán trực tuyến", "Online payment"),
    "g_satisfaction": ("Mức độ hài lòng", "Satisfaction"),
    "g_digitisation": ("Số hóa hồ sơ", "Digitisation"),
    "s_announced_in_time": ("Quyết định công bố đúng hạn", "Decisions announced in time"),
    "s_resolved_on_time_or_early": ("Hồ sơ giải quyết đúng hạn, trước hạn", "Resolved on time or early"),
    "s_in_progress_in_time": ("Hồ sơ đang giải quyết trong hạn", "In progress and in time"),
    "s_procedures_online": ("Thủ tục cung cấp trực tuyến", "Procedures offered online"),
    "s_dossiers_online": ("Hồ sơ nộp trực tuyến", "Dossiers filed online"),
    "s_paid_online": ("Hồ sơ thanh toán trực tuyến", "Fees paid online"),
    "s_satisfied": ("Phiếu đánh giá hài lòng", "Responses satisfied"),
    "s_feedback_resolved": ("Phản ánh, kiến nghị đã xử lý", "Feedback resolved"),
    "s_dossiers_digital": ("Hồ sơ điện tử (nộp trực tuyến)", "Electronic dossiers (filed online)"),
    "s_results_digital": ("Kết quả trả trực tuyến", "Results returned online"),
}


class Labels:
    def __init__(self, language: str) -> None:
        self.english = language == "en"

    def __call__(self, key: str) -> str:
        vietnamese, english = LABELS[key]
        return english if self.english else vietnamese


def _catalogue(c: CatalogueSection, t: Labels) -> list[Row]:
    s = t("catalogue")
    rows = [
        Row(s, t("in_force"), c.in_force, Kind.COUNT),
        Row(s, t("online"), c.online, Kind.COUNT),
        Row(s, t("online_full"), c.by_online_level.get("full", 0), Kind.COUNT),
        Row(s, t("online_partial"), c.by_online_level.get("partial", 0), Kind.COUNT),
        Row(s, t("online_none"), c.by_online_level.get("none", 0), Kind.COUNT),
        Row(s, t("online_share"), c.online_share, Kind.SHARE),
    ]
    rows += [Row(s, t(f"legacy_{n}"), c.by_legacy_online_level.get(str(n), 0), Kind.COUNT) for n in range(1, 5)]
    rows += [
        Row(s, t("online_submission_legacy"), c.online_submission_legacy, Kind.COUNT),
        Row(s, t("one_stop"), c.one_stop, Kind.COUNT),
        Row(s, t("one_stop_share"), c.one_stop_share, Kind.SHARE),
        Row(s, t("abolished_now"), c.abolished, Kind.COUNT),
        Row(s, t("decisions"), c.changes.decisions, Kind.COUNT),
        Row(s, t("announced_in_time"), c.changes.announced_in_time, Kind.COUNT),
        Row(s, t("created"), c.changes.created, Kind.COUNT),
        Row(s, t("amended"), c.changes.amended, Kind.COUNT),
        Row(s, t("abolished"), c.changes.abolished, Kind.COUNT),
    ]
    return rows


def _dossiers(d: DossierSection, t: Labels) -> list[Row]:
    s = t("dossiers")

    def count(key: str, figure: Count) -> Row:
        return Row(s, t(key), figure.value, Kind.COUNT, figure.list)

    received, resolved, progress = d.received, d.resolved, d.in_progress
    return [
        count("received_total", received.total),
        count("received_new", received.new),
        count("carried_over", received.carried_over),
        count("new_in_person", received.new_by_channel.in_person),
        count("new_online", received.new_by_channel.online),
        count("new_postal", received.new_by_channel.postal),
        count("resolved_total", resolved.total),
        count("early", resolved.early),
        count("on_time", resolved.on_time),
        count("late", resolved.late),
        count("on_time_or_early", resolved.on_time_or_early),
        Row(s, t("on_time_or_early_share"), resolved.on_time_or_early_share, Kind.SHARE),
        count("in_progress", progress.total),
        count("in_time", progress.in_time),
        count("overdue", progress.overdue),
        count("refused", d.refused),
        count("withdrawn", d.withdrawn),
        count("stopped", d.stopped),
        Row(s, t("dossier_online_share"), d.online_share, Kind.SHARE),
        Row(s, t("postal_share"), d.postal_share, Kind.SHARE),
        count("paid", d.paid),
        count("paid_online", d.paid_online),
        Row(s, t("paid_online_share"), d.paid_online_share, Kind.SHARE),
        count("results_online", d.results_online),
        Row(s, t("results_online_share"), d.results_online_share, Kind.SHARE),
    ]


def _satisfaction(v: SatisfactionSection, t: Labels) -> list[Row]:
    s = t("satisfaction")
    rows = [
        Row(s, t("responses"), v.responses, Kind.COUNT),
        Row(s, t("satisfied"), v.satisfied, Kind.COUNT),
        Row(s, t("satisfied_share"), v.satisfied_share, Kind.SHARE),
        Row(s, t("target"), v.target, Kind.SHARE),
        Row(s, t("target_met"), v.target_met, Kind.FLAG),
        Row(s, t("mean_overall_score"), v.mean_overall_score, Kind.NUMBER),
    ]
    rows += [
        Row(s, t(f"factor_{f.factor}") if f"factor_{f.factor}" in LABELS else f.factor, f.satisfied_share, Kind.SHARE)
        for f in v.factors
    ]
    rows += [
        Row(s, t("invitations"), v.invitations, Kind.COUNT),
        Row(s, t("answered_invitations"), v.answered_invitations, Kind.COUNT),
        Row(s, t("response_rate"), v.response_rate, Kind.SHARE),
        Row(s, t("online_responses"), v.online.responses, Kind.COUNT),
        Row(s, t("online_satisfied_share"), v.online.satisfied_share, Kind.SHARE),
        Row(s, t("paper_responses"), v.paper.responses, Kind.COUNT),
        Row(s, t("paper_satisfied_share"), v.paper.satisfied_share, Kind.SHARE),
        Row(s, t("feedback_opened"), v.feedback.opened, Kind.COUNT),
        Row(s, t("feedback_resolved"), v.feedback.resolved, Kind.COUNT),
        Row(s, t("feedback_resolved_share"), v.feedback.resolved_share, Kind.SHARE),
        Row(s, t("complaints"), v.feedback.complaints, Kind.COUNT),
    ]
    return rows


def overview_rows(overview: Overview, t: Labels) -> list[Row]:
    """Every figure of the overview, section by section (a missing section has no rows)."""
    rows: list[Row] = []
    if overview.catalogue is not None:
        rows += _catalogue(overview.catalogue, t)
    if overview.dossiers is not None:
        rows += _dossiers(overview.dossiers, t)
    if overview.satisfaction is not None:
        rows += _satisfaction(overview.satisfaction, t)
    return rows


MONTH_COLUMNS = ("m_received", "m_resolved", "m_on_time_or_early", "m_late", "m_responses", "m_satisfied_share")


@dataclass(frozen=True, slots=True)
class MonthLine:
    month: str
    values: tuple[int | float | None, ...]  # in MONTH_COLUMNS order
    links: tuple[str | None, ...]


def month_lines(overview: Overview) -> list[MonthLine]:
    lines = []
    for m in overview.monthly:
        counts = (m.received, m.resolved, m.on_time_or_early, m.late)
        lines.append(
            MonthLine(
                month=m.month,
                values=(*(c.value if c else None for c in counts), m.responses, m.satisfied_share),
                links=(*(c.list if c else None for c in counts), None, None),
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class ScoreLine:
    group: str
    label: str
    numerator: int | None
    denominator: int | None
    share: float | None
    weight: float
    points: float | None
    is_group: bool


def score_lines(scorecard: Scorecard, t: Labels) -> list[ScoreLine]:
    lines = []
    for group in scorecard.groups:
        name = t(f"g_{group.key}")
        lines.append(ScoreLine(name, name, None, None, None, group.max_points, group.points, is_group=True))
        lines += [
            ScoreLine(
                name,
                t(f"s_{i.key}") if f"s_{i.key}" in LABELS else i.label,
                i.numerator,
                i.denominator,
                i.share,
                i.weight,
                i.points,
                is_group=False,
            )
            for i in group.inputs
        ]
    return lines


def header_lines(overview: Overview, t: Labels) -> list[tuple[str, str]]:
    """The report's heading: period, agency, when, live or frozen, and any missing part."""
    lines = [
        (t("period"), f"{overview.period.from_:%d/%m/%Y} - {overview.period.to:%d/%m/%Y}"),
        (t("agency"), overview.agency or t("all_agencies")),
        (t("generated_at"), f"{overview.generated_at:%Y-%m-%d %H:%M} UTC"),
    ]
    if overview.frozen is not None:
        lines.append((t("frozen"), f"{overview.frozen.period} #{overview.frozen.revision}"))
    else:
        lines.append((t("live"), ""))
    lines += [(t("missing"), f"{t(m.part.value)}: {m.reason}") for m in overview.missing]
    return lines
