"""A known history for the reports, loaded through the public API, and its figures counted independently.

The catalogue is small enough to count by hand (see ``CATALOGUE_*``). Dossiers and survey responses
are generated from a seeded random source; :class:`History` keeps what was sent and counts every
figure of the overview from it in plain Python, by the rules' definitions (Vietnamese days, early /
on time / late by day, overdue from the day after the due day, "satisfied" = the top two levels).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import httpx
import orjson
import time_machine

from motcua_kit.testing import TokenFactory
from tests.procedure_catalog.factories import Catalogue
from tests.satisfaction_survey.factories import BASE as SURVEY
from tests.satisfaction_survey.factories import publish

HANOI = dt.timezone(dt.timedelta(hours=7))
IN_PERSON = {"channel": "in_person", "processing_time": {"value": 5, "unit": "working_days"}}
ONLINE = {"channel": "online", "processing_time": {"value": 5, "unit": "working_days"}}
FACTORS = ("access", "procedure", "civil_servant", "result", "feedback_handling", "overall")


def local(day: dt.date, hour: int = 9) -> str:
    return dt.datetime.combine(day, dt.time(hour), HANOI).isoformat()


# --- the catalogue ----------------------------------------------------------------------------------


async def load_catalogue(client: httpx.AsyncClient, tokens: TokenFactory) -> dict[str, str]:
    """Five decisions over 2019-2024 (see the module docstring); returns the procedures' codes by name."""
    catalogue = Catalogue(client, tokens)
    await catalogue.reference_lists()
    justice = {"name_vi": "Sở Tư pháp", "name_en": "Department of Justice", "authority_level": "province"}
    assert (await client.put("/api/v1/agencies/STP", json=justice, headers=catalogue.editor)).status_code in {200, 201}

    async def draft(**overrides: Any) -> str:
        response = await catalogue.draft(**overrides)
        assert response.status_code == 201, response.text
        code: str = response.json()["code"]
        return code

    async def announce(*changes: tuple[str, str], effective_on: str, signed_on: str) -> None:
        response = await catalogue.announce(*changes, effective_on=effective_on, signed_on=signed_on)
        assert response.status_code == 201, response.text

    codes = {
        "p1": await draft(online_level="partial", legacy_online_level=3, one_stop=True),
        "p2": await draft(online_level="none", legacy_online_level=2, one_stop=False, channels=[IN_PERSON]),
        "p3": await draft(online_level="full", legacy_online_level=4, one_stop=True),
    }
    await announce(*(("create", c) for c in codes.values()), effective_on="2019-03-01", signed_on="2019-01-15")
    opened = await client.post(f"/api/v1/procedures/{codes['p2']}/draft", headers=catalogue.editor)
    assert opened.status_code == 201, opened.text
    patch = {"online_level": "partial", "legacy_online_level": 3, "channels": [IN_PERSON, ONLINE]}
    edited = await client.patch(
        f"/api/v1/procedures/{codes['p2']}",
        json=patch,
        headers={**catalogue.editor, "If-Match": opened.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    codes["p4"] = await draft(online_level="partial", legacy_online_level=3, one_stop=True)
    await announce(("amend", codes["p2"]), ("create", codes["p4"]), effective_on="2022-03-01", signed_on="2022-02-25")
    await announce(("abolish", codes["p1"]), effective_on="2022-09-01", signed_on="2022-07-01")
    codes["p5"] = await draft(
        agency_code="STP", online_level="none", legacy_online_level=1, one_stop=True, channels=[IN_PERSON]
    )
    await announce(("create", codes["p5"]), effective_on="2023-02-01", signed_on="2023-01-02")
    codes["p6"] = await draft()
    await announce(("create", codes["p6"]), effective_on="2024-01-01", signed_on="2023-11-01")
    return codes


# Counted by hand for the period 2022-01-01 to 2023-06-30 (the catalogue on 2023-06-30):
# in force P2 (amended: partial, level 3, not one-stop), P3 (full, level 4), P4 (partial, level 3) for
# SNGV, and P5 (none, level 1) for STP; P1 abolished. Decisions effective in the period: B (amend P2,
# create P4; signed 4 days ahead: late), C (abolish P1; in time), D (create P5 for STP; in time).
CATALOGUE_ALL = {
    "in_force": 4,
    "abolished": 1,
    "by_online_level": {"full": 1, "partial": 2, "none": 1},
    "online": 3,
    "online_share": 0.75,
    "by_legacy_online_level": {"1": 1, "2": 0, "3": 2, "4": 1, "unset": 0},
    "online_submission_legacy": 3,
    "one_stop": 3,
    "one_stop_share": 0.75,
    "changes": {"decisions": 3, "announced_in_time": 2, "created": 2, "amended": 1, "abolished": 1},
}
CATALOGUE_SNGV = {
    **CATALOGUE_ALL,
    "in_force": 3,
    "by_online_level": {"full": 1, "partial": 2, "none": 0},
    "online": 3,
    "online_share": 1.0,
    "by_legacy_online_level": {"1": 0, "2": 0, "3": 2, "4": 1, "unset": 0},
    "one_stop": 2,
    "one_stop_share": 0.6667,
    "changes": {"decisions": 2, "announced_in_time": 1, "created": 1, "amended": 1, "abolished": 1},
}


# --- dossiers ---------------------------------------------------------------------------------------


@dataclass
class LegacyDossier:
    code: str
    agency: str
    channel: str
    received: dt.date | None
    due: dt.date | None
    resolved: dt.date | None
    finished: dt.date | None
    outcome: str
    paid_online: bool
    return_method: str | None

    def line(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "agency_code": self.agency,
            "procedure_code": "1.000948",
            "channel": self.channel,
            "applicant": {"name": "Trần Thị Mai", "phone": "0905000111", "id_number": "048090001234"},
            "paid_online": self.paid_online,
        }
        if self.received is not None:
            data["received_at"] = local(self.received)
        if self.due is not None:
            data["due_at"] = local(self.due, 12)
        if self.resolved is not None:
            data["resolved_at"] = local(self.resolved, 10)
        if self.outcome in {"refused", "withdrawn", "stopped"}:
            data.update(outcome=self.outcome, finished_at=local(self.finished or dt.date.min, 15))
        if self.return_method is not None:
            data["return_method"] = self.return_method
        return data

    @property
    def timeliness(self) -> str | None:
        if self.resolved is None or self.due is None:
            return None
        if self.resolved < self.due:
            return "early"
        return "on_time" if self.resolved == self.due else "late"


def make_dossiers(count: int, seed: int = 766) -> list[LegacyDossier]:
    rng = random.Random(seed)
    start, span = dt.date(2021, 6, 1), (dt.date(2023, 12, 31) - dt.date(2021, 6, 1)).days
    per_day: Counter[tuple[str, dt.date]] = Counter()
    dossiers = []
    for _ in range(count):
        agency = "SNGV" if rng.random() < 0.85 else "OTHR"
        day = start + dt.timedelta(days=rng.randrange(span))
        per_day[agency, day] += 1
        code = f"{agency}-{day:%y%m%d}-{per_day[agency, day]:04d}"
        channel = rng.choice(("in_person", "in_person", "online", "online", "postal"))
        due: dt.date | None = day + dt.timedelta(days=rng.choice((5, 7, 10, 14, 20)))
        roll = rng.random()
        received: dt.date | None
        resolved: dt.date | None = None
        finished: dt.date | None = None
        return_method = None
        if roll < 0.05:
            outcome, received, due, finished = "refused", None, None, day
        elif roll < 0.10:
            outcome, received, finished = "withdrawn", day, day + dt.timedelta(days=rng.randrange(1, 10))
        elif roll < 0.13:
            outcome, received, finished = "stopped", day, day + dt.timedelta(days=rng.randrange(5, 40))
        elif roll < 0.25:
            outcome, received = "in_progress", day
        else:
            outcome, received = "resolved", day
            resolved = finished = day + dt.timedelta(days=rng.randrange(1, 25))
            return_method = rng.choice(("in_person", "post", "online"))
        dossiers.append(
            LegacyDossier(
                code, agency, channel, received, due, resolved, finished, outcome, rng.random() < 0.25, return_method
            )
        )
    return dossiers


async def load_dossiers(client: httpx.AsyncClient, tokens: TokenFactory, dossiers: list[LegacyDossier]) -> None:
    body = b"".join(orjson.dumps(d.line()) + b"\n" for d in dossiers)
    response = await client.post(
        "/api/v1/dossiers/import",
        content=body,
        headers={"content-type": "application/x-ndjson", **tokens.headers("integration")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == len(dossiers), response.json()


def _between(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    return day is not None and first <= day <= last


def dossier_figures(dossiers: list[LegacyDossier], first: dt.date, last: dt.date) -> dict[str, int]:
    """Every dossier count of the overview, by its path, counted from what was imported."""
    before = first - dt.timedelta(days=1)

    def open_after(d: LegacyDossier, day: dt.date) -> bool:
        return d.received is not None and d.received <= day and (d.finished is None or d.finished > day)

    new = [d for d in dossiers if _between(d.received, first, last)]
    carried = [d for d in dossiers if open_after(d, before)]
    resolved = [d for d in dossiers if _between(d.resolved, first, last)]
    in_progress = [d for d in dossiers if open_after(d, last)]
    # Judged at the end of the last day: overdue from the day after the due day.
    overdue = [d for d in in_progress if d.due is not None and d.due <= last]
    figures = {
        "received.total": len(new) + len(carried),
        "received.new": len(new),
        "received.carried_over": len(carried),
        "resolved.total": len(resolved),
        "in_progress.total": len(in_progress),
        "in_progress.in_time": len(in_progress) - len(overdue),
        "in_progress.overdue": len(overdue),
        "paid": sum(d.paid_online for d in new),
        "paid_online": sum(d.paid_online for d in new),
        "results_online": sum(d.return_method == "online" for d in resolved),
    }
    for channel in ("in_person", "online", "postal"):
        figures[f"received.new_by_channel.{channel}"] = sum(d.channel == channel for d in new)
        figures[f"received.carried_over_by_channel.{channel}"] = sum(d.channel == channel for d in carried)
    for label in ("early", "on_time", "late"):
        figures[f"resolved.{label}"] = sum(d.timeliness == label for d in resolved)
    figures["resolved.on_time_or_early"] = figures["resolved.early"] + figures["resolved.on_time"]
    for outcome in ("refused", "withdrawn", "stopped"):
        figures[outcome] = sum(d.outcome == outcome and _between(d.finished, first, last) for d in dossiers)
    return figures


def dossier_months(dossiers: list[LegacyDossier], first: dt.date, last: dt.date) -> dict[str, dict[str, int]]:
    months: dict[str, dict[str, int]] = {}
    day = first.replace(day=1)
    while day <= last:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        lo, hi = max(first, day), min(last, following - dt.timedelta(days=1))
        resolved = [d for d in dossiers if _between(d.resolved, lo, hi)]
        months[f"{day:%Y-%m}"] = {
            "received": sum(_between(d.received, lo, hi) for d in dossiers),
            "resolved": len(resolved),
            "on_time_or_early": sum(d.timeliness in {"early", "on_time"} for d in resolved),
            "late": sum(d.timeliness == "late" for d in resolved),
        }
        day = following
    return months


# --- satisfaction -----------------------------------------------------------------------------------


@dataclass
class Evaluation:
    agency: str
    channel: str  # how the dossier was filed
    issued: dt.datetime  # the invitation (UTC)
    mode: str | None  # online, paper, or None (never answered)
    scores: dict[str, int] = field(default_factory=dict)
    resolve_feedback: bool = False

    @property
    def day(self) -> dt.date:
        return self.issued.astimezone(HANOI).date()

    @property
    def unhappy(self) -> bool:
        return any(score <= 2 for score in self.scores.values())


def make_evaluations(count: int, seed: int = 95) -> list[Evaluation]:
    rng = random.Random(seed)
    origin = dt.datetime(2021, 11, 1, 2, 0, tzinfo=dt.UTC)
    evaluations = []
    for _ in range(count):
        issued = origin + dt.timedelta(hours=rng.randrange(24 * 30 * 22))
        mode = rng.choice(("online", "online", "paper", None))
        overall = rng.choice((5, 5, 5, 4, 4, 4, 3, 2, 1))
        scores = {factor: max(1, min(5, overall + rng.choice((0, 0, -1, 1)))) for factor in FACTORS}
        scores["overall"] = overall
        evaluations.append(
            Evaluation(
                agency="SNGV" if rng.random() < 0.8 else "STP",
                channel=rng.choice(("in_person", "online", "postal")),
                issued=issued,
                mode=mode,
                scores=scores if mode else {},
                resolve_feedback=rng.random() < 0.5,
            )
        )
    return sorted(evaluations, key=lambda e: e.issued)


async def load_evaluations(client: httpx.AsyncClient, tokens: TokenFactory, evaluations: list[Evaluation]) -> None:
    """Each invitation and its answer at its own time (travelling there); then some feedback resolved now."""
    with time_machine.travel(dt.datetime(2021, 10, 1, tzinfo=dt.UTC), tick=False):
        questionnaire = await publish(client, tokens)
    ids = {q["key"]: q["id"] for q in questionnaire["questions"]}
    for number, evaluation in enumerate(evaluations):
        with time_machine.travel(evaluation.issued, tick=False):
            invitation = {
                "dossier_code": f"{evaluation.agency}-{evaluation.day:%y%m%d}-{number:04d}",
                "procedure_code": "1.000948",
                "agency_code": evaluation.agency,
                "channel": evaluation.channel,
                "officer_id": "officer-1",
            }
            issued = await client.post(f"{SURVEY}/invitations", json=invitation, headers=tokens.headers("integration"))
            assert issued.status_code == 201, issued.text
            if evaluation.mode is None:
                continue
            answers = [{"question_id": ids[key], "score": score} for key, score in evaluation.scores.items()]
            body: dict[str, Any] = {"mode": evaluation.mode, "answers": answers}
            headers = {}
            if evaluation.mode == "online":
                body["token"] = issued.json()["token"]
            else:
                body.update(dossier_code=invitation["dossier_code"], form_number=f"P-{number}")
                headers = tokens.headers("reception_officer")
            answered = await client.post(f"{SURVEY}/responses", json=body, headers=headers)
            assert answered.status_code == 201, answered.text
            assert answered.json()["feedback_opened"] is evaluation.unhappy
    officer = tokens.headers("processing_officer")
    for number, evaluation in enumerate(evaluations):
        if not (evaluation.unhappy and evaluation.resolve_feedback):
            continue
        code = f"{evaluation.agency}-{evaluation.day:%y%m%d}-{number:04d}"
        listed = await client.get(
            f"{SURVEY}/feedback", params={"agency": evaluation.agency, "size": 100}, headers=officer
        )
        item = next(i for i in listed.json()["items"] if i["dossier_code"] == code)
        etag = (await client.get(f"{SURVEY}/feedback/{item['id']}", headers=officer)).headers["etag"]
        resolved = await client.patch(
            f"{SURVEY}/feedback/{item['id']}",
            json={"status": "resolved", "response_text": "Đơn vị đã trả lời công dân."},
            headers={**officer, "If-Match": etag},
        )
        assert resolved.status_code == 200, resolved.text


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def satisfaction_figures(
    evaluations: list[Evaluation], first: dt.date, last: dt.date, agency: str | None, target: float = 0.95
) -> dict[str, Any]:
    """The satisfaction section of the overview, counted from what was sent (answers at invitation time)."""
    scoped = [e for e in evaluations if agency is None or e.agency == agency]
    invited = [e for e in scoped if first <= e.day <= last]
    answered = [e for e in invited if e.mode]

    def figures(mode: str | None) -> dict[str, Any]:
        responses = [e for e in answered if mode is None or e.mode == mode]
        satisfied = sum(e.scores["overall"] >= 4 for e in responses)
        met = Fraction(satisfied, len(responses)) > Fraction(str(target)) if responses else None
        return {
            "responses": len(responses),
            "satisfied": satisfied,
            "satisfied_share": _share(satisfied, len(responses)),
            "target_met": met,
        }

    everything = figures(None)
    unhappy = [e for e in answered if e.unhappy]
    resolved = sum(e.resolve_feedback for e in unhappy)
    return {
        "target": target,
        **everything,
        "mean_overall_score": _mean(sum(e.scores["overall"] for e in answered), len(answered)),
        "factors": [
            {
                "factor": factor,
                "answers": len(answered),
                "satisfied": sum(e.scores[factor] >= 4 for e in answered),
                "satisfied_share": _share(sum(e.scores[factor] >= 4 for e in answered), len(answered)),
                "mean_score": _mean(sum(e.scores[factor] for e in answered), len(answered)),
            }
            for factor in FACTORS
        ],
        "invitations": len(invited),
        "answered_invitations": len(answered),
        "response_rate": _share(len(answered), len(invited)),
        "online": figures("online"),
        "paper": figures("paper"),
        "feedback": {
            "opened": len(unhappy),
            "resolved": resolved,
            "resolved_share": _share(resolved, len(unhappy)),
            "complaints": 0,
        },
    }


def satisfaction_months(
    evaluations: list[Evaluation], months: list[str], agency: str | None
) -> dict[str, dict[str, Any]]:
    result = {}
    for month in months:
        responses = [e for e in evaluations if e.mode and f"{e.day:%Y-%m}" == month and agency in {None, e.agency}]
        satisfied = sum(e.scores["overall"] >= 4 for e in responses)
        result[month] = {
            "responses": len(responses),
            "satisfied": satisfied,
            "satisfied_share": _share(satisfied, len(responses)),
        }
    return result
