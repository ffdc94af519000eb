"""`twitchtopics` as a program (`main`): exit codes, flushed output, exit handlers that run,
and no interpreter teardown (`cli.leave`)."""

from __future__ import annotations

import subprocess
import sys

RUN = r"""
import atexit, sys
from twitchtopics.cli import main
atexit.register(lambda: print("handler ran", file=sys.stderr))
print("x" * 200000, end="")  # a large unflushed output
main(sys.argv[1:])
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=120
    )


def test_main_flushes_output_runs_handlers_and_keeps_exit_codes() -> None:
    ok = _run("--version")
    assert ok.returncode == 0
    assert ok.stdout.startswith("x" * 200000) and "twitchtopics" in ok.stdout
    assert "handler ran" in ok.stderr
    bad = _run("report", "/no/such/bundle")
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr and "handler ran" in bad.stderr
    usage = _run("no-such-command")
    assert usage.returncode == 2


def test_python_dash_m_runs_main() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twitchtopics", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "Usage" in done.stdout
