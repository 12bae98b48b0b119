"""Search without diacritics, in either language, ranked, filtered, paginated."""

from __future__ import annotations

import pytest

from motcua_kit.testing import assert_problem
from tests.procedure_catalog.factories import Catalogue

ONLINE = {"channel": "online", "processing_time": {"value": 5, "unit": "working_days"}}
IN_PERSON = {"channel": "in_person", "processing_time": {"value": 5, "unit": "working_days"}}


@pytest.fixture
async def abtc(catalogue: Catalogue) -> str:
    await catalogue.published(
        code="1.000948",
        name_vi="Cho phép sử dụng thẻ đi lại của doanh nhân APEC",
        name_en="Permission to use the APEC Business Travel Card",
    )
    await catalogue.published(
        code="1.003131",
        name_vi="Chứng nhận lãnh sự giấy tờ, tài liệu",
        name_en="Consular certification of documents",
        description_vi="Dành cho doanh nhân và công dân đi lại ở nước ngoài.",
        channels=[IN_PERSON],
        online_level="none",
        legacy_online_level=2,
        applicant_types=["citizen"],
    )
    await catalogue.published(
        code="2.000635",
        name_vi="Cho phép tổ chức hội nghị quốc tế",
        name_en="Permission to hold an international conference",
        channels=[ONLINE],
        online_level="full",
        legacy_online_level=4,
        applicant_types=["organisation"],
        inter_agency=True,
    )
    return "1.000948"


async def _codes(catalogue: Catalogue, **params: str | int | bool) -> list[str]:
    response = await catalogue.client.get("/api/v1/procedures", params=params)
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "query",
    ["the di lai doanh nhan", "THẺ ĐI LẠI", "thẻ đi lại doanh nhân APEC", "the di la", "business travel", "APEC card"],
)
async def test_finds_with_or_without_diacritics_in_either_language(catalogue: Catalogue, abtc: str, query: str) -> None:
    assert (await _codes(catalogue, q=query))[0] == abtc


async def test_d_with_stroke_matches_d(catalogue: Catalogue, abtc: str) -> None:
    assert abtc in await _codes(catalogue, q="doanh nhan di lai")
    assert abtc in await _codes(catalogue, q="ĐOANH")  # nobody writes it, but it folds the same


async def test_every_word_must_match(catalogue: Catalogue, abtc: str) -> None:
    assert await _codes(catalogue, q="the di lai hoi nghi") == []


async def test_a_name_match_ranks_above_a_description_match(catalogue: Catalogue, abtc: str) -> None:
    # Both mention "doanh nhân ... đi lại"; only the ABTC has it in its name.
    assert await _codes(catalogue, q="doanh nhan di lai") == [abtc, "1.003131"]


async def test_the_code_finds_its_procedure_first(catalogue: Catalogue, abtc: str) -> None:
    assert (await _codes(catalogue, q="1.003131"))[0] == "1.003131"


async def test_filters(catalogue: Catalogue, abtc: str) -> None:
    assert await _codes(catalogue, channel="online") == ["1.000948", "2.000635"]
    assert await _codes(catalogue, channel="in_person", online_level="none") == ["1.003131"]
    assert await _codes(catalogue, applicant_type="organisation") == ["1.000948", "2.000635"]
    assert await _codes(catalogue, legacy_online_level=4) == ["2.000635"]
    assert await _codes(catalogue, inter_agency=True) == ["2.000635"]
    assert await _codes(
        catalogue, field="NGV-DN", agency="SNGV", authority_level="province", q="cho phep", sort="code"
    ) == [
        "1.000948",
        "2.000635",
    ]
    assert await _codes(catalogue, field="OTHER") == []
    assert await _codes(catalogue, valid_on="2023-12-31") == []


async def test_pagination_and_sorting(catalogue: Catalogue, abtc: str) -> None:
    page = (await catalogue.client.get("/api/v1/procedures", params={"size": 2, "page": 2, "sort": "code"})).json()
    assert (page["total"], [p["code"] for p in page["items"]]) == (3, ["2.000635"])
    assert await _codes(catalogue, sort="-name_vi") == ["1.003131", "2.000635", "1.000948"]
    assert await _codes(catalogue, q="cho phep", sort="-code") == ["2.000635", "1.000948"]
    assert_problem(await catalogue.client.get("/api/v1/procedures", params={"sort": "secret"}), 422)


async def test_a_search_with_no_words_is_422(catalogue: Catalogue) -> None:
    body = assert_problem(
        await catalogue.client.get("/api/v1/procedures", params={"q": " !!! "}), 422, "validation_error"
    )
    assert body["errors"][0]["field"] == "q"
    assert_problem(await catalogue.client.get("/api/v1/procedures", params={"q": "x" * 201}), 422)


async def test_search_syntax_is_plain_words(catalogue: Catalogue, abtc: str) -> None:
    for query in ['"the', "the OR di", "apec*", "NEAR(the di)", "the & di | !lai", "'; drop table procedures; --"]:
        response = await catalogue.client.get("/api/v1/procedures", params={"q": query})
        assert response.status_code == 200, (query, response.text)


async def test_english_content_where_it_exists(catalogue: Catalogue, abtc: str) -> None:
    await catalogue.published(code="3.000001", name_vi="Chỉ có tiếng Việt", name_en=None)
    response = await catalogue.client.get(
        "/api/v1/procedures", params={"sort": "code"}, headers={"Accept-Language": "en"}
    )
    names = {p["code"]: p["name"] for p in response.json()["items"]}
    assert names[abtc] == "Permission to use the APEC Business Travel Card"
    assert names["3.000001"] == "Chỉ có tiếng Việt"
    assert response.headers["content-language"] == "en, vi"
    vietnamese = await catalogue.client.get("/api/v1/procedures", params={"q": "APEC"})
    assert vietnamese.json()["items"][0]["name"].startswith("Cho phép")
    assert vietnamese.headers["content-language"] == "vi"
