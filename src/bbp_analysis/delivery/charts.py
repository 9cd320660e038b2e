"""The delivery chapter's charts in the house style (:mod:`bbp_analysis.chart_style`): milestones
by status for each workstream (a grid of counts), the milestone timeline, and the risk matrix
(likelihood x impact) with trends.

Status and trend are shown by marker shape or bar hatching as well as colour, and written in
the legend. Each chart returns a matplotlib figure; :mod:`.views` publishes them with alt text
and data, and the board paper renders the same figures to PNG.
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from ..chart_style import PALETTE, legend_below, new_figure, rows_height, text_size
from .status import score_band
from .tracker import SCORE_RANGE, STATUSES

STATUS_STYLE = {
    # status: (colour, marker, hatch)
    "complete": (PALETTE["green"], "o", ""),
    "on track": (PALETTE["blue"], "^", "//"),
    "at risk": (PALETTE["orange"], "D", ".."),
    "off track": (PALETTE["vermillion"], "X", "xx"),
    "not started": (PALETTE["grey"], "s", "--"),
}
TREND_STYLE = {
    # trend: (marker, meaning)
    "rising": ("^", "score rising"),
    "falling": ("v", "score falling"),
    "steady": ("o", "score steady"),
    "new": ("*", "new risk"),
}
BAND_COLOUR = {"low": "#E8F4EC", "medium": "#FCEFD2", "high": "#F9D9C9"}


def _beside(
    ax: plt.Axes, text: str, xy: tuple[float, float], gap: float, size: str, *, bold: bool
) -> None:
    """Write ``text`` just right of the mark at ``xy`` (``gap`` points away), in the style's
    ``size`` ("body" or "small"), bold or not."""
    ax.annotate(
        text,
        xy,
        xytext=(gap, 0),
        textcoords="offset points",
        va="center",
        fontsize=text_size(size),
        weight="bold" if bold else "normal",
    )


def _wrapped(text: str, width: int, lines: int = 2) -> str:
    """``text`` on lines of at most ``width`` characters, at most ``lines`` lines (shortened
    with an ellipsis beyond)."""
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="..."))


def status_chart(summary: pd.DataFrame, period: str) -> plt.Figure:
    """A grid of milestone counts: one row per workstream and a last row for all of them, one
    column per status; each count is written next to its status marker, zeros left blank."""
    rows = pd.concat(
        [summary, pd.DataFrame([{**summary[list(STATUSES)].sum(), "workstream": "All"}])],
        ignore_index=True,
    )
    fig, ax = new_figure(rows_height(len(rows), per_row=34, extra=90))
    for x, status in enumerate(STATUSES):
        colour, marker, _ = STATUS_STYLE[status]
        for y, count in enumerate(rows[status].astype(int)):
            if count:
                ax.plot(x, y, marker=marker, color=colour, markersize=10, linestyle="none")
                _beside(ax, str(count), (x, y), 9, "body", bold=y == len(rows) - 1)
    ax.axhline(len(rows) - 1.5, color=PALETTE["grey"], linewidth=0.8)
    ax.set_xlim(-0.5, len(STATUSES) - 0.3)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(STATUSES)), [s.capitalize() for s in STATUSES])
    ax.set_yticks(range(len(rows)), [_wrapped(w, 30) for w in rows["workstream"]])
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"Milestones by status and workstream, {period}")
    return fig


def timeline_chart(milestones: pd.DataFrame, period: str, period_end: str) -> plt.Figure:
    """Each milestone at its due date, marker by status, one row per milestone (its name in
    full, wrapped) grouped by workstream; a dashed line marks the end of the
    reporting period; the legend is below the chart."""
    rows = milestones.reset_index(drop=True)
    labels = [_wrapped(m, 38, lines=4) for m in rows["milestone"]]
    per_row = 12 + 15 * max(label.count("\n") + 1 for label in labels)
    fig, ax = new_figure(rows_height(len(rows), per_row=per_row, extra=150))
    seen: set[str] = set()
    for pos, row in rows.iterrows():
        colour, marker, _ = STATUS_STYLE[row["status"]]
        ax.plot(
            row["due"],
            pos,
            marker=marker,
            color=colour,
            markersize=8,
            linestyle="none",
            label=row["status"].capitalize() if row["status"] not in seen else None,
        )
        seen.add(row["status"])
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.axvline(
        pd.Timestamp(period_end),
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label=f"End of {period}",
    )
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="both")
    ax.set_xlabel("Due date")
    ax.set_title(f"Milestone timeline, {period}")
    legend_below(fig, ncols=3)
    return fig


def risk_matrix_chart(register: pd.DataFrame, period: str) -> plt.Figure:
    """Likelihood (across) by impact (up), 1 to 5; cells shaded by score band; each risk a
    marker whose shape is its trend, numbered beside it (the key below names each number),
    with an arrow from its previous position."""
    low, high = SCORE_RANGE
    fig, ax = new_figure(640)
    for likelihood in range(low, high + 1):
        for impact in range(low, high + 1):
            band = score_band(likelihood * impact)
            ax.add_patch(
                plt.Rectangle(
                    (likelihood - 0.5, impact - 0.5),
                    1,
                    1,
                    facecolor=BAND_COLOUR[band],
                    edgecolor="white",
                )
            )
            ax.text(
                likelihood + 0.38,
                impact - 0.38,
                str(likelihood * impact),
                fontsize=text_size("small"),
                ha="right",
                va="bottom",
                color=PALETTE["grey"],
            )
    cells: dict[tuple[int, int], int] = {}
    seen: set[str] = set()
    key_entries = []
    for number, (_, row) in enumerate(register.iterrows(), start=1):
        key = (int(row["likelihood"]), int(row["impact"]))
        offset = cells.get(key, 0)
        cells[key] = offset + 1
        x, y = key[0] - 0.3 + 0.3 * (offset % 3), key[1] + 0.18 - 0.3 * (offset // 3)
        if pd.notna(row["previous_likelihood"]) and row["trend"] != "steady":
            ax.annotate(
                "",
                xy=(x, y),
                xytext=(row["previous_likelihood"], row["previous_impact"]),
                arrowprops={"arrowstyle": "->", "color": PALETTE["grey"], "lw": 0.8},
            )
        marker, meaning = TREND_STYLE[row["trend"]]
        ax.plot(
            x,
            y,
            marker=marker,
            color=PALETTE["black"],
            markersize=9,
            linestyle="none",
            label=meaning.capitalize() if meaning not in seen else None,
        )
        seen.add(meaning)
        _beside(ax, str(number), (x, y), 7, "small", bold=True)
        key_entries.append(Line2D([], [], linestyle="none", label=f"{number}: {row['risk_id']}"))
    ax.set_xlim(low - 0.5, high + 0.5)
    ax.set_ylim(low - 0.5, high + 0.5)
    ax.set_xticks(range(low, high + 1))
    ax.set_yticks(range(low, high + 1))
    ax.grid(False)
    ax.set_xlabel("Likelihood (1 rare to 5 almost certain)")
    ax.set_ylabel("Impact (1 negligible to 5 severe)")
    ax.set_title(f"Risk matrix, {period} (scores illustrative)")
    handles, labels = ax.get_legend_handles_labels()
    legend_below(fig, handles + key_entries, labels + [h.get_label() for h in key_entries], ncols=4)
    return fig
