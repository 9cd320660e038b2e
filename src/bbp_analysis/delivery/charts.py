"""The delivery chapter's charts in the house style: milestones by status for each workstream,
the milestone timeline, and the risk matrix (likelihood x impact) with trends.

Status and trend are shown by marker shape or bar hatching as well as colour, and written in
the legend. Each chart returns a matplotlib figure; :mod:`.views` publishes them with alt text
and data, and the board paper renders the same figures to PNG.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..figures import PALETTE, apply_style
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


def status_chart(summary: pd.DataFrame, period: str) -> plt.Figure:
    """Horizontal stacked bars: milestones by status for each workstream (counts)."""
    apply_style()
    rows = summary.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.38 * len(rows) + 1.3)))
    left = np.zeros(len(rows))
    for status in STATUSES:
        colour, _, hatch = STATUS_STYLE[status]
        counts = rows[status].to_numpy(dtype=float)
        ax.barh(
            rows["workstream"],
            counts,
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            label=status.capitalize(),
        )
        left += counts
    ax.set_xlabel("Milestones")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Milestones by status and workstream, {period}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


def timeline_chart(milestones: pd.DataFrame, period: str, period_end: str) -> plt.Figure:
    """Each milestone at its due date, marker by status, one row per milestone grouped by
    workstream; a dashed line marks the end of the reporting period."""
    apply_style()
    rows = milestones.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.3 * len(rows) + 1.4)))
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
    labels = [f"{m[:48]}{'...' if len(m) > 48 else ''}" for m in rows["milestone"]]
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.axvline(
        pd.Timestamp(period_end),
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label=f"End of {period}",
    )
    ax.grid(axis="both")
    ax.set_xlabel("Due date")
    ax.set_title(f"Milestone timeline, {period}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


def risk_matrix_chart(register: pd.DataFrame, period: str) -> plt.Figure:
    """Likelihood (across) by impact (up), 1 to 5; cells shaded by score band; each risk a
    labelled marker whose shape is its trend, with an arrow from its previous position."""
    apply_style()
    low, high = SCORE_RANGE
    fig, ax = plt.subplots(figsize=(7, 5.6))
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
                fontsize=7,
                ha="right",
                va="bottom",
                color=PALETTE["grey"],
            )
    cells: dict[tuple[int, int], int] = {}
    seen: set[str] = set()
    for _, row in register.iterrows():
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
        ax.annotate(
            row["risk_id"],
            (x, y),
            xytext=(0, -11 if offset % 2 == 0 else 8),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    ax.set_xlim(low - 0.5, high + 0.5)
    ax.set_ylim(low - 0.5, high + 0.5)
    ax.set_xticks(range(low, high + 1))
    ax.set_yticks(range(low, high + 1))
    ax.grid(False)
    ax.set_xlabel("Likelihood (1 rare to 5 almost certain)")
    ax.set_ylabel("Impact (1 negligible to 5 severe)")
    ax.set_title(f"Risk matrix, {period} (scores illustrative)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig
