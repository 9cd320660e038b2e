"""The house style of every chart in the review, in one place: colours, display widths, pixel
density, text sizes, legend placement, axis limits and PNG output.

Sizes are in CSS pixels at display size. A chart is drawn at one of :data:`DISPLAY_WIDTH`'s
widths (the full one is the content column of the site at 1280 px), saved at
:data:`PIXEL_DENSITY` times that many pixels, and embedded with its display width on the
``img``, so that its text shows at :data:`TEXT_PX` on a desktop screen and stays sharp on
high-density screens. Each PNG records its display width and its smallest text (in display
pixels) and how many of its texts run off the image (none: a title too long for the
space right of its axes is broken onto more lines: :func:`fit_texts`) in its metadata, for
the tests. Colours are the Okabe-Ito colour-blind-safe palette.
PNG output is deterministic (no software or date metadata).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL.PngImagePlugin import PngInfo

DISPLAY_WIDTH = {"full": 672, "compact": 480}
"""Display widths in CSS pixels: ``full`` is the content column of the site at 1280 px wide;
``compact`` suits square charts (a risk matrix, a pyramid) that would be too tall at full."""
PIXEL_DENSITY = 2
"""Image pixels per CSS pixel."""
CSS_PX_PER_INCH = 96
TEXT_PX = {"small": 11, "body": 12, "title": 13}
"""Text sizes in CSS pixels at display size; nothing is smaller than ``small``."""
ZOOM_SHARE = 0.5
"""An axis starts at zero unless every value lies above this share of the largest value."""
MIN_SPAN_SHARE = 0.1
"""A zoomed axis spans at least this share of the largest absolute value, so that small
differences are not magnified beyond their size."""
WIDTH_KEY = "bbp-display-width"
TEXT_KEY = "bbp-min-text-px"
OUTSIDE_KEY = "bbp-texts-outside"
PNG_COMPRESSION = 3
"""zlib level of the PNGs. Over the 81 charts of the 2025-26 edition, opaque pixels stored as
RGB at level 3 took 1.35 s and 6.22 MB, against 2.03 s and 6.24 MB as RGBA at the default
level 6 (level 4: 1.65 s, 5.66 MB; level 6: 1.80 s, 5.58 MB)."""
EDGE_PX = 4
"""The least gap, in CSS pixels, that :func:`fit_texts` leaves between a title and the
image's edge."""
LAYOUT_PAD_PT = 3
"""Constrained layout's margin around each axes, in points (its default ``w_pad``)."""

PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#6E6E6E",
}


def text_size(kind: str = "body") -> float:
    """A text size of :data:`TEXT_PX` (``small``, ``body`` or ``title``) in points."""
    return TEXT_PX[kind] * 72 / CSS_PX_PER_INCH


STYLE = {
    "figure.dpi": CSS_PX_PER_INCH,
    "savefig.dpi": CSS_PX_PER_INCH * PIXEL_DENSITY,
    "font.family": "DejaVu Sans",
    "font.size": text_size("body"),
    "axes.titlesize": text_size("title"),
    "axes.labelsize": text_size("body"),
    "xtick.labelsize": text_size("small"),
    "ytick.labelsize": text_size("small"),
    "legend.fontsize": text_size("small"),
    "legend.title_fontsize": text_size("small"),
    "figure.titlesize": text_size("title"),
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#D9D9D9",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE.values())),
    "legend.frameon": False,
    "svg.hashsalt": "bbp-review",
}


def apply_style() -> None:
    """Set the house style on matplotlib's global settings."""
    plt.rcParams.update(STYLE)


def new_figure(
    height_px: float, *, width: str = "full", rows: int = 1, cols: int = 1, **kwargs
) -> tuple[plt.Figure, plt.Axes | np.ndarray]:
    """A figure in the house style, ``DISPLAY_WIDTH[width]`` by ``height_px`` CSS pixels,
    laid out by matplotlib's constrained layout (so legends placed outside fit)."""
    apply_style()
    return plt.subplots(
        rows,
        cols,
        figsize=(DISPLAY_WIDTH[width] / CSS_PX_PER_INCH, height_px / CSS_PX_PER_INCH),
        layout="constrained",
        **kwargs,
    )


def rows_height(count: int, *, per_row: float = 30, extra: float = 150) -> float:
    """Height in CSS pixels of a chart with ``count`` rows: ``per_row`` each plus ``extra``
    for the title, axis and legend."""
    return max(220.0, per_row * count + extra)


def legend_below(fig: plt.Figure, handles=None, labels=None, *, ncols: int = 3) -> None:
    """The figure's one legend under the plot area (never on the data), from the first axes'
    labelled artists unless ``handles`` are given; replaces a legend placed before."""
    for old in list(fig.legends):
        old.remove()
    if handles is None:
        handles, labels = fig.axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(ncols, len(handles)))


def value_limits(
    values: Iterable[float], *, floor: float | None = 0.0, pad: float = 0.06
) -> tuple[float, float, bool]:
    """Axis limits covering every value given (points, interval ends, reference lines), padded
    by ``pad`` of the range so no mark is cut. The axis starts at ``floor`` unless every value
    lies above :data:`ZOOM_SHARE` of the largest; then it is zoomed (to no less than
    :data:`MIN_SPAN_SHARE` of the largest value) and the third item, "broken", is true (draw
    :func:`mark_axis_break`)."""
    finite = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if finite.size == 0:
        return (0.0 if floor is None else floor, 1.0, False)
    low, high = float(finite.min()), float(finite.max())
    if floor is not None and low >= floor and (low - floor) <= ZOOM_SHARE * (high - floor):
        return floor, high + (high - floor) * pad, False
    widest = max(abs(low), abs(high), 1.0) * MIN_SPAN_SHARE
    if high - low < widest:
        middle = (low + high) / 2
        low, high = middle - widest / 2, middle + widest / 2
        if floor is not None and low < floor:
            low, high = floor, floor + widest
    span = high - low
    return low - span * pad, high + span * pad, floor is not None and low - span * pad > floor


def widen_y(ax: plt.Axes, *values: float, pad: float = 0.06) -> None:
    """Widen the y axis, if needed, so that it shows ``values`` (e.g. a second reference line)
    with ``pad`` of the range to spare."""
    bottom, top = ax.get_ylim()
    span = top - bottom
    ax.set_ylim(min(bottom, min(values) - span * pad), max(top, max(values) + span * pad))


def mark_axis_break(ax: plt.Axes, axis: str = "x") -> None:
    """The axis-break sign (two short slanted strokes) at the start of the ``x`` or ``y`` axis:
    the axis does not start at zero."""
    size = 0.012
    for offset in (0.0, 0.014):
        along = [offset - size, offset + size]
        across = [-0.025, 0.025]
        ax.plot(
            *((along, across) if axis == "x" else (across, along)),
            transform=ax.transAxes,
            color=PALETTE["black"],
            linewidth=1,
            clip_on=False,
        )


def _undrawn_tick_labels(fig: plt.Figure) -> set[int]:
    """Ids of the tick labels matplotlib keeps but does not draw (ticks outside the view)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            margin = (high - low) * 1e-9
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not low - margin <= tick.get_loc() <= high + margin:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return hidden


def drawn_texts(fig: plt.Figure) -> list[Text]:
    """Every text the figure's last draw showed (visible, not empty, and not a tick label
    outside the axis); the figure must have been drawn."""
    hidden = _undrawn_tick_labels(fig)
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]


def visible_texts(fig: plt.Figure) -> list[Text]:
    """Every text the figure draws (:func:`drawn_texts`). Lays the figure out and creates its
    ticks as a draw does, without rendering pixels."""
    fig.draw_without_rendering()
    return drawn_texts(fig)


def _smallest_px(texts: Iterable[Text]) -> float:
    """The smallest of ``texts``' sizes in CSS pixels at display size."""
    sizes = [t.get_fontsize() * CSS_PX_PER_INCH / 72 for t in texts]
    return round(min(sizes), 2) if sizes else float(TEXT_PX["body"])


def smallest_text_px(fig: plt.Figure) -> float:
    """The smallest drawn text's size in CSS pixels at display size."""
    return _smallest_px(visible_texts(fig))


def display_width(fig: plt.Figure) -> int:
    """The figure's display width in CSS pixels."""
    return round(fig.get_figwidth() * CSS_PX_PER_INCH)


def _off_image(box: Bbox, frame: Bbox) -> bool:
    return not (frame.contains(*box.p0) and frame.contains(*box.p1))


def texts_outside(fig: plt.Figure) -> list[str]:
    """The texts of the figure's last draw (:func:`drawn_texts`) that run off the image."""
    return [t.get_text() for t in drawn_texts(fig) if _off_image(t.get_window_extent(), fig.bbox)]


def _room(text: Text, box: Bbox, left: float, right: float) -> float:
    """The width, in display pixels, that ``text`` may take between ``left`` and ``right``
    without moving its anchor (its box's left edge, centre or right edge, by its alignment)."""
    align = text.get_horizontalalignment()
    if align == "left":
        return right - box.x0
    if align == "right":
        return box.x1 - left
    centre = (box.x0 + box.x1) / 2
    return 2 * min(centre - left, right - centre)


def _wrapped(text: str, font: FontProperties, room: float, renderer: RendererBase) -> str:
    """``text``'s words on as many lines as needed for each to be at most ``room`` display
    pixels wide in ``font`` (a single word longer than that keeps a line of its own)."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and renderer.get_text_width_height_descent(candidate, font, False)[0] > room:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    return "\n".join(lines)


def title_beside_labels(ax: plt.Axes, title: str, labels: Iterable[str]) -> None:
    """Set ``ax``'s title, broken onto lines that fit between the image's right edge and the
    axes' left edge, which the layout puts right of the widest of ``labels`` (the y tick
    labels): measured in the tick labels' font, plus the tick, its pad and the layout's
    margin. It spares :func:`png_bytes` a second draw for titles that
    :func:`fit_texts` would break (a dot chart's long title beside PCN names)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ticks = FontProperties(size=plt.rcParams["ytick.labelsize"])
    widest = max(
        (renderer.get_text_width_height_descent(label, ticks, False)[0] for label in labels),
        default=0.0,
    )
    points = plt.rcParams["ytick.major.size"] + plt.rcParams["ytick.major.pad"] + LAYOUT_PAD_PT
    left = widest + points * fig.dpi / 72
    room = fig.bbox.width - left - 2 * EDGE_PX * fig.dpi / CSS_PX_PER_INCH
    title_font = FontProperties(
        size=plt.rcParams["axes.titlesize"], weight=plt.rcParams["axes.titleweight"]
    )
    ax.set_title(_wrapped(title, title_font, room, renderer))


def fit_texts(fig: plt.Figure) -> bool:
    """Break each drawn text (:func:`drawn_texts`) that runs off the image sideways (in
    practice a title too long for the space right of its axes) onto more lines, at spaces,
    so that each line fits between the image's edges (less :data:`EDGE_PX`); its anchor and
    alignment stay. The figure must have been drawn; returns whether any text changed (draw
    again to lay it out)."""
    renderer = fig.canvas.get_renderer()
    edge = EDGE_PX * fig.dpi / CSS_PX_PER_INCH
    left, right = fig.bbox.x0 + edge, fig.bbox.x1 - edge
    changed = False
    for text in drawn_texts(fig):
        box = text.get_window_extent(renderer)
        if box.x0 < fig.bbox.x0 or box.x1 > fig.bbox.x1:
            room = _room(text, box, left, right)
            text.set_text(_wrapped(text.get_text(), text.get_fontproperties(), room, renderer))
            changed = True
    return changed


def png_bytes(fig: plt.Figure) -> bytes:
    """The figure as a PNG at :data:`PIXEL_DENSITY` times its display size, recording its
    display width, smallest text (CSS pixels) and count of texts off the image
    (:func:`texts_outside`) and nothing else, so equal data give equal files. The figure is
    laid out and drawn at the PNG's density (its texts are read from that draw), drawn again
    only when a title had to be broken onto more lines (:func:`fit_texts`), and written from
    the rendered pixels: the pixels ``savefig`` writes, without the alpha channel when every
    pixel is opaque, at zlib level :data:`PNG_COMPRESSION`. Closes the figure."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(CSS_PX_PER_INCH * PIXEL_DENSITY)
    canvas.draw()
    if fit_texts(fig):
        canvas.draw()
    text = PngInfo()
    text.add_text(WIDTH_KEY, str(display_width(fig)))
    text.add_text(TEXT_KEY, f"{_smallest_px(drawn_texts(fig)):g}")
    text.add_text(OUTSIDE_KEY, str(len(texts_outside(fig))))
    pixels = np.asarray(canvas.buffer_rgba())
    image = PIL.Image.fromarray(pixels, "RGBA")
    if pixels[..., 3].min() == 255:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(
        buffer,
        format="png",
        pnginfo=text,
        dpi=(fig.dpi, fig.dpi),
        compress_level=PNG_COMPRESSION,
    )
    plt.close(fig)
    return buffer.getvalue()
