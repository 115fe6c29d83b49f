"""The site's stylesheet: a lost brace turns every later rule into part of a media query."""

from tests.conftest import ROOT


def test_every_block_of_the_stylesheet_is_closed():
    depth = 0
    for number, line in enumerate((ROOT / "core" / "static" / "site.css").read_text().splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number} closes a block that was never opened"
        # The stylesheet nests one level at most (a rule inside @media).
        assert depth <= 1, f"line {number} opens a block inside an unclosed one: {line[:60]}"
    assert depth == 0
