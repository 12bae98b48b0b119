"""Demo catalogue: procedures of a city Department of Foreign Affairs (Sở Ngoại vụ), in both languages.

The codes follow the national shape but are illustrative; the names, fields and processing times
follow the procedures such a department publishes.
"""

from __future__ import annotations

from sqlalchemy import func, select

from motcua_kit.db import Database
from procedure_catalog.models import Procedure, ProcedureStatus

FIELD_FOREIGN_AFFAIRS = ("NGV-DN", "Ngoại vụ", "Foreign affairs")
FIELD_CONSULAR = ("NGV-LS", "Lãnh sự", "Consular affairs")
FIELD_NGO = ("NGV-PCP", "Viện trợ phi chính phủ nước ngoài", "Foreign non-governmental aid")
FIELD_CONFERENCE = ("NGV-HN", "Hội nghị, hội thảo quốc tế", "International conferences")

DEMO_PROCEDURES: list[tuple[str, str, str, tuple[str, str, str], int]] = [
    (
        "1.000948",
        "Cho phép sử dụng thẻ đi lại của doanh nhân APEC (thẻ ABTC)",
        "Permission to use the APEC Business Travel Card (ABTC)",
        FIELD_FOREIGN_AFFAIRS,
        10,
    ),
    (
        "2.000635",
        "Cho phép tổ chức hội nghị, hội thảo quốc tế thuộc thẩm quyền của Chủ tịch UBND thành phố",
        "Permission to hold an international conference under the authority of the city People's Committee",
        FIELD_CONFERENCE,
        15,
    ),
    (
        "2.000634",
        "Báo cáo kết quả tổ chức hội nghị, hội thảo quốc tế",
        "Report on the results of an international conference",
        FIELD_CONFERENCE,
        5,
    ),
    (
        "1.001211",
        "Phê duyệt khoản viện trợ phi dự án của tổ chức phi chính phủ nước ngoài",
        "Approval of non-project aid from a foreign non-governmental organisation",
        FIELD_NGO,
        20,
    ),
    (
        "1.001223",
        "Phê duyệt chương trình, dự án viện trợ phi chính phủ nước ngoài",
        "Approval of a foreign non-governmental aid programme or project",
        FIELD_NGO,
        30,
    ),
    (
        "1.001235",
        "Tiếp nhận khoản viện trợ khắc phục hậu quả thiên tai của tổ chức phi chính phủ nước ngoài",
        "Receipt of emergency disaster-relief aid from a foreign non-governmental organisation",
        FIELD_NGO,
        10,
    ),
    (
        "2.001731",
        "Cho phép cán bộ, công chức, viên chức đi nước ngoài về việc riêng",
        "Permission for civil servants to travel abroad for private purposes",
        FIELD_FOREIGN_AFFAIRS,
        5,
    ),
    (
        "2.001732",
        "Cử cán bộ, công chức, viên chức đi công tác nước ngoài",
        "Sending civil servants on official missions abroad",
        FIELD_FOREIGN_AFFAIRS,
        7,
    ),
    (
        "1.003130",
        "Mời, đón tiếp đoàn khách nước ngoài vào làm việc tại thành phố",
        "Inviting and receiving foreign delegations to the city",
        FIELD_FOREIGN_AFFAIRS,
        7,
    ),
    (
        "1.003131",
        "Chứng nhận lãnh sự giấy tờ, tài liệu tại Sở Ngoại vụ",
        "Consular certification of papers and documents at the Department of Foreign Affairs",
        FIELD_CONSULAR,
        1,
    ),
    (
        "1.003132",
        "Hợp pháp hóa lãnh sự giấy tờ, tài liệu tại Sở Ngoại vụ",
        "Consular legalisation of papers and documents at the Department of Foreign Affairs",
        FIELD_CONSULAR,
        1,
    ),
    (
        "1.003140",
        "Cấp hộ chiếu ngoại giao, hộ chiếu công vụ",
        "Issuing diplomatic and official passports",
        FIELD_CONSULAR,
        5,
    ),
    (
        "2.001990",
        "Ký kết thỏa thuận quốc tế nhân danh Ủy ban nhân dân thành phố",
        "Concluding an international agreement on behalf of the city People's Committee",
        FIELD_FOREIGN_AFFAIRS,
        20,
    ),
]


async def seed_demo(database: Database) -> str:
    """Load the demo catalogue into an empty database; a second run changes nothing."""
    async with database.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Procedure)):
            return "already loaded"
        for code, name_vi, name_en, (field_code, field_vi, field_en), days in DEMO_PROCEDURES:
            session.add(
                Procedure(
                    code=code,
                    name_vi=name_vi,
                    name_en=name_en,
                    field_code=field_code,
                    field_name_vi=field_vi,
                    field_name_en=field_en,
                    processing_days=days,
                    status=ProcedureStatus.PUBLISHED,
                )
            )
    return f"{len(DEMO_PROCEDURES)} procedures loaded"
