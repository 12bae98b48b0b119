"""The rules a procedure record and its versions follow, one named function each."""

from __future__ import annotations

import datetime as dt

from motcua_kit.errors import FieldError
from procedure_catalog.models import Channel, OnlineLevel
from procedure_catalog.procedures.schemas import ProcedureContent


def channels_are_distinct(content: ProcedureContent) -> FieldError | None:
    """Each channel (in person, online, postal) is described once, with its own time and fees."""
    channels = [terms.channel for terms in content.channels]
    if len(set(channels)) != len(channels):
        return FieldError(field="channels", message="each channel is listed once", type="duplicate_channel")
    return None


def online_level_needs_online_channel(content: ProcedureContent) -> FieldError | None:
    """A procedure served online (full or partial; legacy level 3 or 4) offers the online channel.

    Decree 42/2022/NĐ-CP: a full or partial online service is one the applicant submits online;
    under the earlier rules, levels 3 and 4 likewise meant online submission.
    """
    online = any(terms.channel is Channel.ONLINE for terms in content.channels)
    if content.online_level is not OnlineLevel.NONE and not online:
        return FieldError(
            field="online_level",
            message=f"a {content.online_level.value} online service must offer the online channel",
            type="online_level_without_online_channel",
        )
    if (content.legacy_online_level or 0) >= 3 and not online:
        return FieldError(
            field="legacy_online_level",
            message="levels 3 and 4 mean online submission: offer the online channel",
            type="online_level_without_online_channel",
        )
    return None


def content_rule_violations(content: ProcedureContent) -> list[FieldError]:
    """Every rule the record breaks (the schema has already checked types and ranges)."""
    checks = (channels_are_distinct, online_level_needs_online_channel)
    return [violation for check in checks if (violation := check(content)) is not None]


def in_force(valid_from: dt.date, valid_until: dt.date | None, day: dt.date) -> bool:
    """A version applies from its first day up to, not including, the first day of the next one."""
    return valid_from <= day and (valid_until is None or day < valid_until)


def new_version_may_start(latest_valid_from: dt.date | None, effective_on: dt.date) -> bool:
    """A new version starts strictly after the latest one did: history is only ever extended.

    Versions of a procedure never overlap and are never back-dated under an existing version, so
    "the version in force on day D" stays a single, stable answer for dossiers already received.
    """
    return latest_valid_from is None or effective_on > latest_valid_from
