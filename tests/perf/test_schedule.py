"""The build's slots (:class:`bbp_analysis.runner.Slots`): steps of editions built side by
side start in priority order, never more at once than there are slots, and none after a
failure cancelled the rest."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bbp_analysis.runner import Cancelled, Slots


def queued(
    slots: Slots, priorities: list[tuple[int, int]]
) -> tuple[list[threading.Thread], list[object]]:
    """A thread per priority, each waiting for a slot, and the list each appends its
    priority to once it holds a slot (or ("cancelled", priority)); returns once all wait."""
    started: list[object] = []
    threads = []
    for priority in priorities:

        def step(priority: tuple[int, int] = priority) -> None:
            try:
                with slots.held(priority):
                    started.append(priority)
            except Cancelled:
                started.append(("cancelled", priority))

        thread = threading.Thread(target=step)
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + 10
    while len(slots._waiting) < len(priorities) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(slots._waiting) == len(priorities)
    return threads, started


def test_waiting_steps_start_in_priority_order() -> None:
    slots = Slots(1)
    with slots.held((0, 0)):
        threads, started = queued(slots, [(2, 0), (1, 1), (-1, 0), (1, 0)])
    for thread in threads:
        thread.join(10)
    assert started == [(-1, 0), (1, 0), (1, 1), (2, 0)]


def test_no_more_steps_at_once_than_slots() -> None:
    slots = Slots(2)
    running, most = [0], [0]
    lock = threading.Lock()

    def step() -> None:
        with slots.held((0, 0)):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.02)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=step) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 2


def test_cancel_stops_waiting_steps_and_later_ones() -> None:
    slots = Slots(1)
    with slots.held((0, 0)):
        threads, started = queued(slots, [(1, 0), (2, 0)])
        slots.cancel()
        for thread in threads:
            thread.join(10)
    assert sorted(started) == [("cancelled", (1, 0)), ("cancelled", (2, 0))]
    with pytest.raises(Cancelled), slots.held((0, 0)):
        pass


EDITION_POOL_PROBE = """
import sys
from pathlib import Path

from bbp_analysis import pipeline

watched = (
    "IPython",
    "bbp_analysis.board_paper",
    "bbp_analysis.results",
    "bbp_analysis.site.editions",
    "bbp_analysis.site.pages",
    "bbp_analysis.site.snapshot",
)
print(sorted(m for m in watched if m in sys.modules))


class Started(Exception):
    pass


class Pool:  # stands in for the editions' thread pool: reports what is imported by then
    def __init__(self, *args, **kwargs):
        raise Started(sorted(m for m in watched if m in sys.modules))


pipeline.ThreadPoolExecutor = Pool
pipeline.stage_sources = lambda root, folder: None
pipeline.book_config.write = lambda folder, run_params: None
pipeline.earlier_runs = lambda *args: {}
pipeline.edition_cache.restore = lambda *args: False
stage = Path(sys.argv[1])
try:
    pipeline.build_editions(
        [{"period": "2025-26"}], stage, stage, print, 2,
        pipeline.Plan({"2025-26": []}, {"2025-26": "key"}),
    )
except Started as started:
    print(started.args[0])
"""


def test_edition_steps_modules_are_imported_before_their_threads_start(tmp_path: Path) -> None:
    # two threads importing IPython at once failed a build with "cannot import name
    # 'locate_profile' from partially initialized module 'IPython.paths'"
    result = subprocess.run(
        [sys.executable, "-c", EDITION_POOL_PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    before, at_pool = result.stdout.splitlines()
    assert before == "[]"
    assert at_pool == str(
        [
            "IPython",
            "bbp_analysis.board_paper",
            "bbp_analysis.results",
            "bbp_analysis.site.editions",
            "bbp_analysis.site.pages",
            "bbp_analysis.site.snapshot",
        ]
    )


def test_the_board_paper_is_written_while_the_book_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bbp_analysis import board_paper, pipeline

    paper_started, book_built = threading.Event(), threading.Event()

    def write_board_paper(params: dict, executed: Path, out: Path) -> Path:
        paper_started.set()
        assert book_built.wait(10)  # still writing when the book build ends
        out.write_bytes(b"%PDF-")
        return out

    monkeypatch.setattr(board_paper, "write_board_paper", write_board_paper)
    book_stage = tmp_path / "editions" / "2025-26"
    book_stage.mkdir(parents=True)
    messages: list[str] = []
    with pipeline._paper_beside(
        {"period": "2025-26"}, book_stage, messages.append, Slots(2), (0, -1)
    ) as paper:
        assert paper_started.wait(10)  # the paper began while the book "builds"
        book_built.set()
    assert paper.read_bytes() == b"%PDF-"
    assert paper.parent == book_stage.parent  # not among the book's sources
    assert messages == ["2025-26: writing the board paper (PDF)"]


def test_a_failed_book_build_is_reported_before_a_failed_board_paper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bbp_analysis import board_paper, pipeline
    from bbp_analysis.errors import BuildError

    def write_board_paper(params: dict, executed: Path, out: Path) -> Path:
        raise RuntimeError("the paper failed")

    monkeypatch.setattr(board_paper, "write_board_paper", write_board_paper)
    stage = tmp_path / "2025-26"
    stage.mkdir()
    with (
        pytest.raises(BuildError, match="the book failed"),
        pipeline._paper_beside({"period": "2025-26"}, stage, print, Slots(2), 0),
    ):
        raise BuildError("the book failed")
    with (
        pytest.raises(RuntimeError, match="the paper failed"),
        pipeline._paper_beside({"period": "2025-26"}, stage, print, Slots(2), 0),
    ):
        pass
