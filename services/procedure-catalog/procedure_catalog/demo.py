"""Demo catalogue: the procedures of Da Nang's Department of Foreign Affairs (Sở Ngoại vụ, SNGV).

Thirteen procedures in force and five abolished ones, in Vietnamese and English, with channels,
fees, dossier papers, results and legal basis, built through five announcement decisions
(2012-2022) the way an editor would: drafts, then decisions that create, amend and abolish. By the
end of 2020, 8 of the 13 procedures in force are online at level 3, as in the department's report.

The codes follow the national shape but are illustrative; names, papers and legal texts follow
what such a department publishes; fees are plausible, not authoritative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from motcua_kit.concurrency import etag_for
from motcua_kit.db import Database, utcnow
from motcua_kit.timezone import local_date
from procedure_catalog.announcements.repository import AnnouncementRepository
from procedure_catalog.announcements.schemas import AnnouncementCreate
from procedure_catalog.announcements.service import AnnouncementService
from procedure_catalog.models import AuthorityLevel, Procedure
from procedure_catalog.procedures.repository import ProcedureRepository
from procedure_catalog.procedures.schemas import ProcedureCreate
from procedure_catalog.procedures.service import ProcedureService
from procedure_catalog.reference.repository import ReferenceRepository
from procedure_catalog.reference.schemas import AgencyWrite, FieldWrite
from procedure_catalog.reference.service import ReferenceService

AGENCY_CODE = "SNGV"
AGENCY = AgencyWrite(
    name_vi="Sở Ngoại vụ thành phố Đà Nẵng",
    name_en="Da Nang Department of Foreign Affairs",
    authority_level=AuthorityLevel.PROVINCE,
)
FIELDS = {
    "NGV-DN": FieldWrite(name_vi="Ngoại vụ", name_en="Foreign affairs"),
    "NGV-LS": FieldWrite(name_vi="Lãnh sự", name_en="Consular affairs"),
    "NGV-PCP": FieldWrite(name_vi="Viện trợ phi chính phủ nước ngoài", name_en="Foreign non-governmental aid"),
    "NGV-HN": FieldWrite(name_vi="Hội nghị, hội thảo quốc tế", name_en="International conferences"),
}
EDITOR = "demo-loader"

LAW_ABTC = (
    "45/2006/QĐ-TTg",
    "Quyết định ban hành Quy chế cấp và quản lý thẻ đi lại của doanh nhân APEC",
    "Regulation on issuing and managing APEC Business Travel Cards",
    "Thủ tướng Chính phủ",
    "2006-02-28",
)
LAW_ABTC_2015 = (
    "54/2015/QĐ-TTg",
    "Quyết định sửa đổi Quy chế cấp và quản lý thẻ ABTC",
    "Amendment to the ABTC regulation",
    "Thủ tướng Chính phủ",
    "2015-10-29",
)
LAW_CONFERENCE = (
    "06/2020/QĐ-TTg",
    "Quyết định về tổ chức và quản lý hội nghị, hội thảo quốc tế tại Việt Nam",
    "Decision on organising and managing international conferences in Viet Nam",
    "Thủ tướng Chính phủ",
    "2020-02-21",
)
LAW_CONFERENCE_OLD = (
    "76/2010/QĐ-TTg",
    "Quyết định về tổ chức, quản lý hội nghị, hội thảo quốc tế tại Việt Nam",
    "Decision on international conferences in Viet Nam (2010)",
    "Thủ tướng Chính phủ",
    "2010-11-30",
)
LAW_NGO = (
    "80/2020/NĐ-CP",
    "Nghị định về quản lý và sử dụng viện trợ không hoàn lại không thuộc hỗ trợ phát triển chính thức",
    "Decree on non-refundable aid outside official development assistance",
    "Chính phủ",
    "2020-07-08",
)
LAW_NGO_OLD = (
    "93/2009/NĐ-CP",
    "Nghị định ban hành Quy chế quản lý và sử dụng viện trợ phi chính phủ nước ngoài",
    "Decree on foreign non-governmental aid (2009)",
    "Chính phủ",
    "2009-10-22",
)
LAW_CONSULAR = (
    "111/2011/NĐ-CP",
    "Nghị định về chứng nhận lãnh sự, hợp pháp hóa lãnh sự",
    "Decree on consular certification and legalisation",
    "Chính phủ",
    "2011-12-05",
)
LAW_PASSPORT = (
    "136/2007/NĐ-CP",
    "Nghị định về xuất cảnh, nhập cảnh của công dân Việt Nam",
    "Decree on exit and entry of Vietnamese citizens",
    "Chính phủ",
    "2007-08-17",
)
LAW_ONLINE = (
    "42/2022/NĐ-CP",
    "Nghị định quy định về việc cung cấp thông tin và dịch vụ công trực tuyến",
    "Decree on online information and public services",
    "Chính phủ",
    "2022-06-24",
)


@dataclass
class Spec:
    """The first published record of a demo procedure."""

    code: str
    field_code: str
    name: tuple[str, str]
    days: float
    papers: list[tuple[str, str, int, int]]
    result: tuple[str, str]
    laws: list[tuple[str, str, str, str, str]]
    fee: tuple[int, str, str, str] | None = None
    applicants: tuple[str, ...] = ("citizen", "organisation")
    internal: bool = False
    inter_agency: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _law(entry: tuple[str, str, str, str, str]) -> dict[str, Any]:
    number, title_vi, title_en, issuer, issued_on = entry
    return {"number": number, "title_vi": title_vi, "title_en": title_en, "issuer": issuer, "issued_on": issued_on}


def _fees(fee: tuple[int, str, str, str] | None) -> list[dict[str, Any]]:
    if fee is None:
        return []
    amount, unit, vi, en = fee
    return [{"amount_vnd": amount, "unit": unit, "description_vi": vi, "description_en": en}]


def _channel(channel: str, days: float, fee: tuple[int, str, str, str] | None) -> dict[str, Any]:
    return {"channel": channel, "processing_time": {"value": days, "unit": "working_days"}, "fees": _fees(fee)}


def record(spec: Spec) -> dict[str, Any]:
    name_vi, name_en = spec.name
    return {
        "code": spec.code,
        "name_vi": name_vi,
        "name_en": name_en,
        "description_vi": f"{name_vi}. Hồ sơ nộp tại Bộ phận Tiếp nhận và Trả kết quả của Sở Ngoại vụ.",
        "description_en": f"{name_en}. Dossiers are filed at the one-stop unit of the Department.",
        "field_code": spec.field_code,
        "agency_code": AGENCY_CODE,
        "authority_level": "province",
        "applicant_types": list(spec.applicants),
        "steps": [
            {
                "title_vi": "Nộp hồ sơ tại Bộ phận Tiếp nhận và Trả kết quả",
                "title_en": "File the dossier at the one-stop unit",
            },
            {"title_vi": "Sở Ngoại vụ thẩm định hồ sơ", "title_en": "The Department examines the dossier"},
            {"title_vi": "Nhận kết quả", "title_en": "Collect the result"},
        ],
        "channels": [_channel("in_person", spec.days, spec.fee)],
        "documents": [
            {"name_vi": vi, "name_en": en, "originals": originals, "copies": copies}
            for vi, en, originals, copies in spec.papers
        ],
        "results": [{"name_vi": spec.result[0], "name_en": spec.result[1]}],
        "conditions_vi": None,
        "legal_basis": [_law(law) for law in spec.laws],
        "online_level": "none",
        "legacy_online_level": 2,
        "one_stop": True,
        "inter_agency": spec.inter_agency,
        "internal": spec.internal,
        **spec.extra,
    }


FORM = ("Tờ khai / Văn bản đề nghị", "Application form or letter of request", 1, 0)
ID = ("Bản sao hộ chiếu hoặc căn cước công dân", "Copy of the passport or citizen identity card", 0, 1)

SPECS = [
    Spec(
        "1.000948",
        "NGV-DN",
        (
            "Cho phép sử dụng thẻ đi lại của doanh nhân APEC (thẻ ABTC)",
            "Permission to use the APEC Business Travel Card (ABTC)",
        ),
        10,
        [
            FORM,
            ID,
            ("Quyết định bổ nhiệm chức vụ của doanh nhân", "Appointment decision of the business person", 0, 1),
            (
                "Giấy tờ chứng minh quan hệ kinh doanh với các nền kinh tế APEC",
                "Proof of business with APEC economies",
                0,
                1,
            ),
        ],
        ("Văn bản cho phép sử dụng thẻ ABTC", "Permission to use the ABTC"),
        [LAW_ABTC],
        applicants=("citizen",),
        inter_agency=True,
    ),
    Spec(
        "2.000635",
        "NGV-HN",
        (
            "Cho phép tổ chức hội nghị, hội thảo quốc tế thuộc thẩm quyền của Chủ tịch UBND thành phố",
            "Permission to hold an international conference under the authority of the city People's Committee",
        ),
        15,
        [
            FORM,
            ("Đề án tổ chức hội nghị, hội thảo", "Conference plan", 1, 0),
            ("Danh sách đại biểu nước ngoài", "List of foreign participants", 1, 0),
        ],
        ("Văn bản cho phép tổ chức hội nghị", "Permission to hold the conference"),
        [LAW_CONFERENCE_OLD],
        applicants=("organisation",),
    ),
    Spec(
        "2.000634",
        "NGV-HN",
        ("Báo cáo kết quả tổ chức hội nghị, hội thảo quốc tế", "Report on the results of an international conference"),
        5,
        [("Báo cáo kết quả hội nghị", "Report on the conference", 1, 0)],
        ("Văn bản tiếp nhận báo cáo", "Acknowledgement of the report"),
        [LAW_CONFERENCE_OLD],
        applicants=("organisation",),
    ),
    Spec(
        "1.001211",
        "NGV-PCP",
        (
            "Phê duyệt khoản viện trợ phi dự án của tổ chức phi chính phủ nước ngoài",
            "Approval of non-project aid from a foreign non-governmental organisation",
        ),
        20,
        [
            FORM,
            ("Văn kiện khoản viện trợ", "Aid document", 1, 0),
            ("Thư cam kết tài trợ", "Letter of commitment from the donor", 0, 1),
        ],
        ("Quyết định phê duyệt khoản viện trợ", "Decision approving the aid"),
        [LAW_NGO_OLD],
        applicants=("organisation",),
    ),
    Spec(
        "1.001223",
        "NGV-PCP",
        (
            "Phê duyệt chương trình, dự án viện trợ phi chính phủ nước ngoài",
            "Approval of a foreign non-governmental aid programme or project",
        ),
        30,
        [
            FORM,
            ("Văn kiện chương trình, dự án", "Programme or project document", 1, 0),
            ("Ý kiến của các cơ quan liên quan", "Opinions of the agencies concerned", 0, 1),
        ],
        ("Quyết định phê duyệt chương trình, dự án", "Decision approving the programme or project"),
        [LAW_NGO_OLD],
        applicants=("organisation",),
        inter_agency=True,
    ),
    Spec(
        "1.001235",
        "NGV-PCP",
        (
            "Tiếp nhận khoản viện trợ khắc phục hậu quả thiên tai của tổ chức phi chính phủ nước ngoài",
            "Receipt of emergency disaster-relief aid from a foreign non-governmental organisation",
        ),
        10,
        [FORM, ("Thư cam kết viện trợ khẩn cấp", "Letter of emergency aid commitment", 0, 1)],
        ("Văn bản tiếp nhận khoản viện trợ", "Acceptance of the aid"),
        [LAW_NGO_OLD],
        applicants=("organisation",),
    ),
    Spec(
        "2.001731",
        "NGV-DN",
        (
            "Cho phép cán bộ, công chức, viên chức đi nước ngoài về việc riêng",
            "Permission for civil servants to travel abroad for private purposes",
        ),
        5,
        [FORM, ("Ý kiến của cơ quan quản lý", "Opinion of the employing agency", 1, 0)],
        ("Văn bản cho phép xuất cảnh", "Permission to travel"),
        [LAW_PASSPORT],
        applicants=("citizen",),
        internal=True,
    ),
    Spec(
        "2.001732",
        "NGV-DN",
        (
            "Cử cán bộ, công chức, viên chức đi công tác nước ngoài",
            "Sending civil servants on official missions abroad",
        ),
        7,
        [FORM, ("Thư mời của đối tác nước ngoài", "Invitation from the foreign partner", 0, 1)],
        ("Quyết định cử đi công tác", "Decision on the mission"),
        [LAW_PASSPORT],
        applicants=("organisation",),
        internal=True,
    ),
    Spec(
        "1.003130",
        "NGV-DN",
        (
            "Mời, đón tiếp đoàn khách nước ngoài vào làm việc tại thành phố",
            "Inviting and receiving foreign delegations to the city",
        ),
        7,
        [FORM, ("Chương trình làm việc dự kiến", "Draft programme of the visit", 1, 0)],
        ("Văn bản đồng ý đón đoàn", "Approval of the visit"),
        [LAW_PASSPORT],
        applicants=("organisation",),
    ),
    Spec(
        "1.003131",
        "NGV-LS",
        (
            "Chứng nhận lãnh sự giấy tờ, tài liệu tại Sở Ngoại vụ",
            "Consular certification of papers and documents at the Department of Foreign Affairs",
        ),
        1,
        [FORM, ID, ("Giấy tờ, tài liệu đề nghị chứng nhận", "Papers to certify", 1, 1)],
        ("Giấy tờ đã được chứng nhận lãnh sự", "Certified papers"),
        [LAW_CONSULAR],
        fee=(30000, "đồng/bản", "Lệ phí chứng nhận lãnh sự", "Consular certification fee"),
    ),
    Spec(
        "1.003132",
        "NGV-LS",
        (
            "Hợp pháp hóa lãnh sự giấy tờ, tài liệu tại Sở Ngoại vụ",
            "Consular legalisation of papers and documents at the Department of Foreign Affairs",
        ),
        1,
        [FORM, ID, ("Giấy tờ, tài liệu đề nghị hợp pháp hóa", "Papers to legalise", 1, 1)],
        ("Giấy tờ đã được hợp pháp hóa lãnh sự", "Legalised papers"),
        [LAW_CONSULAR],
        fee=(30000, "đồng/bản", "Lệ phí hợp pháp hóa lãnh sự", "Consular legalisation fee"),
    ),
    Spec(
        "1.003140",
        "NGV-LS",
        ("Cấp hộ chiếu ngoại giao, hộ chiếu công vụ", "Issuing diplomatic and official passports"),
        5,
        [
            FORM,
            ("Quyết định cử đi công tác nước ngoài", "Decision on the official mission", 0, 1),
            ("Ảnh 4x6", "Photo 4x6 cm", 2, 0),
        ],
        ("Hộ chiếu ngoại giao, hộ chiếu công vụ", "Diplomatic or official passport"),
        [LAW_PASSPORT],
        fee=(200000, "đồng/hộ chiếu", "Lệ phí cấp hộ chiếu", "Passport fee"),
        applicants=("citizen",),
        internal=True,
    ),
    Spec(
        "2.001990",
        "NGV-DN",
        (
            "Ký kết thỏa thuận quốc tế nhân danh Ủy ban nhân dân thành phố",
            "Concluding an international agreement on behalf of the city People's Committee",
        ),
        20,
        [
            FORM,
            (
                "Dự thảo thỏa thuận quốc tế (tiếng Việt và tiếng nước ngoài)",
                "Draft agreement in Vietnamese and the foreign language",
                1,
                0,
            ),
        ],
        ("Văn bản đồng ý ký kết", "Approval to sign"),
        [("47/2020/QH14", "Luật Thỏa thuận quốc tế", "Law on International Agreements", "Quốc hội", "2020-11-13")],
        applicants=("organisation",),
        internal=True,
        inter_agency=True,
    ),
    # Abolished along the way.
    Spec(
        "1.003160",
        "NGV-LS",
        (
            "Xác nhận lý lịch cho người Việt Nam định cư ở nước ngoài",
            "Certificate of background for overseas Vietnamese",
        ),
        10,
        [FORM, ID],
        ("Giấy xác nhận", "Certificate"),
        [LAW_PASSPORT],
        applicants=("citizen",),
    ),
    Spec(
        "1.003170",
        "NGV-DN",
        (
            "Cấp giấy phép hoạt động báo chí cho phóng viên nước ngoài tại thành phố",
            "Press permit for foreign reporters in the city",
        ),
        5,
        [FORM, ID],
        ("Giấy phép hoạt động báo chí", "Press permit"),
        [LAW_PASSPORT],
    ),
    Spec(
        "1.003180",
        "NGV-PCP",
        (
            "Đăng ký hoạt động cho tổ chức phi chính phủ nước ngoài tại thành phố",
            "Registering the activities of a foreign NGO in the city",
        ),
        15,
        [FORM, ("Giấy phép hoạt động của tổ chức", "Operating licence of the organisation", 0, 1)],
        ("Giấy xác nhận đăng ký", "Registration certificate"),
        [LAW_NGO_OLD],
        applicants=("organisation",),
    ),
    Spec(
        "2.000650",
        "NGV-HN",
        (
            "Thẩm định hồ sơ xin phép tổ chức hội thảo quốc tế do địa phương tổ chức",
            "Review of requests to hold locally organised international workshops",
        ),
        10,
        [FORM],
        ("Văn bản thẩm định", "Review opinion"),
        [LAW_CONFERENCE_OLD],
        applicants=("organisation",),
    ),
    Spec(
        "1.003190",
        "NGV-LS",
        (
            "Cấp công hàm xin thị thực cho cán bộ đi công tác nước ngoài",
            "Note verbale requesting visas for officials on missions abroad",
        ),
        3,
        [FORM, ("Quyết định cử đi công tác", "Decision on the mission", 0, 1)],
        ("Công hàm", "Note verbale"),
        [LAW_PASSPORT],
        applicants=("citizen",),
        internal=True,
    ),
]

ONLINE_3 = {"legacy_online_level": 3}


def _online(days: float, fee: tuple[int, str, str, str] | None = None) -> dict[str, Any]:
    return _channel("online", days, fee)


def _postal(days: float, fee: tuple[int, str, str, str] | None = None) -> dict[str, Any]:
    return _channel("postal", days, fee)


@dataclass
class Decision:
    number: str
    title_vi: str
    title_en: str
    signed_on: dt.date
    effective_on: dt.date
    create: list[str] = field(default_factory=list)
    # code -> merge patch applied to the latest record
    amend: dict[str, dict[str, Any]] = field(default_factory=dict)
    abolish: list[str] = field(default_factory=list)


def _consular_fee(amount: int) -> tuple[int, str, str, str]:
    return (amount, "đồng/bản", "Lệ phí chứng nhận, hợp pháp hóa lãnh sự", "Consular certification or legalisation fee")


DECISIONS = [
    Decision(
        "1535/QĐ-UBND",
        "Công bố bộ thủ tục hành chính thuộc thẩm quyền giải quyết của Sở Ngoại vụ",
        "Announcing the procedures handled by the Department of Foreign Affairs",
        dt.date(2012, 3, 5),
        dt.date(2012, 3, 15),
        create=[s.code for s in SPECS if s.code not in {"2.001990", "1.003140"}],
    ),
    Decision(
        "7822/QĐ-UBND",
        "Công bố thủ tục hành chính sửa đổi, bổ sung và bãi bỏ thuộc lĩnh vực ngoại vụ",
        "Announcing amended and abolished procedures in foreign affairs",
        dt.date(2015, 10, 20),
        dt.date(2015, 11, 1),
        amend={
            "1.000948": {"legal_basis": [_law(LAW_ABTC), _law(LAW_ABTC_2015)]},
            "1.003131": {
                "channels": [_channel("in_person", 1, _consular_fee(30000)), _postal(3, _consular_fee(30000))]
            },
            "1.003132": {
                "channels": [_channel("in_person", 1, _consular_fee(30000)), _postal(3, _consular_fee(30000))]
            },
        },
        abolish=["1.003160", "1.003170", "2.000650"],
    ),
    Decision(
        "3472/QĐ-UBND",
        "Công bố thủ tục hành chính mới ban hành và sửa đổi thuộc thẩm quyền của Sở Ngoại vụ",
        "Announcing new and amended procedures of the Department of Foreign Affairs",
        dt.date(2017, 6, 12),
        dt.date(2017, 7, 1),
        create=["2.001990", "1.003140"],
        amend={
            "1.000948": {"channels": [_channel("in_person", 10, None), _online(10)], **ONLINE_3},
            "2.000635": {"channels": [_channel("in_person", 15, None), _online(15)], **ONLINE_3},
            "2.000634": {"channels": [_channel("in_person", 5, None), _online(5)], **ONLINE_3},
        },
    ),
    Decision(
        "5180/QĐ-UBND",
        "Công bố thủ tục hành chính sửa đổi, bổ sung, bãi bỏ thuộc thẩm quyền của Sở Ngoại vụ",
        "Announcing amended and abolished procedures of the Department of Foreign Affairs",
        dt.date(2019, 12, 2),
        dt.date(2019, 12, 15),
        amend={
            "1.001211": {"channels": [_channel("in_person", 20, None), _online(20)], **ONLINE_3},
            "1.001235": {"channels": [_channel("in_person", 10, None), _online(10)], **ONLINE_3},
            "1.003130": {"channels": [_channel("in_person", 7, None), _online(7)], **ONLINE_3},
            "1.003131": {
                "channels": [
                    _channel("in_person", 1, _consular_fee(30000)),
                    _online(1, _consular_fee(30000)),
                    _postal(3, _consular_fee(30000)),
                ],
                **ONLINE_3,
            },
            "1.003132": {
                "channels": [
                    _channel("in_person", 1, _consular_fee(30000)),
                    _online(1, _consular_fee(30000)),
                    _postal(3, _consular_fee(30000)),
                ],
                **ONLINE_3,
            },
        },
        abolish=["1.003180", "1.003190"],
    ),
    Decision(
        "2241/QĐ-UBND",
        "Công bố danh mục dịch vụ công trực tuyến toàn trình và một phần theo Nghị định 42/2022/NĐ-CP",
        "Announcing full and partial online public services under Decree 42/2022",
        dt.date(2022, 8, 1),
        dt.date(2022, 8, 15),
        amend={
            "1.000948": {"online_level": "full"},
            "1.003131": {"online_level": "full"},
            "1.003132": {"online_level": "full"},
            "2.000635": {"online_level": "partial", "legal_basis": [_law(LAW_CONFERENCE), _law(LAW_ONLINE)]},
            "2.000634": {"online_level": "partial", "legal_basis": [_law(LAW_CONFERENCE), _law(LAW_ONLINE)]},
            "1.001211": {"online_level": "partial", "legal_basis": [_law(LAW_NGO), _law(LAW_ONLINE)]},
            "1.001235": {"online_level": "partial", "legal_basis": [_law(LAW_NGO), _law(LAW_ONLINE)]},
            "1.003130": {"online_level": "partial"},
        },
    ),
]


async def seed_demo(database: Database) -> str:
    """Load the demo catalogue into an empty database; a second run changes nothing."""
    async with database.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Procedure)):
            return "already loaded"
        references = ReferenceService(ReferenceRepository(session))
        await references.put_agency(AGENCY_CODE, AGENCY)
        for code, entry in FIELDS.items():
            await references.put_field(code, entry)
        procedures = ProcedureService(ProcedureRepository(session), references, local_date(utcnow()))
        announcements = AnnouncementService(
            AnnouncementRepository(session), ProcedureRepository(session), ReferenceRepository(session)
        )
        specs = {spec.code: spec for spec in SPECS}
        for decision in DECISIONS:
            changes: list[dict[str, str]] = []
            for code in decision.create:
                await procedures.create_draft(ProcedureCreate.model_validate(record(specs[code])), EDITOR)
                changes.append({"action": "create", "procedure_code": code})
            for code, patch in decision.amend.items():
                state = await procedures.open_amendment(code, EDITOR)
                await procedures.edit_draft(
                    code, patch, etag_for("procedure-draft", code, state.draft.revision), EDITOR
                )
                changes.append({"action": "amend", "procedure_code": code})
            changes += [{"action": "abolish", "procedure_code": code} for code in decision.abolish]
            await announcements.record(
                AnnouncementCreate.model_validate(
                    {
                        "number": decision.number,
                        "title_vi": decision.title_vi,
                        "title_en": decision.title_en,
                        "issuer": "Chủ tịch Ủy ban nhân dân thành phố Đà Nẵng",
                        "signed_on": decision.signed_on,
                        "effective_on": decision.effective_on,
                        "changes": changes,
                    }
                ),
                EDITOR,
            )
    in_force = len(SPECS) - sum(len(d.abolish) for d in DECISIONS)
    return f"{len(SPECS)} procedures loaded ({in_force} in force) through {len(DECISIONS)} announcement decisions"
