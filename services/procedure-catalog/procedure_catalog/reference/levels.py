"""Authority levels (cấp thực hiện): a fixed list, with the codes of the national database."""

from __future__ import annotations

from procedure_catalog.models import AuthorityLevel

# (national code, Vietnamese, English). The national codes follow the CAPTHUCHIEN values public
# one-stop systems exchange; see docs/procedure-catalog.md.
AUTHORITY_LEVELS: dict[AuthorityLevel, tuple[str, str, str]] = {
    AuthorityLevel.CENTRAL: ("1", "Cấp Bộ", "Ministry (central)"),
    AuthorityLevel.PROVINCE: ("2", "Cấp Tỉnh", "Province"),
    AuthorityLevel.DISTRICT: ("3", "Cấp Huyện", "District"),
    AuthorityLevel.COMMUNE: ("4", "Cấp Xã", "Commune"),
}
LEVEL_BY_NATIONAL_CODE = {code: level for level, (code, _vi, _en) in AUTHORITY_LEVELS.items()}
