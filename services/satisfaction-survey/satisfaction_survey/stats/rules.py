"""How the satisfaction index counts (domain brief, "Satisfaction"; docs/satisfaction-survey.md).

"Satisfied" means an answer in the top two levels of the 5-level scale (4 "satisfied", 5 "very
satisfied"). It is counted **per answer**: a factor's share is its satisfied answers over all its
answers (the SIPAS way: every answered question of the factor counts once, skipped optional ones do
not). The headline share is that of the overall question; every version has exactly one, required,
so it is also the share of **responses** (dossiers) whose citizen was satisfied overall: one
dossier, one vote, whatever the number of questions its version had.
"""

from __future__ import annotations

from fractions import Fraction


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 decimals (0.9531 = 95.31%); None when there is nothing to count."""
    if whole <= 0:
        return None
    return round(part / whole, 4)


def mean(total: int, count: int) -> float | None:
    """A mean score on the 1-5 scale, to 2 decimals; None without answers."""
    if count <= 0:
        return None
    return round(total / count, 2)


def target_met(satisfied: int, responses: int, target: float) -> bool | None:
    """The target reads "satisfaction above 95%": met when the satisfied share is strictly above it.

    Compared exactly on the counts (19 of 20 is 95%, not above), never on a rounded share. None
    (unknown) without responses.
    """
    if responses <= 0:
        return None
    return Fraction(satisfied, responses) > Fraction(str(target))
