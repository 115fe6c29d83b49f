"""Text analysis for the search index: normalisation, MeCab words by lemma, bigrams, filter words.

Text is normalised (NFKC, lower case, dash-like marks after katakana read as ー)
and split into words by MeCab (fugashi + unidic-lite). Each word is keyed by its
dictionary lemma, so 子ども/こども/子供, 取組/取り組み or コンピュータ/コンピューター
meet; proper nouns keep their written form. Particles, auxiliaries and symbols
are left out. A query is parsed the same way into groups of words that must
stand together (`parse`).
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import fugashi
import unidic_lite

MAX_QUERY_CHARS = 200
MAX_GROUPS = 12
#: shortest query word (in characters) that may also match by bigrams
MIN_BIGRAM_GROUP = 3

#: parts of speech that carry no meaning of their own for search
_SKIPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", ""})
#: light verbs (する, いる, ある, なる) by their lemma
_SKIPPED_LEMMAS = frozenset({"為る", "居る", "有る", "成る"})
_JAPANESE_RUN = re.compile(r"[\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ONLY_JAPANESE = re.compile(r"^[\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_NON_WORD = re.compile(r"[\W_]+")
_FACET_CHARS = re.compile(r"[^0-9a-z]")
DASH_AFTER_KATAKANA = re.compile(r"(?<=[\u30a1-\u30fa])[\u2010-\u2015\u2212\u30fc\uff70-]")
SPACES = re.compile(r"\s+")
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a\uff9e\uff9f]")

_local = threading.local()


def _tagger() -> fugashi.GenericTagger:
    """One MeCab tagger per thread (a tagger is not thread-safe), on unidic-lite."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = fugashi.GenericTagger(
            f'-d "{unidic_lite.DICDIR}" -r "{unidic_lite.DICDIR}/mecabrc"'
        )
    return tagger


def normalise(text: str | None) -> str:
    """NFKC (full-width/half-width), lower case, dash-like marks after katakana as ー."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return DASH_AFTER_KATAKANA.sub("ー", text)


@dataclass(frozen=True)
class Morpheme:
    """A word of normalised text: its index key ("" when skipped) and where it stands."""

    key: str
    start: int
    end: int


def _key(surface: str, feature: str) -> str:
    fields = feature.split(",")
    pos1 = fields[0] if fields else ""
    if pos1 in _SKIPPED_POS:
        return ""
    lemma = fields[7] if len(fields) > 7 else ""
    if len(fields) > 1 and fields[1] == "固有名詞":
        # A proper noun's lemma is its reading (東京 → トウキョウ): keep how it is written.
        lemma = ""
    if lemma and "-" in lemma:
        # Loanwords carry their source: キャリア-career.
        head, _sep, tail = lemma.partition("-")
        lemma = head if tail.isascii() else lemma
    if lemma in _SKIPPED_LEMMAS:
        return ""
    if not lemma or lemma == "*" or '"' in lemma:
        lemma = surface
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", lemma).lower()).strip()


def analyse(text: str) -> list[Morpheme]:
    """Words of already normalised text, with offsets into it; skipped words have an empty key."""
    result = []
    for line_start, line in _lines(text):
        if not line.strip():
            continue
        position = 0
        for node in _tagger()(line):
            surface = node.surface
            found = line.find(surface, position)
            if found < 0:
                continue
            position = found + len(surface)
            start = line_start + found
            for part in _key(surface, node.feature_raw).split(" "):
                result.append(Morpheme(part, start, start + len(surface)))
    return result


def _lines(text: str):
    """(offset, line) pairs; MeCab reads one line at a time."""
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def words(text: str | None) -> list[str]:
    """The index words of a text, in order."""
    return [m.key for m in analyse(normalise(text)) if m.key]


def bigrams(text: str | None) -> list[str]:
    """Overlapping character pairs of every run of Japanese characters."""
    result = []
    for run in _JAPANESE_RUN.findall(normalise(text)):
        result.extend(run[i:i + 2] for i in range(len(run) - 1))
    return result


def facet_word(name: str, value: Any) -> str:
    """A filter as one index word of letters and digits: ("theme", "side-job-talent") → fthemexsidejobtalent."""
    return "f" + _FACET_CHARS.sub("", str(name).lower()) + "x" + _FACET_CHARS.sub("", str(value).lower())


def kind_word(kind: str) -> str:
    return facet_word("kind", kind)


def visibility_word(visibility: str) -> str:
    return facet_word("vis", visibility)


def owner_word(member_id: int) -> str:
    return facet_word("owner", member_id)


def organization_word(organization_id: int) -> str:
    return facet_word("org", organization_id)


@dataclass
class Group:
    """Words of the query that must stand together (a compound such as 外国人材)."""

    text: str
    keys: list[str] = field(default_factory=list)

    @property
    def bigram_phrases(self) -> list[list[str]]:
        """Bigrams of the group as written and, if it differs, as its dictionary form (取組 → 取り組み)."""
        phrases = []
        for text in dict.fromkeys((self.text, "".join(self.keys))):
            # A two-character word is left to the dictionary: as a lone bigram it would
            # also match across word boundaries (京都 in 東京都).
            if len(text) >= MIN_BIGRAM_GROUP and _ONLY_JAPANESE.match(text):
                phrases.append([text[i:i + 2] for i in range(len(text) - 1)])
        return phrases


@dataclass
class Plan:
    """A parsed query: its word groups and what to highlight."""

    text: str
    groups: list[Group]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key for group in self.groups for key in group.keys)

    @property
    def needles(self) -> list[str]:
        found = {group.text for group in self.groups if group.text}
        return sorted(found, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.groups)


def parse(query: str | None) -> Plan:
    """Split a query into groups: each space-separated part, cut at particles (外国人材の受け入れ → 外国人材 / 受け入れ)."""
    text = normalise(query)[:MAX_QUERY_CHARS]
    groups: list[Group] = []
    for part in SPACES.split(text):
        current: Group | None = None
        group_start = 0
        previous: tuple[int, int] | None = None
        for morpheme in analyse(part):
            if not morpheme.key:
                current = None
                continue
            span = (morpheme.start, morpheme.end)
            # A key the cleaner split in two shares its span with the previous part.
            if current is not None and previous is not None and (morpheme.start == previous[1] or span == previous):
                current.keys.append(morpheme.key)
                current.text = part[group_start:morpheme.end]
            else:
                group_start = morpheme.start
                current = Group(part[morpheme.start:morpheme.end], [morpheme.key])
                groups.append(current)
            previous = span
    return Plan(text, groups[:MAX_GROUPS])


