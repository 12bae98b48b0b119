from __future__ import annotations

from typing import Any


def dossier_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "procedure_code": "1.000948",
        "channel": "in_person",
        "applicant": {
            "type": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": "048090001234",
            "phone": "0905123456",
            "email": "an.nguyen@example.vn",
        },
    }
    payload.update(overrides)
    return payload
