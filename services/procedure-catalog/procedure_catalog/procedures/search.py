"""Search text folded to plain lower-case words, and the full-text match on each backend.

Vietnamese is written with many diacritics, and people search without them (`the di lai`) or in
capitals (`THẺ ĐI LẠI`). Both the indexed text and the query are folded the same way: Unicode
decomposition, combining marks dropped, `đ` to `d` (it is a letter of its own, not a d with a mark,
so decomposition leaves it), lower case, punctuation to spaces. The database then matches words:
FTS5 on SQLite, a `tsvector` with the `simple` configuration on PostgreSQL (no stemming, which suits
Vietnamese syllables and procedure codes alike). The procedure name weighs more than the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, column, func, literal_column, table
from sqlalchemy.sql.expression import FromClause

from procedure_catalog.models import ProcedureVersion

MAX_TERMS = 12
_WORD = re.compile(r"[^\W_]+")
_D = str.maketrans({"đ": "d", "Đ": "d"})
# The combining mark blocks (Vietnamese tones and vowel marks are all in the first).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(value: str) -> str:
    """`Thẻ ĐI LẠI (APEC)` -> `the di lai apec`."""
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", value.translate(_D)))
    return " ".join(_WORD.findall(bare.lower()))


def fold_all(values: Iterable[str | None]) -> str:
    return " ".join(folded for value in values if value and (folded := fold(value)))


def query_terms(query: str) -> list[str]:
    """The words of a search, folded; at most :data:`MAX_TERMS`."""
    return fold(query).split()[:MAX_TERMS]


@dataclass(frozen=True)
class TextMatch:
    """How one backend joins, filters and ranks a search; ``rank`` ascending puts the best first."""

    join_target: FromClause | None
    join_on: ColumnElement[bool] | None
    condition: ColumnElement[bool]
    rank: ColumnElement[Any]


def text_match(dialect: str, terms: list[str]) -> TextMatch:
    if dialect == "sqlite":
        return _sqlite_match(terms)
    return _postgres_match(terms)


# --- SQLite: FTS5 ----------------------------------------------------------------------------------

SQLITE_INDEX = "procedure_search"


def sqlite_match_expression(terms: list[str]) -> str:
    """Every term must appear; the last one may be the start of a word (search as you type)."""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def _sqlite_match(terms: list[str]) -> TextMatch:
    index = table(SQLITE_INDEX, column("rowid"))
    condition = literal_column(SQLITE_INDEX).op("MATCH")(bindparam("search_match", sqlite_match_expression(terms)))
    # bm25 with the name column weighing ten times the rest; lower (more negative) is better.
    rank = func.bm25(literal_column(SQLITE_INDEX), 10.0, 1.0)
    return TextMatch(index, index.c.rowid == ProcedureVersion.id, condition, rank)


# --- PostgreSQL: tsvector ---------------------------------------------------------------------------

# A generated column the migration adds on PostgreSQL only (the models do not describe it).
POSTGRES_VECTOR: ColumnElement[Any] = literal_column("procedure_versions.search_vector")


def postgres_tsquery(terms: list[str]) -> str:
    """`the & di & lai:*`: the terms are folded words, so they carry no tsquery operators."""
    parts = list(terms)
    parts[-1] += ":*"
    return " & ".join(parts)


def _postgres_match(terms: list[str]) -> TextMatch:
    query = func.to_tsquery(
        literal_column("'simple'::regconfig"), bindparam("search_query", postgres_tsquery(terms), type_=String)
    )
    condition = POSTGRES_VECTOR.op("@@")(query)
    # Weighted frequency (name A, the rest B), higher is better: negated so that ascending order puts the
    # best first. Not ts_rank_cd: cover density reads every match's positions and doubled the cost of a
    # broad search ("cap giay phep": 1,105 of 6,000 procedures) for the same order on names like these.
    rank = -func.ts_rank(POSTGRES_VECTOR, query)
    return TextMatch(None, None, condition, rank)
