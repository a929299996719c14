"""Scanned minutes made in the test: text drawn on A4 pages with Pillow, saved as an image PDF."""

from __future__ import annotations

import io
import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
DPI = 200
A4 = (int(8.27 * DPI), int(11.69 * DPI))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def page_images(
    lines: list[str],
    *,
    points: int = 12,
    spacing: float = 1.5,
    bullet_indent: bool = True,
    seed: int = 0,
) -> list[Image.Image]:
    """``lines`` as typed A4 pages (wrapped, bullets hanging), lightly blurred like a scan."""
    rng = random.Random(seed)
    size = round(points * DPI / 72)
    font = _font(size)
    margin, line_height = DPI, round(size * spacing)
    width_chars = int((A4[0] - 2 * margin) / (size * 0.55))
    pages: list[Image.Image] = []
    page, draw, y = None, None, A4[1]
    for line in lines:
        bullet = line[:2] in ("• ", "- ")
        body = line[2:] if bullet else line
        wrapped = textwrap.wrap(body, width_chars - (4 if bullet else 0)) or [""]
        for number, piece in enumerate(wrapped):
            if y + line_height > A4[1] - margin:
                page = Image.new("L", A4, 255)
                draw = ImageDraw.Draw(page)
                pages.append(page)
                y = margin
            assert draw is not None
            x = margin + (size * 2 if bullet and bullet_indent else 0)
            if bullet and number == 0:
                draw.text((x - size * 1.3, y), line[0], font=font, fill=0)
            draw.text((x, y), piece, font=font, fill=rng.randint(0, 40))
            y += line_height
        if not body:
            y += line_height // 2
    return [page.filter(ImageFilter.GaussianBlur(0.6)) for page in pages]


def scanned_pdf(lines: list[str], **options: object) -> bytes:
    """The lines as a PDF of page images, with no text layer."""
    images = page_images(lines, **options)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    first, *rest = [image.convert("RGB") for image in images]
    first.save(buffer, format="PDF", resolution=DPI, save_all=True, append_images=rest)
    return buffer.getvalue()
