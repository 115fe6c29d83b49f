"""The tile map of Japan as HTML (core.tilemap)."""


def test_the_tile_maps_caption_is_the_figures_last_child(client, make_organization):
    """HTML allows a figcaption only first or last in its figure (the Nu checker flagged it after the list)."""
    make_organization(slug="mapped", prefecture="04")
    html = client.get("/alliance/").get_data(as_text=True)
    figure = html[html.index('<figure class="tile-map-figure">'):]
    figure = figure[:figure.index("</figure>")]
    assert figure.rstrip().endswith("</figcaption>") and figure.index("<details") < figure.index("<figcaption>")
