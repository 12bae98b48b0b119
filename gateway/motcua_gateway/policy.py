"""Who may call what: the gateway's authorisation policy, one table of route x method x roles.

Every public operation of motcua has exactly one row here. A row is

- ``public(method, path)``: anyone, with or without credentials (a credential that is sent must
  still be valid);
- ``allow(method, path, *roles)``: a caller holding one of ``roles`` (``admin`` passes every
  check, as everywhere in motcua); no credentials is 401, the wrong role 403.

Anything not in the table is closed: an unknown path is 404, a known path with another method 405,
before a request reaches any service. ``limit=LOOKUP`` marks the public lookups by a code or a
token (tracking, survey links): they get the strict budget so that codes cannot be enumerated.

Path templates are those of the services' OpenAPI documents (``{name}`` is one path segment, or
part of one: ``qr.{format}``). ``tests/gateway/test_policy.py`` walks the whole table for every
role and fails when a service exposes an operation that has no row here. The services check the
same roles again themselves (defence in depth); the table is the coarse gate in front of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from motcua_kit.auth import Role

C = Role.CITIZEN
I = Role.INTERMEDIARY  # noqa: E741 - the table reads better with one-letter role names
RO = Role.RECEPTION_OFFICER
PO = Role.PROCESSING_OFFICER
L = Role.LEADER
CE = Role.CATALOG_EDITOR
SA = Role.SURVEY_ADMIN
R = Role.REPORTER
S = Role.INTEGRATION  # system clients: the city one-stop system, the national portal
A = Role.ADMIN

STAFF = (RO, PO, L)
# Who may read dossiers (the service narrows it further: an applicant sees only their own).
READERS = (*STAFF, R, S, C, I)


class Limit(StrEnum):
    """Which request budget a route spends (see ``RateLimitSettings``)."""

    STANDARD = "standard"
    LOOKUP = "lookup"


@dataclass(frozen=True, slots=True)
class Rule:
    method: str
    path: str
    roles: frozenset[Role] | None  # None: public
    limit: Limit = Limit.STANDARD

    @property
    def public(self) -> bool:
        return self.roles is None

    def admits(self, roles: frozenset[Role]) -> bool:
        """Whether a caller holding ``roles`` may pass (``admin`` always may)."""
        return self.roles is None or Role.ADMIN in roles or not self.roles.isdisjoint(roles)


def public(method: str, path: str, *, limit: Limit = Limit.STANDARD) -> Rule:
    return Rule(method, path, None, limit)


def allow(method: str, path: str, *roles: Role, limit: Limit = Limit.STANDARD) -> Rule:
    return Rule(method, path, frozenset(roles) | {Role.ADMIN}, limit)


LOOKUP = Limit.LOOKUP

# fmt: off
POLICY: tuple[Rule, ...] = (
    # --- the gateway's own routes -----------------------------------------------------------------
    public("GET",  "/livez"),
    public("GET",  "/readyz"),
    allow("GET",   "/metrics", S),  # a monitoring system scrapes with an API key
    public("GET",  "/openapi.json"),
    public("GET",  "/docs"),
    public("GET",  "/.well-known/jwks.json"),
    allow("GET",   "/api/v1/api-clients", A),
    allow("POST",  "/api/v1/api-clients", A),
    allow("GET",   "/api/v1/api-clients/{name}", A),
    allow("PATCH", "/api/v1/api-clients/{name}", A),
    allow("POST",  "/api/v1/api-clients/{name}/keys", A),
    allow("DELETE", "/api/v1/api-clients/{name}/keys/{key_id}", A),
    allow("GET",   "/api/v1/reports/overview", R, L),
    allow("GET",   "/api/v1/reports/scorecard", R, L),
    public("GET",  "/api/v1/reports/public", limit=LOOKUP),  # each new period asks three services
    allow("GET",   "/api/v1/reports/periods", R, L),
    allow("POST",  "/api/v1/reports/periods", R, L),
    allow("GET",   "/api/v1/reports/periods/{period}", R, L),
    allow("POST",  "/api/v1/reports/periods/{period}/reopen", R, L),
    allow("GET",   "/api/v1/reports/periods/{period}/revisions/{revision}", R, L),

    # --- procedure-catalog: reading is public, writing needs catalog_editor -----------------------
    public("GET",  "/api/v1/procedures"),
    allow("POST",  "/api/v1/procedures", CE),
    allow("GET",   "/api/v1/procedures/drafts", CE),
    public("GET",  "/api/v1/procedures/stats"),
    public("GET",  "/api/v1/procedures/export"),
    allow("POST",  "/api/v1/procedures/import", CE),
    public("GET",  "/api/v1/procedures/{code}"),
    allow("PATCH", "/api/v1/procedures/{code}", CE),
    allow("GET",   "/api/v1/procedures/{code}/draft", CE),
    allow("POST",  "/api/v1/procedures/{code}/draft", CE),
    allow("DELETE", "/api/v1/procedures/{code}/draft", CE),
    public("GET",  "/api/v1/procedures/{code}/versions"),
    public("GET",  "/api/v1/procedures/{code}/versions/{number}"),
    public("GET",  "/api/v1/procedures/{code}/versions/{number}/diff"),
    public("GET",  "/api/v1/announcements"),
    allow("POST",  "/api/v1/announcements", CE),
    public("GET",  "/api/v1/announcements/{announcement_id}"),
    public("GET",  "/api/v1/fields"),
    public("GET",  "/api/v1/fields/{code}"),
    allow("PUT",   "/api/v1/fields/{code}", CE),
    public("GET",  "/api/v1/agencies"),
    public("GET",  "/api/v1/agencies/{code}"),
    allow("PUT",   "/api/v1/agencies/{code}", CE),
    public("GET",  "/api/v1/authority-levels"),
    # the catalogue's event subscriptions (procedure.*): admin only
    allow("GET",   "/api/v1/subscriptions/procedures", A),
    allow("POST",  "/api/v1/subscriptions/procedures", A),
    allow("GET",   "/api/v1/subscriptions/procedures/{subscription_id}", A),
    allow("PATCH", "/api/v1/subscriptions/procedures/{subscription_id}", A),
    allow("DELETE", "/api/v1/subscriptions/procedures/{subscription_id}", A),
    allow("GET",   "/api/v1/subscriptions/procedures/{subscription_id}/deliveries", A),
    allow("POST",  "/api/v1/subscriptions/procedures/{subscription_id}/deliveries/{delivery_id}/replay", A),
    allow("POST",  "/api/v1/subscriptions/procedures/{subscription_id}/deliveries/{delivery_id}/discard", A),

    # --- dossier-api: staff and the applicant; the public lookup needs the code and its secret ----
    allow("POST",  "/api/v1/dossiers", RO, S, C, I),
    allow("GET",   "/api/v1/dossiers", *READERS),
    allow("GET",   "/api/v1/dossiers/stats", L, R),
    allow("POST",  "/api/v1/dossiers/import", S),
    allow("GET",   "/api/v1/dossiers/{code}", *READERS),
    allow("GET",   "/api/v1/dossiers/{code}/timeline", *READERS),
    allow("GET",   "/api/v1/dossiers/{code}/slips/{kind}", *READERS),
    allow("POST",  "/api/v1/dossiers/{code}/receive", RO, S),
    allow("POST",  "/api/v1/dossiers/{code}/refuse", RO),
    allow("POST",  "/api/v1/dossiers/{code}/supplement-request", RO, PO),
    allow("POST",  "/api/v1/dossiers/{code}/supplement", RO, S),
    allow("POST",  "/api/v1/dossiers/{code}/assign", RO, L),
    allow("POST",  "/api/v1/dossiers/{code}/pause", PO, L),
    allow("POST",  "/api/v1/dossiers/{code}/resume", PO, L),
    allow("POST",  "/api/v1/dossiers/{code}/transfer", PO, L),
    allow("POST",  "/api/v1/dossiers/{code}/transfer-return", PO, L, S),
    allow("POST",  "/api/v1/dossiers/{code}/reschedule", L),
    allow("POST",  "/api/v1/dossiers/{code}/fees", RO, PO),
    allow("POST",  "/api/v1/dossiers/{code}/payment", RO, PO, S),
    allow("POST",  "/api/v1/dossiers/{code}/resolve", PO, L),
    allow("POST",  "/api/v1/dossiers/{code}/return", RO),
    allow("POST",  "/api/v1/dossiers/{code}/withdraw", RO, C, I),
    allow("POST",  "/api/v1/dossiers/{code}/stop", PO, L),
    allow("GET",   "/api/v1/dossiers/{code}/portal-sync", RO, PO, L),
    allow("POST",  "/api/v1/dossiers/{code}/portal-sync", RO, PO, L),
    allow("POST",  "/api/v1/integrations/national-portal/dossiers", S),
    allow("POST",  "/api/v1/subscriptions/dossiers", A),
    allow("GET",   "/api/v1/subscriptions/dossiers", A),
    allow("GET",   "/api/v1/subscriptions/dossiers/{subscription_id}", A),
    allow("PATCH", "/api/v1/subscriptions/dossiers/{subscription_id}", A),
    allow("DELETE", "/api/v1/subscriptions/dossiers/{subscription_id}", A),
    allow("GET",   "/api/v1/subscriptions/dossiers/{subscription_id}/deliveries", A),
    allow("POST",  "/api/v1/subscriptions/dossiers/{subscription_id}/deliveries/{delivery_id}/replay", A),
    allow("POST",  "/api/v1/subscriptions/dossiers/{subscription_id}/deliveries/{delivery_id}/discard", A),
    public("GET",  "/api/v1/tracking/{code}", limit=LOOKUP),
    public("GET",  "/api/v1/calendars/{agency}"),
    allow("PUT",   "/api/v1/calendars/{agency}", L),
    public("GET",  "/api/v1/calendars/{agency}/versions"),
    public("GET",  "/api/v1/calendars/{agency}/versions/{version}"),
    public("GET",  "/api/v1/calendars/{agency}/due-date"),

    # --- satisfaction-survey: answering by token is public, the rest is staff ---------------------
    public("GET",  "/api/v1/surveys/questionnaires/current"),
    allow("GET",   "/api/v1/surveys/questionnaires", SA),
    allow("POST",  "/api/v1/surveys/questionnaires", SA),
    allow("GET",   "/api/v1/surveys/questionnaires/{questionnaire_id}", SA),
    allow("PUT",   "/api/v1/surveys/questionnaires/{questionnaire_id}", SA),
    allow("POST",  "/api/v1/surveys/questionnaires/{questionnaire_id}/publish", SA),
    allow("POST",  "/api/v1/surveys/invitations", S, RO, SA),
    allow("POST",  "/api/v1/surveys/invitations/reissue", S, RO, SA),
    public("GET",  "/api/v1/surveys/invitations/{token}", limit=LOOKUP),
    public("GET",  "/api/v1/surveys/invitations/{token}/qr.{image_format}", limit=LOOKUP),
    public("POST", "/api/v1/surveys/responses", limit=LOOKUP),  # online answers carry the link's token
    allow("GET",   "/api/v1/surveys/responses", SA, L),
    allow("GET",   "/api/v1/surveys/responses/{response_id}", SA, L),
    allow("GET",   "/api/v1/surveys/feedback", SA, L, PO, RO),
    allow("GET",   "/api/v1/surveys/feedback/{item_id}", SA, L, PO, RO),
    allow("PATCH", "/api/v1/surveys/feedback/{item_id}", SA, L, PO, RO),
    allow("GET",   "/api/v1/surveys/stats", SA, L, R),
    # the survey's event subscriptions (survey.answered, feedback.opened): admin only
    allow("GET",   "/api/v1/subscriptions/surveys", A),
    allow("POST",  "/api/v1/subscriptions/surveys", A),
    allow("GET",   "/api/v1/subscriptions/surveys/{subscription_id}", A),
    allow("PATCH", "/api/v1/subscriptions/surveys/{subscription_id}", A),
    allow("DELETE", "/api/v1/subscriptions/surveys/{subscription_id}", A),
    allow("GET",   "/api/v1/subscriptions/surveys/{subscription_id}/deliveries", A),
    allow("POST",  "/api/v1/subscriptions/surveys/{subscription_id}/deliveries/{delivery_id}/replay", A),
    allow("POST",  "/api/v1/subscriptions/surveys/{subscription_id}/deliveries/{delivery_id}/discard", A),
)
# fmt: on


_PARAM = re.compile(r"\{[^{}/]+\}")


def normalise_template(path: str) -> str:
    """``/a/{code}/b`` and ``/a/{id}/b`` name the same route."""
    return _PARAM.sub("{}", path)


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], _Node]] = field(default_factory=list)
    param: _Node | None = None
    rules: dict[str, Rule] = field(default_factory=dict)


def _segment_pattern(segment: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in _PARAM.finditer(segment):
        parts.append(re.escape(segment[position : match.start()]))
        parts.append(r"[^/]+")
        position = match.end()
    parts.append(re.escape(segment[position:]))
    return re.compile("".join(parts))


@dataclass(frozen=True, slots=True)
class Match:
    """What the policy says of a request: its rule, or why there is none."""

    rule: Rule | None
    allowed_methods: tuple[str, ...] = ()  # the path exists with these methods (405 when rule is None)


class Policy:
    """The table compiled to a tree over path segments: a literal segment wins over a parameter."""

    def __init__(self, rules: Iterable[Rule] = POLICY) -> None:
        self.rules = tuple(rules)
        self._root = _Node()
        seen: set[tuple[str, str]] = set()
        for rule in self.rules:
            key = (rule.method, normalise_template(rule.path))
            if key in seen:
                raise ValueError(f"two policy rows for {rule.method} {rule.path}")
            seen.add(key)
            self._insert(rule)

    def _insert(self, rule: Rule) -> None:
        node = self._root
        for segment in rule.path.strip("/").split("/") if rule.path != "/" else []:
            if _PARAM.fullmatch(segment):
                node.param = node.param or _Node()
                node = node.param
            elif "{" in segment:
                pattern = _segment_pattern(segment)
                existing = next((n for p, n in node.patterns if p.pattern == pattern.pattern), None)
                if existing is None:
                    existing = _Node()
                    node.patterns.append((pattern, existing))
                node = existing
            else:
                node = node.literals.setdefault(segment, _Node())
        node.rules[rule.method] = rule

    def _find(self, node: _Node, segments: list[str], index: int) -> _Node | None:
        if index == len(segments):
            return node if node.rules else None
        segment = segments[index]
        if not segment:
            return None
        child = node.literals.get(segment)
        if child is not None and (found := self._find(child, segments, index + 1)) is not None:
            return found
        for pattern, child in node.patterns:
            if pattern.fullmatch(segment) and (found := self._find(child, segments, index + 1)) is not None:
                return found
        if node.param is not None:
            return self._find(node.param, segments, index + 1)
        return None

    def match(self, method: str, path: str) -> Match | None:
        """The rule for ``method path``; ``None`` when no route has that path (404)."""
        node = self._find(self._root, path.strip("/").split("/") if path != "/" else [], 0)
        if node is None:
            return None
        rule = node.rules.get(method)
        if rule is None and method == "HEAD":
            rule = node.rules.get("GET")
        return Match(rule, tuple(sorted(node.rules)))

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)
