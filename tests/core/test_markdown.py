"""The Markdown sanitiser against a table of attack strings."""

import re
from html.parser import HTMLParser

import pytest

from core.markdown import ALLOWED_TAGS, markdown_to_text, render_markdown

ATTACKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg><script>alert(1)</script></svg>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](https://example.jp/a.png\" onerror=\"alert(1))",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<div onclick=\"alert(1)\">x</div>",
    "[x](\" onmouseover=\"alert(1))",
    "<!-- <script>alert(1)</script> -->",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://evil\"><input name=q></form>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "[x](java\tscript:alert(1))",
    "<style>body{display:none}</style>",
]

class _Elements(HTMLParser):
    """Every element and attribute of rendered HTML, as a browser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _problems(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag {tag}")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"attribute {name}")
            if name in ("href", "src"):
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value or "")
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    problems.append(f"url {value}")
    return problems


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_strings_are_neutralised(attack):
    html = str(render_markdown(attack))
    assert _problems(html) == [], html


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_hidden_inside_a_longer_text_are_neutralised(attack):
    html = str(render_markdown(f"## 見出し\n\n本文です。{attack}\n\n- 項目 {attack}\n\n> 引用 {attack}"))
    assert _problems(html) == [], html


def test_the_checker_itself_catches_what_it_should():
    assert _problems('<p onclick="x">a</p><iframe></iframe><a href="javascript:x">b</a><b style="c">d</b>') == [
        "attribute onclick", "tag iframe", "url javascript:x", "attribute style"
    ]


def test_ordinary_markdown_keeps_its_formatting():
    html = str(render_markdown("# 大見出し\n\n**太字**と[リンク](https://ran-hub.jp)\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h2>大見出し</h2>" in html  # the page title is the only <h1>
    assert "<strong>太字</strong>" in html
    assert '<a href="https://ran-hub.jp" rel="nofollow noopener noreferrer">リンク</a>' in html
    assert "<table>" in html


def test_raw_html_shows_as_text():
    assert "&lt;b&gt;太字&lt;/b&gt;" in str(render_markdown("<b>太字</b>"))


def test_mailto_links_stay():
    assert 'href="mailto:office@ran-hub.jp"' in str(render_markdown("[連絡](mailto:office@ran-hub.jp)"))


def test_markdown_to_text_drops_markup():
    assert markdown_to_text("## 見出し\n\n**太字** と [リンク](https://x.jp)") == "見出し\n太字 と リンク"


def test_an_external_image_becomes_a_link_to_it():
    """The CSP loads images only from the site: an external one would show broken (and tell its host who reads)."""
    html = str(render_markdown('![研修の様子](https://example.jp/photo.png "当日") と ![](https://example.jp/b.png)'))
    assert "<img" not in html
    assert ('<a href="https://example.jp/photo.png" title="当日" rel="nofollow noopener noreferrer">研修の様子</a>'
            in html)
    assert '<a href="https://example.jp/b.png" rel="nofollow noopener noreferrer">https://example.jp/b.png</a>' in html


@pytest.mark.parametrize("source", ["![地図](//example.jp/map.png)", "![地図](HTTP://EXAMPLE.JP/map.png)"])
def test_protocol_relative_and_upper_case_images_are_external_too(source):
    html = str(render_markdown(source))
    assert "<img" not in html and ">地図</a>" in html


def test_an_image_from_the_site_itself_stays_an_image():
    html = str(render_markdown("![ロゴ](/static/logo.png)"))
    assert '<img src="/static/logo.png" alt="ロゴ">' in html


def test_an_external_image_inside_a_link_leaves_its_alt_text_in_the_link():
    html = str(render_markdown("[![バッジ](https://example.jp/badge.svg)](https://example.jp/)"))
    assert html == '<p><a href="https://example.jp/" rel="nofollow noopener noreferrer">バッジ</a></p>\n'


def test_a_backslash_path_is_no_way_to_another_host():
    # Browsers read "/\host" as "//host"; the parser percent-encodes the backslash, so it stays on the site.
    assert 'src="/%5Cexample.jp/x.png"' in str(render_markdown("![x](/\\example.jp/x.png)"))
