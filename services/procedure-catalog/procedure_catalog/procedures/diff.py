"""Field-by-field difference between two versions of a record.

Lists whose items have a natural key are compared by that key (a channel by its name, a legal text
by its number), so inserting one item does not show every later item as changed; other lists are
compared by position.
"""

from __future__ import annotations

from typing import Any

from procedure_catalog.procedures.schemas import FieldChange

LIST_KEYS = {"channels": "channel", "legal_basis": "number"}


def diff_records(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    _diff(before or {}, after, "", changes)
    return changes


def _diff(before: Any, after: Any, path: str, changes: list[FieldChange]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(before.keys() | after.keys()):
            child = f"{path}.{key}" if path else key
            if key not in after:
                changes.append(FieldChange(path=child, change="removed", before=before[key]))
            elif key not in before:
                changes.append(FieldChange(path=child, change="added", after=after[key]))
            elif key in LIST_KEYS and isinstance(before[key], list) and isinstance(after[key], list):
                _diff_keyed(before[key], after[key], child, LIST_KEYS[key], changes)
            else:
                _diff(before[key], after[key], child, changes)
        return
    if isinstance(before, list) and isinstance(after, list):
        for index in range(max(len(before), len(after))):
            child = f"{path}[{index}]"
            if index >= len(after):
                changes.append(FieldChange(path=child, change="removed", before=before[index]))
            elif index >= len(before):
                changes.append(FieldChange(path=child, change="added", after=after[index]))
            else:
                _diff(before[index], after[index], child, changes)
        return
    if before != after:
        changes.append(FieldChange(path=path, change="changed", before=before, after=after))


def _diff_keyed(before: list[Any], after: list[Any], path: str, key: str, changes: list[FieldChange]) -> None:
    if not all(isinstance(item, dict) and key in item for item in [*before, *after]):
        _diff(before, after, path, changes)
        return
    old = {str(item[key]): item for item in before}
    new = {str(item[key]): item for item in after}
    for name in [*old, *(n for n in new if n not in old)]:
        child = f"{path}[{name}]"
        if name not in new:
            changes.append(FieldChange(path=child, change="removed", before=old[name]))
        elif name not in old:
            changes.append(FieldChange(path=child, change="added", after=new[name]))
        else:
            _diff(old[name], new[name], child, changes)
