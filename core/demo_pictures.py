"""Pictures for the demo, drawn here with Pillow (nothing downloaded): logos as simple marks, covers as soft
landscapes of colour. The same seed draws the same picture; they go through the upload path like any other."""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

from core import pictures

#: the site's greens and a few warm and cool companions
PALETTES = (
    ("#0f766e", "#99f6e4", "#f0fdfa"),
    ("#1d4ed8", "#bfdbfe", "#eff6ff"),
    ("#b45309", "#fde68a", "#fffbeb"),
    ("#be185d", "#fbcfe8", "#fdf2f8"),
    ("#4d7c0f", "#d9f99d", "#f7fee7"),
    ("#6d28d9", "#ddd6fe", "#f5f3ff"),
    ("#0e7490", "#a5f3fc", "#ecfeff"),
    ("#9a3412", "#fed7aa", "#fff7ed"),
)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def draw_logo(seed: int) -> bytes:
    """A square mark: a disc with a rising arc and a dot, like the badges regional groups make for themselves."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - shapes, not secrets
    dark, light, paper = PALETTES[seed % len(PALETTES)]
    size = 512
    image = Image.new("RGB", (size, size), paper)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, size - 40, size - 40), fill=dark)
    for ring in range(3):
        inset = 110 + ring * 46 + rng.randint(-8, 8)
        draw.arc((inset, inset + 110, size - inset, size - inset + 110), start=200, end=340, fill=light, width=22)
    dot = rng.randint(190, 320)
    draw.ellipse((dot - 34, 150, dot + 34, 218), fill=paper)
    return _png(image)


def draw_cover(seed: int) -> bytes:
    """A 16:9 landscape of colour: a sky gradient, soft hills and a few blurred lights."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - shapes, not secrets
    dark, light, paper = PALETTES[seed % len(PALETTES)]
    width, height = 1600, 900
    sky = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", (width, height), light), Image.new("RGB", (width, height), paper), sky)
    mask = Image.new("L", (width, height), 0)
    glow = ImageDraw.Draw(mask)
    for _ in range(9):
        x, y, r = rng.randint(0, width), rng.randint(0, height // 2), rng.randint(40, 140)
        glow.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(70, 140))
    image.paste(Image.new("RGB", (width, height), "#ffffff"), (0, 0), mask.filter(ImageFilter.GaussianBlur(30)))
    draw = ImageDraw.Draw(image)
    for layer, colour in enumerate((light, dark)):
        base = int(height * (0.62 + 0.14 * layer))
        phase, swell = rng.uniform(0, 6.3), rng.randint(30, 70)
        points = [(0, height)]
        for x in range(0, width + 40, 40):
            points.append((x, base + int(swell * math.sin(phase + x / (260 + 90 * layer)))))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    return _png(image)


def demo_picture(data: bytes, alt: str) -> pictures.Picture:
    return pictures.store(pictures.prepare(data), alt=alt)
