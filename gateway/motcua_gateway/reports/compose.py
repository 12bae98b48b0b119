"""The overview, composed from the three services' statistics. Pure: no I/O, no clock."""

from __future__ import annotations

import datetime as dt

from motcua_gateway.reports.inputs import (
    CatalogueStatsInput,
    ChannelCountsInput,
    DossierMonthInput,
    DossierStatsInput,
    FiguresInput,
    SurveyMonthInput,
    SurveyStatsInput,
)
from motcua_gateway.reports.periods import Period, months_of
from motcua_gateway.reports.schemas import (
    CatalogueSection,
    ChangeCounts,
    ChannelCounts,
    Count,
    DossierSection,
    FactorRead,
    FeedbackRead,
    InProgress,
    ModeFigures,
    MonthRead,
    Overview,
    PeriodRead,
    Received,
    Resolved,
    SatisfactionSection,
    Source,
)
from motcua_gateway.reports.sources import Statistics


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to 4 decimals (0.9531 = 95.31%), as the services round; None when nothing is counted."""
    return round(part / whole, 4) if whole else None


class MissingLink(ValueError):
    """dossier-api gave a figure without the list that produces it: its answer breaks the contract."""


def _count(value: int, links: dict[str, str], path: str) -> Count:
    link = links.get(path)
    if link is None or not link.startswith("/api/v1/dossiers?"):
        raise MissingLink(path)
    return Count(value=value, list=link)


def catalogue_section(stats: CatalogueStatsInput) -> CatalogueSection:
    levels = {level: stats.by_online_level.get(level, 0) for level in ("full", "partial", "none")}
    online = levels["full"] + levels["partial"]
    changes = stats.changes_in_period
    return CatalogueSection(
        as_of=stats.as_of,
        in_force=stats.in_force,
        abolished=stats.by_status.get("abolished", 0),
        by_online_level=levels,
        online=online,
        online_share=share(online, stats.in_force),
        by_legacy_online_level=dict(stats.by_legacy_online_level),
        online_submission_legacy=stats.online_submission_legacy,
        one_stop=stats.one_stop,
        one_stop_share=share(stats.one_stop, stats.in_force),
        changes=ChangeCounts(
            decisions=changes.decisions,
            announced_in_time=changes.announced_in_time,
            created=changes.created,
            amended=changes.amended,
            abolished=changes.abolished,
        ),
    )


def _channels(counts: ChannelCountsInput, links: dict[str, str], prefix: str) -> ChannelCounts:
    return ChannelCounts(
        in_person=_count(counts.in_person, links, f"{prefix}.in_person"),
        online=_count(counts.online, links, f"{prefix}.online"),
        postal=_count(counts.postal, links, f"{prefix}.postal"),
    )


def dossier_section(stats: DossierStatsInput) -> DossierSection:
    links = stats.links
    received, resolved, progress = stats.received, stats.resolved, stats.in_progress
    return DossierSection(
        received=Received(
            total=_count(received.total, links, "received.total"),
            new=_count(received.new, links, "received.new"),
            carried_over=_count(received.carried_over, links, "received.carried_over"),
            new_by_channel=_channels(received.new_by_channel, links, "received.new_by_channel"),
            carried_over_by_channel=_channels(
                received.carried_over_by_channel, links, "received.carried_over_by_channel"
            ),
        ),
        resolved=Resolved(
            total=_count(resolved.total, links, "resolved.total"),
            early=_count(resolved.early, links, "resolved.early"),
            on_time=_count(resolved.on_time, links, "resolved.on_time"),
            late=_count(resolved.late, links, "resolved.late"),
            on_time_or_early=_count(resolved.on_time_or_early, links, "resolved.on_time_or_early"),
            on_time_or_early_share=share(resolved.on_time_or_early, resolved.total),
        ),
        in_progress=InProgress(
            total=_count(progress.total, links, "in_progress.total"),
            in_time=_count(progress.in_time, links, "in_progress.in_time"),
            overdue=_count(progress.overdue, links, "in_progress.overdue"),
        ),
        refused=_count(stats.refused, links, "refused"),
        withdrawn=_count(stats.withdrawn, links, "withdrawn"),
        stopped=_count(stats.stopped, links, "stopped"),
        online_share=share(received.new_by_channel.online, received.new),
        postal_share=share(received.new_by_channel.postal, received.new),
        paid=_count(stats.paid, links, "paid"),
        paid_online=_count(stats.paid_online, links, "paid_online"),
        paid_online_share=share(stats.paid_online, stats.paid),
        results_online=_count(stats.results_online, links, "results_online"),
        results_online_share=share(stats.results_online, resolved.total),
    )


def _mode(figures: FiguresInput) -> ModeFigures:
    return ModeFigures(
        responses=figures.responses,
        satisfied=figures.satisfied,
        satisfied_share=figures.satisfied_share,
        target_met=figures.target_met,
    )


def satisfaction_section(stats: SurveyStatsInput) -> SatisfactionSection:
    every = stats.all
    return SatisfactionSection(
        target=stats.target,
        responses=every.responses,
        satisfied=every.satisfied,
        satisfied_share=every.satisfied_share,
        mean_overall_score=every.mean_overall_score,
        target_met=every.target_met,
        factors=[
            FactorRead(
                factor=f.factor,
                answers=f.answers,
                satisfied=f.satisfied,
                satisfied_share=f.satisfied_share,
                mean_score=f.mean_score,
            )
            for f in every.factors
        ],
        invitations=stats.invitations,
        answered_invitations=stats.answered_invitations,
        response_rate=stats.response_rate,
        online=_mode(stats.online),
        paper=_mode(stats.paper),
        feedback=FeedbackRead(
            opened=stats.feedback.opened,
            resolved=stats.feedback.resolved,
            resolved_share=share(stats.feedback.resolved, stats.feedback.opened),
            complaints=stats.feedback.complaints,
        ),
    )


def _month(
    month: str, dossiers: DossierMonthInput | None, satisfaction: SurveyMonthInput | None, survey_known: bool
) -> MonthRead:
    counted = dict.fromkeys(("received", "resolved", "on_time_or_early", "late"))
    if dossiers is not None:
        counted = {name: _count(getattr(dossiers, name), dossiers.links, name) for name in counted}
    # The survey's series may skip months without responses: zero, when the survey answered at all.
    none = 0 if survey_known else None
    return MonthRead(
        month=month,
        **counted,
        responses=satisfaction.responses if satisfaction else none,
        satisfied=satisfaction.satisfied if satisfaction else none,
        satisfied_share=satisfaction.satisfied_share if satisfaction else None,
    )


def monthly(period: Period, statistics: Statistics) -> list[MonthRead]:
    dossier_months = (
        {m.month: m for m in statistics.dossiers.data.monthly} if statistics.dossiers.data is not None else {}
    )
    survey_months = (
        {m.month: m for m in statistics.satisfaction.data.monthly} if statistics.satisfaction.data is not None else {}
    )
    survey_known = statistics.satisfaction.data is not None
    return [
        _month(month, dossier_months.get(month), survey_months.get(month), survey_known) for month in months_of(period)
    ]


def compose_overview(period: Period, agency: str | None, statistics: Statistics, generated_at: dt.datetime) -> Overview:
    """The overview of ``statistics``; a missing part is null and named in ``missing``.

    Raises :class:`MissingLink` when dossier-api's answer lacks a drill-down link (the caller turns
    it into a missing part: a figure without its list is not reported).
    """
    catalogue = statistics.catalogue.data
    dossiers = statistics.dossiers.data
    satisfaction = statistics.satisfaction.data
    missing = statistics.missing
    return Overview(
        period=PeriodRead(from_=period.first, to=period.last),
        agency=agency,
        generated_at=generated_at,
        source=Source.LIVE,
        complete=not missing,
        missing=missing,
        catalogue=catalogue_section(catalogue) if catalogue is not None else None,
        dossiers=dossier_section(dossiers) if dossiers is not None else None,
        satisfaction=satisfaction_section(satisfaction) if satisfaction is not None else None,
        monthly=monthly(period, statistics),
    )
