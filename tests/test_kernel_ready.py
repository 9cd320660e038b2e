"""The notebook kernels' client connects to a starting kernel every few milliseconds and is
ready once the kernel has answered on the shell channel and spoken on IOPub, without waiting
for IOPub to fall quiet (``runner.ReadyClient``), and a killed kernel is waited for in steps
of milliseconds; each notebook's cell outputs still all arrive
(``tests/perf/test_kernel_server.py`` compares every output of forked and new kernels)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from queue import Empty
from typing import Any

import pytest
import zmq

from bbp_analysis import runner

REPLY = {"msg_type": "kernel_info_reply", "content": {"protocol_version": "5.3"}}
WELCOME = {"msg_type": "iopub_welcome", "content": {}}
BUSY = {"msg_type": "status", "content": {"execution_state": "busy"}}
IDLE = {"msg_type": "status", "content": {"execution_state": "idle"}}


def run(coroutine: Coroutine[Any, Any, Any]) -> None:
    """Run ``coroutine`` to its end in an event loop of its own, in a thread of its own (the
    test's thread may already run one: Playwright's, in a worker that ran the browser tests);
    re-raise what it raised."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if raised:
        raise raised[0]


class Channel:
    """A channel that answers each ``get_msg`` with the next of ``script`` (None: nothing
    arrived in time), and with nothing once the script has run out."""

    def __init__(self, script: list[dict[str, Any] | None]) -> None:
        self.script = list(script)
        self.waits: list[float | None] = []

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        self.waits.append(timeout)
        message = self.script.pop(0) if self.script else None
        if message is None:
            raise Empty
        return message


class Scripted(runner.ReadyClient):
    """A :class:`runner.ReadyClient` whose channels and kernel are scripted."""

    def __init__(self, shell: list, iopub: list, alive: bool = True) -> None:
        super().__init__()
        self.shell, self.iopub, self.alive = Channel(shell), Channel(iopub), alive
        self.requests = 0
        self.handled: list[dict[str, Any]] = []

    @property
    def shell_channel(self) -> Channel:
        return self.shell

    @property
    def iopub_channel(self) -> Channel:
        return self.iopub

    def kernel_info(self) -> str:
        self.requests += 1
        return f"request-{self.requests}"

    async def _async_is_alive(self) -> bool:
        return self.alive

    def _handle_kernel_info_reply(self, msg: dict[str, Any]) -> None:
        self.handled.append(msg)


def test_the_kernels_clients_are_ready_clients_that_reconnect_quickly() -> None:
    client = runner.LocalKernelManager(kernel_name=runner.KERNEL).client()
    assert isinstance(client, runner.ReadyClient)
    assert client.context.getsockopt(zmq.RECONNECT_IVL) == runner.RECONNECT_MS == 10


def test_a_killed_kernel_is_waited_for_in_steps_of_5_ms(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = runner.LocalKernelManager(kernel_name=runner.KERNEL)
    states, pauses = [True, True, False], []

    async def alive() -> bool:
        return states.pop(0)

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(manager, "_async_is_alive", alive)
    monkeypatch.setattr(asyncio, "sleep", pause)
    run(manager._async_wait())
    assert pauses == [0.005, 0.005]


def test_ready_after_the_reply_and_a_greeting_then_what_arrived_is_drained() -> None:
    client = Scripted(shell=[REPLY], iopub=[WELCOME, BUSY, IDLE])
    run(client.wait_for_ready(timeout=10))
    assert (client.requests, client.handled) == (1, [REPLY])
    # one wait of up to 0.2 s for the greeting; the rest is taken without waiting
    assert client.iopub.waits == [0.2, 0, 0, 0]
    assert client.iopub.script == []


def test_asks_again_while_iopub_is_silent() -> None:
    client = Scripted(shell=[REPLY, REPLY], iopub=[None, WELCOME])
    run(client.wait_for_ready(timeout=10))
    assert (client.requests, client.handled) == (2, [REPLY])
    assert client.iopub.waits == [0.2, 0.2, 0]


def test_a_dead_kernel_is_named() -> None:
    client = Scripted(shell=[None], iopub=[], alive=False)
    with pytest.raises(RuntimeError, match="the kernel died before replying to kernel_info"):
        run(client.wait_for_ready(timeout=10))


def test_a_silent_kernel_times_out() -> None:
    client = Scripted(shell=[None], iopub=[])
    with pytest.raises(RuntimeError, match="the kernel did not reply within 0 s"):
        run(client.wait_for_ready(timeout=0))
    assert client.requests == 1 and client.handled == []
