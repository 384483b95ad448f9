"""How a finished command's process ends (dualstack_aks.cli.exit_quietly): its exit hooks run, its
output is flushed, the interpreter's teardown is skipped, and a signal or a dead node says nothing."""

from __future__ import annotations

import subprocess

from tests.conftest import run_python


def _python(script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run_python(script, *arguments, timeout=30)


EXIT_WITH_A_DEAD_PIPE = """
import atexit, sys
from dualstack_aks.cli import exit_quietly
def stop_node():  # what jsii's atexit hook meets when the SIGTERM to the group killed its node
    raise BrokenPipeError(32, "Broken pipe")
def other_failure():
    raise RuntimeError("still reported")
atexit.register(other_failure if sys.argv[1] == "other" else stop_node)
exit_quietly(0)
"""


def test_a_pipe_to_a_node_that_is_gone_ends_quietly_at_exit():
    quiet = _python(EXIT_WITH_A_DEAD_PIPE, "pipe")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    other = _python(EXIT_WITH_A_DEAD_PIPE, "other")
    assert "RuntimeError: still reported" in other.stderr


# Buffered output, an exit hook, and an object whose finalizer runs only in the interpreter's teardown.
EXIT_AFTER_OUTPUT = """
import atexit, sys, threading, time
from dualstack_aks.cli import exit_quietly
class Torn:
    def __del__(self):
        print("torn down", file=sys.stderr)
kept = Torn()
atexit.register(print, "hook ran", file=sys.stderr)
sys.stdout.write("no newline, still buffered")
if sys.argv[1] == "worker":  # a thread Python waits for at exit
    threading.Thread(target=lambda: (time.sleep(0.3), print("worker done", file=sys.stderr))).start()
exit_quietly(3)
"""


def test_a_finished_command_ends_with_its_output_and_hooks_but_no_teardown():
    ended = _python(EXIT_AFTER_OUTPUT, "alone")
    assert (ended.returncode, ended.stdout, ended.stderr) == (3, "no newline, still buffered", "hook ran\n")


def test_a_thread_python_would_wait_for_gets_the_usual_exit():
    ended = _python(EXIT_AFTER_OUTPUT, "worker")
    assert ended.returncode == 3 and ended.stdout == "no newline, still buffered"
    assert ended.stderr.splitlines() == ["worker done", "hook ran", "torn down"]
