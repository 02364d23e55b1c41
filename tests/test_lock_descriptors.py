"""A Ctrl-C as `locks.busy` or `locks.on_folder` opens its lock file or folder leaves no descriptor of it open: both
opened it before the `try` that closes it, and a KeyboardInterrupt raised as `os.open` returned (where Python answers
a signal that came during the call) left the descriptor open for as long as the process ran."""

import io
import os
import signal
import sys

import pytest

from jaxart import locks

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists descriptors through /proc")


def _opened(path) -> list[int]:
    """This process's descriptors of `path`."""
    return [int(n) for n in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{n}") == str(path)]


OPENS = {
    "busy": (lambda d: locks.busy(d / ".x.lock"), locks.busy.__code__, ".x.lock"),
    "on_folder": (lambda d: locks.on_folder(d, shared=True).__enter__(), locks.on_folder.__wrapped__.__code__, ""),
}


@pytest.mark.parametrize("opens", OPENS)
def test_ctrl_c_as_the_lock_is_opened_leaves_no_descriptor_of_it_while_it_is_raised(opens, tmp_path):
    call, code, name = OPENS[opens]
    (tmp_path / ".x.lock").touch()  # busy's: another process's lock file, which it opens to try
    path, fired = tmp_path / name if name else tmp_path, []

    def sigint_as_it_is_opened(frame, event, arg):
        if event == "c_return" and frame.f_code is code and arg in (os.open, io.open) and not fired:
            fired.append(arg.__name__)
            signal.raise_signal(signal.SIGINT)  # its handler (or signals_deferred's) runs before this returns

    sys.setprofile(sigint_as_it_is_opened)
    try:
        call(tmp_path)
        pytest.fail("the Ctrl-C was lost")
    except KeyboardInterrupt:
        opened = _opened(path)
    finally:
        sys.setprofile(None)
    for fd in opened:  # not to leave them to the tests after this one
        os.close(fd)
    assert fired, "nothing was opened"
    assert opened == [], f"{fired[0]} left descriptor {opened[0]} of {path} open"


def test_without_a_signal_the_folder_is_held_open_until_the_block_ends(tmp_path):
    with locks.on_folder(tmp_path, shared=False):
        assert len(_opened(tmp_path)) == 1
    assert _opened(tmp_path) == []
