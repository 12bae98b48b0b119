"""The scorecard: a period scored in the shape of Decision 766/QĐ-TTg's groups. Pure.

Decision 766/QĐ-TTg (23 June 2022) scores agencies out of 100 on publicity, progress and results,
digitisation, online services and satisfaction; the national dashboard shows online payment as a
group of its own. The group maxima below (publicity 18, progress 20, online services 12, online
payment 10, satisfaction 18, digitisation 22) are those published for the dashboard; the official
per-indicator formulas use data this system does not keep (e.g. scanned counter dossiers), so each
group is computed from the inputs we do have, every input is shown, and docs/reports.md says where
we depart from, or could not confirm, the official method.

Each input is a share ``numerator / denominator`` worth ``weight`` points in its group. An input
with nothing to count (denominator 0) or whose part is missing is not scored, and the group is
scaled over the inputs that are; a group with no scored input is left out of the total, and the
score is the total over the maxima of the scored groups, times 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from motcua_gateway.reports.compose import share
from motcua_gateway.reports.schemas import Overview, Part, Scorecard, ScoreGroup, ScoreInput

METHOD = "motcua-766/1"


@dataclass(frozen=True, slots=True)
class _Input:
    key: str
    label: str
    part: Part
    weight: float
    counts: tuple[int, int] | None  # (numerator, denominator); None when the part is missing


def score_input(spec: _Input) -> ScoreInput:
    """``weight x numerator / denominator``; unscored (null) without a denominator or without the part."""
    numerator, denominator = spec.counts if spec.counts is not None else (None, None)
    ratio = share(numerator, denominator) if numerator is not None and denominator else None
    return ScoreInput(
        key=spec.key,
        label=spec.label,
        part=spec.part,
        numerator=numerator,
        denominator=denominator,
        share=ratio,
        weight=spec.weight,
        points=round(spec.weight * ratio, 2) if ratio is not None else None,
    )


def score_group(key: str, label: str, max_points: float, specs: Sequence[_Input]) -> ScoreGroup:
    """The group's points: its scored inputs' points, scaled from their weights to the group maximum."""
    inputs = [score_input(spec) for spec in specs]
    scored = [i for i in inputs if i.points is not None]
    weights = sum(i.weight for i in scored)
    points = round(sum(i.points or 0.0 for i in scored) * max_points / weights, 2) if scored and weights else None
    return ScoreGroup(key=key, label=label, max_points=max_points, points=points, inputs=inputs)


def score(overview: Overview) -> Scorecard:
    """The scorecard of an overview (live or frozen)."""
    catalogue, dossiers, survey = overview.catalogue, overview.dossiers, overview.satisfaction
    c, d, s = Part.CATALOGUE, Part.DOSSIERS, Part.SATISFACTION
    groups = [
        score_group(
            "publicity",
            "Publicity: procedures announced in time",
            18,
            [
                _Input(
                    "announced_in_time",
                    "Decisions of the period signed at least 20 working days before taking effect",
                    c,
                    18,
                    (catalogue.changes.announced_in_time, catalogue.changes.decisions) if catalogue else None,
                ),
            ],
        ),
        score_group(
            "progress",
            "Progress: dossiers resolved and in progress on time",
            20,
            [
                _Input(
                    "resolved_on_time_or_early",
                    "Resolved on time or early, of those resolved",
                    d,
                    14,
                    (dossiers.resolved.on_time_or_early.value, dossiers.resolved.total.value) if dossiers else None,
                ),
                _Input(
                    "in_progress_in_time",
                    "In progress and in time at the end of the period, of those in progress",
                    d,
                    6,
                    (dossiers.in_progress.in_time.value, dossiers.in_progress.total.value) if dossiers else None,
                ),
            ],
        ),
        score_group(
            "online_services",
            "Online services: procedures and dossiers online",
            12,
            [
                _Input(
                    "procedures_online",
                    "Procedures in force offered fully or partly online",
                    c,
                    6,
                    (catalogue.online, catalogue.in_force) if catalogue else None,
                ),
                _Input(
                    "dossiers_online",
                    "New dossiers filed online",
                    d,
                    6,
                    (dossiers.received.new_by_channel.online.value, dossiers.received.new.value) if dossiers else None,
                ),
            ],
        ),
        score_group(
            "online_payment",
            "Online payment",
            10,
            [
                _Input(
                    "paid_online",
                    "New dossiers with fees paid online, of those with fees paid",
                    d,
                    10,
                    (dossiers.paid_online.value, dossiers.paid.value) if dossiers else None,
                ),
            ],
        ),
        score_group(
            "satisfaction",
            "Satisfaction",
            18,
            [
                _Input(
                    "satisfied",
                    "Responses satisfied overall (top two levels)",
                    s,
                    6,
                    (survey.satisfied, survey.responses) if survey else None,
                ),
                _Input(
                    "feedback_resolved",
                    "Feedback and complaints of the period resolved",
                    s,
                    12,
                    (survey.feedback.resolved, survey.feedback.opened) if survey else None,
                ),
            ],
        ),
        score_group(
            "digitisation",
            "Digitisation of dossiers and results",
            22,
            [
                _Input(
                    "dossiers_digital",
                    "New dossiers received in electronic form (filed online)",
                    d,
                    11,
                    (dossiers.received.new_by_channel.online.value, dossiers.received.new.value) if dossiers else None,
                ),
                _Input(
                    "results_digital",
                    "Results of the period returned electronically (online)",
                    d,
                    11,
                    (dossiers.results_online.value, dossiers.resolved.total.value) if dossiers else None,
                ),
            ],
        ),
    ]
    scored = [g for g in groups if g.points is not None]
    points = round(sum(g.points or 0.0 for g in scored), 2) if scored else None
    max_points = float(sum(g.max_points for g in scored))
    return Scorecard(
        period=overview.period,
        agency=overview.agency,
        generated_at=overview.generated_at,
        source=overview.source,
        frozen=overview.frozen,
        method=METHOD,
        groups=groups,
        points=points,
        max_points=max_points,
        score=round(points * 100 / max_points, 2) if points is not None and max_points else None,
        missing=overview.missing,
    )
