"""The tile map of Japan as HTML (core.tilemap)."""

import re


def test_the_tile_maps_caption_is_the_figures_last_child(client, make_organization):
    """HTML allows a figcaption only first or last in its figure (the Nu checker flagged it after the list)."""
    make_organization(slug="mapped", prefecture="04")
    html = client.get("/alliance/").get_data(as_text=True)
    figure = html[html.index('<figure class="tile-map-figure">'):]
    figure = figure[:figure.index("</figure>")]
    assert figure.rstrip().endswith("</figcaption>") and figure.index("<details") < figure.index("<figcaption>")


def test_english_tiles_have_distinct_abbreviations(client, make_organization):
    """Fukui, Fukuoka and Fukushima all begin "Fuk": each tile gets its own three letters."""
    make_organization(slug="mapped", prefecture="40")
    html = client.get("/alliance/?lang=en").get_data(as_text=True)
    tiles = html[html.index('<div class="tile-map"'):html.index('<details class="tile-map-text">')]
    shorts = re.findall(r'>([A-Z]{3})</(?:a|span)>', tiles)
    assert len(shorts) == 47 and len(set(shorts)) == 47
    assert "FKO" in shorts and "FKS" in shorts and "FKI" in shorts
