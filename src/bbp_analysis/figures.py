"""One house style for every chart in the review, and the chart types it uses.

Colours are the Okabe-Ito colour-blind-safe palette. Significance is never shown by colour
alone: comparison results also change the marker shape and are written in the labels.
PNG output is deterministic (no software or date metadata).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

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

# Comparison label -> (colour, marker). Shapes carry the meaning without colour.
COMPARISON_STYLE = {
    "better": (PALETTE["blue"], "^"),
    "higher": (PALETTE["blue"], "^"),
    "worse": (PALETTE["vermillion"], "v"),
    "lower": (PALETTE["vermillion"], "v"),
    "similar": (PALETTE["grey"], "o"),
    "not compared": (PALETTE["grey"], "s"),
}

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 11,
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


def png_bytes(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes, without metadata, so equal data give equal files."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def ci_dot_chart(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str = "value",
    lower: str = "lower",
    upper: str = "upper",
    comparison: str | None = "comparison",
    benchmark: float | None = None,
    benchmark_label: str = "Benchmark",
    title: str = "",
    xlabel: str = "",
) -> plt.Figure:
    """Horizontal dot-and-interval chart, one row per entry of ``frame[label]`` (top to bottom).

    The benchmark is a dashed vertical line; each dot's marker and colour show its
    comparison with the benchmark, and the legend names them.
    """
    apply_style()
    rows = frame.reset_index(drop=True)
    height = max(2.2, 0.32 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(7.5, height))
    positions = range(len(rows) - 1, -1, -1)
    seen: set[str] = set()
    for pos, (_, row) in zip(positions, rows.iterrows(), strict=True):
        result = str(row[comparison]) if comparison else "not compared"
        colour, marker = COMPARISON_STYLE.get(result, COMPARISON_STYLE["not compared"])
        ax.plot([row[lower], row[upper]], [pos, pos], color=colour, linewidth=1.6)
        ax.plot(
            row[value],
            pos,
            marker=marker,
            color=colour,
            markersize=7,
            linestyle="none",
            label=result.capitalize() if comparison and result not in seen else None,
        )
        seen.add(result)
    if benchmark is not None:
        ax.axvline(
            benchmark,
            color=PALETTE["black"],
            linestyle="--",
            linewidth=1,
            label=f"{benchmark_label} ({benchmark:.1f})",
        )
    ax.set_yticks(list(positions), labels=list(rows[label]))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.set_xlim(left=0)
    ax.legend(loc="lower right", fontsize=8)
    return fig
