"""Kernels forked from a pre-imported server: the same outputs as a new Python, no state shared
between notebooks, a dead kernel still named, no process or socket left behind, and the
opt-out restores the plain launch."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import os
import signal
import socket
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
import psutil
import pytest

from bbp_analysis import kernel_server, runner
from bbp_analysis.errors import BuildError

pytestmark = pytest.mark.slow

PROBE = [
    "import os, sys\nfrom pathlib import Path\nimport matplotlib.pyplot as plt\n"
    "import pandas as pd\nimport pyarrow as pa",
    "print(hash('bbp'), os.environ['PYTHONHASHSEED'], os.environ['MPLBACKEND'])\n"
    "print(Path.cwd().name, Path(os.environ['BBP_ROOT']).name, sys.argv[1])\n"
    "print(plt.get_backend(), 'JPY_PARENT_PID' in os.environ)\n"
    "print(pa.default_memory_pool().backend_name)\nprint(sys.path)",
    "pd.DataFrame({'borough': ['Harrow', 'Brent'], 'rate': [12.5, 7.25]})",
    "import io\nfrom IPython.display import Image\n"
    "fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)\nax.plot([1, 3, 2])\n"
    "png = io.BytesIO()\nfig.savefig(png, format='png')\n"
    "display(Image(png.getvalue()))",
]


def notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def job(root: Path, template: Path, stage: str) -> runner.NotebookJob:
    return runner.NotebookJob(
        template=template,
        output=root.parent / stage / "book" / template.name,
        parameters={},
        label=f"{stage}/{template.stem}",
        inputs=stage,  # a key of its own per stage: nothing is reused from the cache
    )


def outputs(path: Path) -> list[list[dict]]:
    return [cell.outputs for cell in nbformat.read(path, as_version=4).cells]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "project" / "book").mkdir(parents=True)
    return tmp_path / "project"


class Started(list):
    """The kernel servers started; ``launches``: whether each kernel was forked from one;
    ``before``: this process's children when the test began (e.g. the JVM of a Spark session
    another test file left open in the same worker), which are not the test's."""

    launches: list[bool]
    before: set[int]


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Started:
    started = Started()
    launches: list[bool] = []
    start, command = kernel_server.KernelServer.__init__, kernel_server.KernelServer.command

    def recording_start(self, *args, **kwargs):
        start(self, *args, **kwargs)
        started.append(self)

    def recording_command(self, kernel_cmd):
        result = command(self, kernel_cmd)
        launches.append(result is not None)
        return result

    monkeypatch.setattr(kernel_server.KernelServer, "__init__", recording_start)
    monkeypatch.setattr(kernel_server.KernelServer, "command", recording_command)
    monkeypatch.setenv(kernel_server.OPT_OUT, "1")
    started.launches = launches
    started.before = {child.pid for child in psutil.Process().children(recursive=True)}
    return started


def new_children(servers: Started) -> list[psutil.Process]:
    """This process's descendants that were not there when the test began, other than those
    a process that was already there started (the Chromium an earlier browser test of this
    worker left running starts and ends helpers of its own)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            lineage = {child.pid} | {parent.pid for parent in child.parents()}
        except psutil.NoSuchProcess:  # ended meanwhile: not left behind
            continue
        if not lineage & servers.before:
            found.append(child)
    return found


def assert_nothing_left(servers: Started, pids: list[int]) -> None:
    assert new_children(servers) == []
    for pid in pids:
        assert not psutil.pid_exists(pid)  # stopped and reaped
    for server in servers:
        assert not Path(server.path).parent.exists()  # the socket's folder is gone


def test_forked_kernels_give_the_outputs_of_new_pythons(root, servers, monkeypatch):
    template = notebook(root / "book" / "probe.ipynb", PROBE)
    forked = runner.run_notebooks([job(root, template, "forked")], 120, root, lambda _m: None)
    assert len(servers) == 1 and servers.launches == [True]
    pids = [servers[0].pid]
    monkeypatch.setenv(kernel_server.OPT_OUT, "0")
    plain = runner.run_notebooks([job(root, template, "plain")], 120, root, lambda _m: None)
    assert len(servers) == 1  # the opt-out starts no server: kernels are new Pythons
    assert forked.executed == ["forked/probe"] and plain.executed == ["plain/probe"]
    a = outputs(root.parent / "forked" / "book" / "probe.ipynb")
    b = outputs(root.parent / "plain" / "book" / "probe.ipynb")
    assert a == b
    # Arrow allocates with the C library's malloc (bbp_analysis sets it for every process)
    assert a[1][0]["text"].splitlines()[1:4] == ["book project -f", "Agg True", "system"]
    assert "image/png" in a[3][0]["data"] and "text/html" in a[2][0]["data"]
    assert_nothing_left(servers, pids)


def test_a_notebook_changes_nothing_the_next_one_sees(root, servers):
    first = notebook(
        root / "book" / "first.ipynb",
        [
            "import matplotlib, bbp_analysis\n"
            "matplotlib.rcParams['lines.linewidth'] = 9.0\n"
            "bbp_analysis.LEFT_BEHIND = True\nimport json\nPRIVATE = 1"
        ],
    )
    second = notebook(
        root / "book" / "second.ipynb",
        [
            "import matplotlib, bbp_analysis, sys\n"
            "print(matplotlib.rcParams['lines.linewidth'], hasattr(bbp_analysis, 'LEFT_BEHIND'),"
            " 'PRIVATE' in globals())"
        ],
    )
    todo = [job(root, first, "stage"), job(root, second, "stage")]
    runner.run_notebooks(todo, 120, root, lambda _m: None, workers=1)
    assert servers.launches == [True, True]  # both forked from the same server
    printed = outputs(root.parent / "stage" / "book" / "second.ipynb")[0][0]["text"]
    assert printed == "1.5 False False\n"
    assert_nothing_left(servers, [servers[0].pid])


def test_the_threads_that_ran_notebooks_leave_no_event_loop_open(root, servers):
    """papermill's synchronous API makes an event loop for each thread that runs a notebook
    and leaves it open; the runner closes it as each run ends, so no finished thread leaves a
    loop and its sockets for the garbage collector (a ResourceWarning each)."""
    template = notebook(root / "book" / "t.ipynb", ["print(1)"])
    gc.collect()  # what earlier tests in this worker left
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        runner.run_notebooks(
            [job(root, template, "a"), job(root, template, "b")], 120, root, lambda _m: None
        )
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_build_forks_every_run_from_one_server(root, servers):
    """Within ``shared_kernels`` (a build), the chapter runs and the runs that read their
    results are two calls but one server, stopped when the build ends; a kernel inherits the
    server's imports frozen, out of its garbage collector's reach."""
    first = notebook(root / "book" / "first.ipynb", ["import gc\nprint(gc.get_freeze_count())"])
    second = notebook(root / "book" / "second.ipynb", ["print(2)"])
    with runner.shared_kernels([first, second]):
        runner.run_notebooks([job(root, first, "a")], 120, root, lambda _m: None)
        runner.run_notebooks([job(root, second, "b")], 120, root, lambda _m: None)
        assert len(servers) == 1 and psutil.pid_exists(servers[0].pid)
    assert servers.launches == [True, True]
    assert int(outputs(root.parent / "a" / "book" / "first.ipynb")[0][0]["text"]) > 100_000
    assert outputs(root.parent / "b" / "book" / "second.ipynb")[0][0]["text"] == "2\n"
    assert_nothing_left(servers, [servers[0].pid])


def test_a_server_started_early_imports_in_the_kernels_environment_and_serves_the_runs(
    root, servers
):
    """``start_shared_kernels`` (called while the extract is generated) starts the build's one
    server before any run, with the kernels' environment, without changing this process's."""
    first = notebook(root / "book" / "first.ipynb", PROBE)
    before = dict(os.environ)
    with runner.shared_kernels([first]):
        runner.start_shared_kernels(root)
        assert len(servers) == 1 and dict(os.environ) == before
        # Read once it has imported: Popen returns as the new program is loaded, and until
        # Linux has set that program's environment up, /proc shows an empty one (seen once
        # on a loaded machine).
        assert servers[0].ready()
        environ = psutil.Process(servers[0].pid).environ()
        assert environ["PYTHONHASHSEED"] == "0" and environ["BBP_ROOT"] == str(root)
        runner.run_notebooks([job(root, first, "a")], 120, root, lambda _m: None)
        runner.start_shared_kernels(root)  # already running: nothing new
        assert len(servers) == 1
    assert servers.launches == [True]
    assert outputs(root.parent / "a" / "book" / "first.ipynb")[2][0]["data"]["text/plain"] == (
        "  borough   rate\n0  Harrow  12.50\n1   Brent   7.25"
    )
    assert_nothing_left(servers, [servers[0].pid])


def test_a_build_attached_to_a_running_server_forks_from_it_and_leaves_it_running(
    root, servers, monkeypatch
):
    """``$BBP_KERNEL_SERVER`` naming the socket of a server already running (started in the
    kernels' environment, as a test session starts one for its ``bbp`` commands): a build's
    runs are forked from it, the build starts no server of its own, and the server runs on
    after the build until the process that started it stops it."""
    probe = notebook(root / "book" / "probe.ipynb", ["import os\nprint(os.getppid())"])
    with runner.kernel_environment(root), runner.kernel_server([probe]) as running:
        assert running is not None and running.ready() and len(servers) == 1
        monkeypatch.setenv(kernel_server.OPT_OUT, running.path)
        with runner.shared_kernels([probe]):
            runner.run_notebooks([job(root, probe, "a")], 120, root, lambda _m: None)
        assert len(servers) == 1 and psutil.pid_exists(running.pid)
        assert outputs(root.parent / "a" / "book" / "probe.ipynb")[0][0]["text"] == (
            f"{running.pid}\n"
        )
        assert servers.launches == [True]
    assert_nothing_left(servers, [servers[0].pid])


def test_only_a_socket_that_exists_is_attached(tmp_path, monkeypatch):
    """``0`` opts out, ``1`` or nothing starts a server per build, and a path that is not a
    socket (a server that has stopped) is not attached: the build starts its own."""
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(str(tmp_path / "kernels.sock"))
    (tmp_path / "file.sock").write_text("")
    try:
        for value, attached in [
            ("0", None),
            ("1", None),
            ("", None),
            (str(tmp_path / "gone.sock"), None),
            (str(tmp_path / "file.sock"), None),
            (str(tmp_path / "kernels.sock"), str(tmp_path / "kernels.sock")),
        ]:
            monkeypatch.setenv(kernel_server.OPT_OUT, value)
            assert kernel_server.attached_socket() == attached, value
    finally:
        listening.close()


def test_a_build_with_nothing_to_run_starts_no_server(root, servers):
    template = notebook(root / "book" / "cached.ipynb", ["print(3)"])
    runner.run_notebooks([job(root, template, "c")], 120, root, lambda _m: None)
    with runner.shared_kernels([template]):
        summary = runner.run_notebooks([job(root, template, "c")], 120, root, lambda _m: None)
    assert summary.skipped == ["c/cached"] and len(servers) == 1  # only the first run's
    assert_nothing_left(servers, [servers[0].pid])


@pytest.mark.parametrize(
    "ending",
    ["os._exit(1)", "os.kill(os.getpid(), signal.SIGKILL)"],  # the code ends it; out of memory
)
def test_a_kernel_that_dies_gives_one_line_and_leaves_nothing(root, servers, ending):
    template = notebook(root / "book" / "dies.ipynb", [f"import os, signal\n{ending}"])
    with pytest.raises(BuildError) as raised:
        runner.run_notebooks([job(root, template, "stage")], 120, root, lambda _m: None)
    assert str(raised.value) == (
        "dies.ipynb: the notebook's kernel died while running a cell (out of memory, or the "
        "code ended the process)"
    )
    assert servers.launches == [True]
    assert_nothing_left(servers, [servers[0].pid])


def test_a_server_that_fails_to_start_falls_back_quietly(root, servers, monkeypatch, capfd):
    start = kernel_server.KernelServer.__init__

    def dead_on_arrival(self, *args, **kwargs):
        start(self, *args, **kwargs)
        os.kill(self.pid, signal.SIGKILL)

    monkeypatch.setattr(kernel_server.KernelServer, "__init__", dead_on_arrival)
    template = notebook(root / "book" / "plain.ipynb", ["print(6 * 7)"])
    pids: list[int] = []
    with runner.kernel_server([template]) as server:
        assert server is not None
        pids.append(server.pid)
        assert server.command(["python", "-m", "ipykernel_launcher", "-f", "x.json"]) is None
    runner.run_notebooks([job(root, template, "stage")], 120, root, lambda _m: None)
    assert outputs(root.parent / "stage" / "book" / "plain.ipynb")[0][0]["text"] == "42\n"
    out, err = capfd.readouterr()
    assert "ERROR" not in out + err and "Traceback" not in out + err
    assert new_children(servers) == []


def test_the_opt_out_and_other_kernels_use_the_plain_launch(root, monkeypatch):
    template = notebook(root / "book" / "plain.ipynb", ["print(1)"])
    monkeypatch.setenv(kernel_server.OPT_OUT, "0")
    with runner.kernel_server([template]) as server:
        assert server is None
    assert kernel_server.split_kernel_cmd(["python", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert kernel_server.split_kernel_cmd(["R", "--slave", "-f", "k.json"]) is None
    assert kernel_server.split_kernel_cmd(
        ["py", "-X", "a", "-m", "ipykernel_launcher", "-f", "k.json", "--x=1"]
    ) == (["py", "-X", "a"], ["-f", "k.json", "--x=1"])


def test_interrupts_reach_the_kernel_and_a_killed_client_takes_it_down(root):
    """The provisioner signals the client's process group; the client forwards SIGINT to the
    forked kernel, and when the client is killed outright the server kills the kernel."""
    template = notebook(root / "book" / "t.ipynb", ["import time"])

    async def cycle(manager: runner.LocalKernelManager, server) -> tuple[str, int]:
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=120)
        (kernel,) = psutil.Process(server.pid).children()
        client.execute("import time; time.sleep(60)")
        await asyncio.sleep(1.0)
        await manager.interrupt_kernel()
        while True:
            reply = await client.get_shell_msg(timeout=60)
            if reply["msg_type"] == "execute_reply":
                break
        manager.provisioner.process.kill()  # the client only
        client.stop_channels()
        return reply["content"].get("ename", ""), kernel.pid

    def in_a_thread(folder: str, server) -> tuple[str, int]:
        # in a thread of its own (as run_notebooks' workers; another test may hold a loop)
        runner._LAUNCH.folder, runner._LAUNCH.server = folder, server
        return asyncio.run(cycle(manager, server))

    manager = runner.LocalKernelManager(kernel_name="python3")
    with tempfile.TemporaryDirectory() as folder, runner.kernel_server([template]) as server:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            ename, kernel = pool.submit(in_a_thread, folder, server).result()
        assert ename == "KeyboardInterrupt"
        deadline = time.monotonic() + 30
        while psutil.pid_exists(kernel) and psutil.Process(kernel).status() != "zombie":
            assert time.monotonic() < deadline, "the kernel outlived its client"
            time.sleep(0.1)
        manager.provisioner.process.wait()
