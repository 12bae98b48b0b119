from __future__ import annotations

import itertools
from typing import Any

_sequence = itertools.count(1)


def procedure_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    payload: dict[str, Any] = {
        "code": f"9.{n:06d}",
        "name_vi": f"Thủ tục thử nghiệm số {n}",
        "name_en": f"Test procedure {n}",
        "field_code": "NGV-DN",
        "field_name_vi": "Ngoại vụ",
        "field_name_en": "Foreign affairs",
        "processing_days": 10,
    }
    payload.update(overrides)
    return payload
