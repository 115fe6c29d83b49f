"""Snippets and titles with the query's words marked (<mark>), escaped everywhere else."""

import unicodedata

from markupsafe import Markup, escape

from core.search.analysis import COMBINING, DASH_AFTER_KATAKANA, SPACES, Plan, analyse, normalise


def _display(text: str) -> str:
    """Text as a snippet shows it: as written, on one line."""
    return SPACES.sub(" ", text or "").strip()


def _normalised_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """`normalise(text)` and, for each of its characters, where it starts and ends in `text`
    (None for both when they map one to one, as they almost always do)."""
    quick = unicodedata.normalize("NFKC", text).lower()
    if len(quick) == len(text) and not COMBINING.search(text):
        return DASH_AFTER_KATAKANA.sub("ー", quick), None, None
    pieces, starts, ends = [], [], []
    position = 0
    while position < len(text):
        following = position + 1
        # A base character and its combining marks (ｶﾞ) normalise together.
        while following < len(text) and (unicodedata.combining(text[following]) or text[following] in "\uff9e\uff9f"):
            following += 1
        piece = unicodedata.normalize("NFKC", text[position:following]).lower()
        pieces.append(piece)
        starts.extend([position] * len(piece))
        ends.extend([following] * len(piece))
        position = following
    return DASH_AFTER_KATAKANA.sub("ー", "".join(pieces)), starts, ends


def _spans(text: str, plan: Plan) -> list[tuple[int, int]]:
    """Where in `text` the query's words (by lemma) or its groups (as written) occur."""
    if not plan or not text:
        return []
    normalised, starts, ends = _normalised_with_offsets(text)
    found = []
    for needle in plan.needles:
        start = normalised.find(needle)
        while start >= 0:
            found.append((start, start + len(needle)))
            start = normalised.find(needle, start + len(needle))
    if any(group.text not in normalised for group in plan.groups):
        # Some group is not there as written: look for its words by lemma (子供 marks 子ども).
        keys = plan.keys
        found += [(m.start, m.end) for m in analyse(normalised) if m.key and m.key in keys]
    if starts is not None:
        found = [(starts[s], ends[e - 1]) for s, e in found if e > s]
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _marked(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escaped text with <mark> around the spans (the only markup a snippet ever carries)."""
    out = []
    cursor = 0
    for start, end in spans:
        out.append(str(escape(text[cursor:start])))
        out.append("<mark>" + str(escape(text[start:end])) + "</mark>")
        cursor = end
    out.append(str(escape(text[cursor:])))
    return Markup("".join(out))  # noqa: S704 (every piece was escaped above)  # nosec B704


def highlight(text: str, plan: Plan) -> Markup:
    """A short text (a title) with the query's words marked."""
    shown = _display(text)
    return _marked(shown, _spans(shown, plan))


def _first_match(text: str, plan: Plan) -> int:
    """About where the query first matches (an offset into `text`), or -1."""
    lowered = normalise(text)
    positions = [p for p in (lowered.find(needle) for needle in plan.needles) if p >= 0]
    if positions:
        return min(positions)
    keys = plan.keys
    return next((m.start for m in analyse(lowered[:4000]) if m.key in keys), -1)


def snippet(text: str, plan: Plan, width: int = 120) -> Markup:
    """About `width` characters around the first place the query matches, words marked."""
    shown = _display(text)
    if not shown:
        return Markup("")
    position = _first_match(shown, plan) if plan else -1
    start = max(0, position - width // 3) if position > 0 else 0
    end = min(len(shown), start + width)
    window = shown[start:end]
    return Markup("{}{}{}").format(
        "…" if start > 0 else "", _marked(window, _spans(window, plan)), "…" if end < len(shown) else ""
    )


