"""Explainable ranking: a list of criteria turns each candidate into a score and its reasons.

Used to suggest organisations for a referral (alliance.referrals.ranking) and meant
for any "who fits best" list (people for projects: theme, skills, availability,
distance, remote). A criterion looks at one candidate and answers a
`Contribution`: points for the score and, optionally, a short reason shown next to
the candidate («外国人材: 専門», «完了3件», «中部地方», «オンライン可»). A required
criterion answers `EXCLUDED` to drop a candidate (e.g. the theme is missing).

The engine knows nothing about the database: load the facts the criteria need in
a constant number of queries first, then call `rank()`. The order is total and
deterministic: score descending, then the caller's `tie_key`.

The factories below build the usual kinds of criteria from attribute getters, so
a new ranking is mostly a list of factory calls with its own weights and labels.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core import refdata

T = TypeVar("T")

#: proximity classes, nearest first
SAME_PREFECTURE = "same_prefecture"
SAME_REGION = "same_region"
ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Contribution:
    """What one criterion says about one candidate."""

    points: float = 0.0
    #: shown to the user; None says nothing
    reason: str | None = None
    excluded: bool = False


#: the answer of a required criterion the candidate does not meet
EXCLUDED = Contribution(excluded=True)
NOTHING = Contribution()


@dataclass(frozen=True)
class Criterion(Generic[T]):
    """A named rule: candidate -> Contribution."""

    name: str
    evaluate: Callable[[T], Contribution]


@dataclass(frozen=True)
class Reason:
    criterion: str
    text: str
    points: float


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """A candidate with its score and the reasons behind it, in criteria order."""

    candidate: T
    score: float
    reasons: tuple[Reason, ...]

    def explain(self, separator: str = " ・ ") -> str:
        return separator.join(reason.text for reason in self.reasons)

    def points(self, criterion: str) -> float:
        return sum(reason.points for reason in self.reasons if reason.criterion == criterion)


def score(candidate: T, criteria: Sequence[Criterion[T]]) -> Ranked[T] | None:
    """One candidate's score and reasons, or None when a criterion excludes it."""
    total = 0.0
    reasons = []
    for criterion in criteria:
        contribution = criterion.evaluate(candidate)
        if contribution.excluded:
            return None
        total += contribution.points
        if contribution.reason:
            reasons.append(Reason(criterion.name, contribution.reason, contribution.points))
    # Rounded so that sums of floats reached in a different order still tie.
    return Ranked(candidate, round(total, 6), tuple(reasons))


def rank(
    candidates: Iterable[T],
    criteria: Sequence[Criterion[T]],
    *,
    tie_key: Callable[[T], Any],
    limit: int | None = None,
) -> list[Ranked[T]]:
    """Score every candidate, drop the excluded, best first; equal scores ordered by `tie_key`."""
    ranked = [result for candidate in candidates if (result := score(candidate, criteria)) is not None]
    ranked.sort(key=lambda result: (-result.score, tie_key(result.candidate)))
    return ranked if limit is None else ranked[:limit]


# -- criterion factories ----------------------------------------------------------------------


def required(name: str, predicate: Callable[[T], bool]) -> Criterion[T]:
    """Exclude candidates for which `predicate` is false; silent otherwise."""
    return Criterion(name, lambda candidate: NOTHING if predicate(candidate) else EXCLUDED)


def level(
    name: str,
    get: Callable[[T], Hashable | None],
    points: Mapping[Hashable, float],
    label: Callable[[Hashable], str | None],
    *,
    require: bool = True,
) -> Criterion[T]:
    """Points for a graded value (depth of expertise, skill level); missing → excluded if `require`."""

    def evaluate(candidate: T) -> Contribution:
        value = get(candidate)
        if value is None or value not in points:
            return EXCLUDED if require else NOTHING
        return Contribution(points[value], label(value))

    return Criterion(name, evaluate)


def count(
    name: str,
    get: Callable[[T], int],
    per_item: float,
    label: Callable[[int], str | None],
    *,
    cap: int | None = None,
) -> Criterion[T]:
    """Points per item counted (past successes: positive; current load: negative), up to `cap` items."""

    def evaluate(candidate: T) -> Contribution:
        items = get(candidate) or 0
        counted = items if cap is None else min(items, cap)
        return Contribution(per_item * counted, label(items) if items else None)

    return Criterion(name, evaluate)


def proximity_class(target_prefecture: str, home: str | None, areas: Iterable[str]) -> str:
    """How close a candidate (home prefecture + the prefectures it covers) is to the target."""
    covered = set(areas)
    if home:
        covered.add(home)
    if target_prefecture in covered:
        return SAME_PREFECTURE
    target_region = refdata.region_of(target_prefecture)
    if target_region and any(
        (region := refdata.region_of(code)) and region.slug == target_region.slug for code in covered
    ):
        return SAME_REGION
    return ELSEWHERE


def proximity(
    name: str,
    target_prefecture: str,
    home: Callable[[T], str | None],
    areas: Callable[[T], Iterable[str]],
    points: Mapping[str, float],
    label: Callable[[str, T], str | None],
) -> Criterion[T]:
    """Points by distance class: same prefecture, same region (地方), elsewhere.

    Never excludes: help from another region is the point of the alliance.
    """

    def evaluate(candidate: T) -> Contribution:
        closeness = proximity_class(target_prefecture, home(candidate), areas(candidate))
        return Contribution(points.get(closeness, 0.0), label(closeness, candidate))

    return Criterion(name, evaluate)


def flag(
    name: str, get: Callable[[T], bool], points: float, label: str | None, *, applies: bool = True
) -> Criterion[T]:
    """Points when a yes/no property holds (takes remote work, available now); off when not `applies`."""

    def evaluate(candidate: T) -> Contribution:
        if applies and get(candidate):
            return Contribution(points, label)
        return NOTHING

    return Criterion(name, evaluate)
