"""The two README pictures, made from screenshots with PIL (Debian's python3-pil), kept under 200 KB."""

import io
from pathlib import Path

from browsers import Browser


def _png(image, path: Path, colours: int = 256):
    from PIL import Image
    small = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path


def _font(size):
    from PIL import ImageFont
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default()


def desktop_popup(b: Browser, popup_handle, opener: dict, popup: dict, path: Path) -> Path:
    """The pay page (the opener's viewport) with the LINE Pay popup drawn where the browser put it: centred
    horizontally as measured, and at the measured offset from the opener's top; a thin frame and a shadow."""
    from PIL import Image, ImageDraw, ImageFilter
    b.switch(b.main)
    back = Image.open(io.BytesIO(b.driver.get_screenshot_as_png())).convert("RGB")
    b.switch(popup_handle)
    front = Image.open(io.BytesIO(b.driver.get_screenshot_as_png())).convert("RGB")
    b.switch(b.main)
    bar = 28
    x = int(popup["x"] - opener["x"])
    # The popup's top relative to the opener's content area, clamped so that the whole window is in the picture.
    y = int(popup["y"] - opener["y"] - (opener["outerHeight"] - opener["innerHeight"]))
    y = max(16, min(y + bar, back.height - front.height - 16))
    shadow = Image.new("L", back.size, 0)
    ImageDraw.Draw(shadow).rectangle([x - 2, y - bar - 2, x + front.width + 2, y + front.height + 6], fill=110)
    shadow = shadow.filter(ImageFilter.GaussianBlur(10))
    canvas = Image.composite(Image.new("RGB", back.size, (40, 44, 52)), back, shadow)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([x - 1, y - bar - 1, x + front.width, y + front.height], outline=(150, 156, 164))
    draw.rectangle([x, y - bar, x + front.width - 1, y - 1], fill=(232, 234, 237))
    draw.text((x + 12, y - bar + 6), "LINE Pay (popup, width=700 height=546)", fill=(60, 64, 67), font=_font(14))
    canvas.paste(front, (x, y))
    return _png(canvas, path)


def phone_receipt(shot: Path, path: Path, width: int = 520) -> Path:
    """A phone screenshot scaled to `width` px (from 2x), trimmed of the empty background below the page."""
    from PIL import Image
    image = Image.open(shot).convert("RGB")
    background = image.getpixel((image.width - 1, image.height - 1))
    bottom = image.height
    while bottom > 200 and all(image.getpixel((x, bottom - 1)) == background for x in range(0, image.width, 7)):
        bottom -= 1
    image = image.crop((0, 0, image.width, min(image.height, bottom + 48)))
    image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    return _png(image, path)
