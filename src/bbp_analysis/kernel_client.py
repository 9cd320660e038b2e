"""The stand-in kernel process: asks the kernel server to fork a kernel and lives as long as it.

Run by path with the standard library only (``python -I -S kernel_client.py SOCKET -f
CONNECTION_FILE [ARGS]``; it imports nothing from the package, so it starts in a few milliseconds).
It sends the server the kernel's arguments, working folder, environment and standard streams,
forwards SIGINT, SIGTERM and SIGHUP to the forked kernel's process group, and exits as the
kernel did: with its exit code, or killed by the same signal. If this process is killed, the
server kills the kernel; if the server goes away, this process kills the kernel and exits 1.
See :mod:`bbp_analysis.kernel_server` for the protocol.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def request(server: socket.socket, kernel_args: list[str]) -> None:
    """Send the length of the request with our standard streams, then the request (JSON)."""
    body = json.dumps({"argv": kernel_args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(server, [len(body).to_bytes(8, "big")], [0, 1, 2])
    server.sendall(body)


def exit_like(code: int) -> None:
    """Exit with ``code``; a negative code is a kill by that signal, which is repeated here."""
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


def main(argv: list[str]) -> None:
    path, *kernel_args = argv
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.connect(path)
    request(server, kernel_args)
    replies = server.makefile("rb")
    first = replies.readline().split()
    if first[:1] != [b"pid"]:
        sys.exit(1)
    kernel = int(first[1])

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(kernel, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    last = replies.readline().split()
    if last[:1] == [b"exit"]:
        exit_like(int(last[1]))
    forward(signal.SIGKILL, None)  # the server went away: take the kernel with us
    sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
