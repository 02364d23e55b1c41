"""The library's locks leave no file behind when a signal arrives as one is taken: it is answered once the lock's
release is registered (a KeyboardInterrupt right after `locks._acquire` left `.o.lock`, a `.NAME.lock` or a weights
write's `.tmp` in the user's folder, whoever called it), and it is not lost."""

import contextlib
import gc
import inspect
import itertools
import os
import signal
import sys
import threading
import time

import pytest

from jaxart import deferral, locks
from jaxart.weights import folder, staging


def _signal_as_the_lock_is_taken(monkeypatch, signum=signal.SIGINT):
    """Raise `signum` just after `locks._acquire` has made and locked the file, before its release is set up;
    returns what the handler had done by then, once the signal was raised."""
    acquire, fired = locks._acquire, []

    def acquire_then_a_signal(path, *args, **kwargs):
        fd = acquire(path, *args, **kwargs)
        if not fired:
            fired.append(path)
            signal.raise_signal(signum)
            for _ in range(3):  # Python calls: the handler runs at the next check
                (lambda: None)()
        return fd

    monkeypatch.setattr(locks, "_acquire", acquire_then_a_signal)
    return fired


TAKES = {
    "hold": lambda folder: locks.hold(folder / ".x.lock").__enter__(),
    "writing": lambda folder: locks.writing(folder / "new" / "o.png").__enter__(),  # makes the folder `new` too
    "staging.place": lambda folder: staging.place([b"weights"], folder / "w.safetensors"),
}


@pytest.mark.parametrize("take", TAKES)
def test_ctrl_c_as_a_lock_is_taken_is_raised_and_leaves_no_file(take, tmp_path, monkeypatch):
    fired = _signal_as_the_lock_is_taken(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        TAKES[take](tmp_path)
    assert fired, "the lock was never taken"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_ctrl_c_as_a_weights_write_registers_its_temporary_leaves_no_file_while_it_is_raised(tmp_path, monkeypatch):
    """Just before the write's ExitStack registers the temporary's release: where `held.enter_context(hold(...))`
    had it registered, the temporary was removed only once the KeyboardInterrupt was dropped (a notebook keeps the
    last one), which closed the generator, unless a `signals_deferred` block was around it (now `locks.take`)."""
    callback = contextlib.ExitStack.callback

    def a_signal_then_callback(self, fn, *args, **kwargs):
        if fn is locks._release:
            monkeypatch.setattr(contextlib.ExitStack, "callback", callback)
            signal.raise_signal(signal.SIGINT)
            for _ in range(3):  # Python calls: the handler runs at the next check
                (lambda: None)()
        return callback(self, fn, *args, **kwargs)

    monkeypatch.setattr(contextlib.ExitStack, "callback", a_signal_then_callback)
    try:
        staging.place([b"weights"], tmp_path / "w.safetensors")
        pytest.fail("the Ctrl-C was lost")
    except KeyboardInterrupt:
        assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert contextlib.ExitStack.callback is callback, "no release was registered"


def test_a_signal_as_a_lock_is_taken_is_answered_by_the_callers_handler_once_the_lock_is(tmp_path, monkeypatch):
    acquire, log = locks._acquire, []

    def acquire_then_sigterm(path, *args, **kwargs):
        fd = acquire(path, *args, **kwargs)
        signal.raise_signal(signal.SIGTERM)
        for _ in range(3):  # Python calls: the handler runs at the next check
            (lambda: None)()
        log.append("taken")
        return fd

    def handler(signum, frame):
        log.append(signal.Signals(signum).name)

    monkeypatch.setattr(locks, "_acquire", acquire_then_sigterm)
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with locks.hold(tmp_path / ".x.lock"):
            log.append("the block")
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert log == ["taken", "SIGTERM", "the block"]  # neither lost nor answered twice, and after the lock was taken
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_ctrl_c_while_waiting_for_another_holder_stops_the_wait_at_once(tmp_path):
    """The signals are deferred only while the file is made and locked: not while another process holds it."""
    lock = tmp_path / ".x.lock"
    other = locks._acquire(lock)  # another open file: the kernel's flock sees another holder
    threading.Timer(0.2, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()
    letting_go = threading.Timer(5, locks._release, (other, lock))  # so that a wait that is not stopped ends
    letting_go.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            with locks.hold(lock):
                pytest.fail("took the lock another holds")
    finally:
        letting_go.cancel()
    assert time.monotonic() - started < 4, "the Ctrl-C waited until the other holder let go"
    assert lock.exists()  # the other holder's, untouched
    locks._release(other, lock)


def test_a_lock_taken_in_another_thread_is_let_go_and_leaves_the_main_threads_handlers(tmp_path):
    handlers = {s: signal.getsignal(s) for s in deferral.STOPS}
    done = []

    def take():
        with locks.hold(tmp_path / ".x.lock"), locks.writing(tmp_path / "o.png"):
            done.append(sorted(p.name for p in tmp_path.iterdir()))

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(10)
    assert done == [[".o.lock", ".x.lock"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert {s: signal.getsignal(s) for s in deferral.STOPS} == handlers


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    return tmp_path


def _enter_with_ctrl_c_at(taking, k: int, fired: list, watch):
    """`taking.__enter__()`, with SIGINT raised at the k-th point (from 0) where Python may answer it: a line
    starting in any function it runs, or one of them returning (where the call that made it ends). Not as a
    generator yields: Python answers no signal between the yield and the `next` that resumed it returning. Nor
    as `taking.__enter__` itself returns: there every @contextmanager leaves its generator to be collected."""
    points, here = itertools.count(), sys._getframe()

    def trace(frame, event, arg):
        point = event == "line" or event == "return" and not frame.f_code.co_flags & inspect.CO_GENERATOR
        if point and frame.f_back is not here and not fired and next(points) == k:
            fired.append((f"{frame.f_code.co_name} line {frame.f_lineno} ({event})", watch.exists()))
            signal.raise_signal(signal.SIGINT)  # its handler (or signals_deferred's) runs before this returns
        return trace

    gc.disable()  # a collection's callbacks (hypothesis registers one) would be traced too, and swallow the signal
    sys.settrace(trace)  # the functions called from here on: not this one
    try:
        return taking.__enter__()
    finally:
        sys.settrace(None)
        gc.enable()


def test_ctrl_c_anywhere_as_a_weights_name_is_locked_leaves_no_lock_file_while_it_is_raised(weights_dir):
    """`folder.lock` entered `hold` into its ExitStack: a Ctrl-C from `hold`'s yield to the stack registering its
    exit left `.test.lock` until the KeyboardInterrupt was dropped (a notebook keeps the last one); so would a plain
    `with hold(...)`, whose `__enter__` runs on after the generator yields."""
    handlers, with_the_file = {s: signal.getsignal(s) for s in deferral.STOPS}, 0
    for k in itertools.count():
        taking, fired = folder.lock("test"), []
        try:
            _enter_with_ctrl_c_at(taking, k, fired, weights_dir / ".test.lock")
        except KeyboardInterrupt:
            assert sorted(p.name for p in weights_dir.iterdir()) == [], f"a Ctrl-C at {fired}"
            with_the_file += fired[0][1]
            continue
        finally:
            left = {s: h for s, h in handlers.items() if signal.getsignal(s) is not h}
            for s, handler in handlers.items():
                signal.signal(s, handler)
            assert not left, f"a Ctrl-C at {fired} left handlers {left} (in signals_deferred's own exit?)"
        break
    assert not fired, f"the Ctrl-C at {fired} was lost"
    assert [p.name for p in weights_dir.iterdir()] == [".test.lock"]
    taking.__exit__(None, None, None)
    assert with_the_file > 10  # Ctrl-Cs came with the lock file there, not only before it was made


def test_ctrl_c_while_a_weights_name_waits_for_another_fetch_stops_the_wait_at_once(weights_dir):
    other = locks._acquire(weights_dir / ".test.lock")  # another fetch of it, in progress
    threading.Timer(0.2, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()
    letting_go = threading.Timer(5, locks._release, (other, weights_dir / ".test.lock"))  # a wait not stopped ends
    letting_go.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            with folder.lock("test"):
                pytest.fail("took the lock another fetch holds")
    finally:
        letting_go.cancel()
    assert time.monotonic() - started < 4, "the Ctrl-C waited until the other fetch let go"
    assert [p.name for p in weights_dir.iterdir()] == [".test.lock"]  # the other fetch's, untouched
    threading.Timer(0.2, locks._release, (other, weights_dir / ".test.lock")).start()
    with folder.lock("test"):  # and without one, the wait ends as the other fetch lets go
        assert [p.name for p in weights_dir.iterdir()] == [".test.lock"]
    assert list(weights_dir.iterdir()) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists descriptors through /proc")
def test_ctrl_c_as_a_wait_opens_the_other_holders_lock_file_leaves_no_descriptor_of_it(tmp_path):
    """Raised where the call that opens it returns, as Python answers a signal that came during the call."""
    lock = tmp_path / ".x.lock"
    lock.touch()
    fired = []

    def ctrl_c_as_the_first_call_returns(frame, event, arg):
        if event == "c_return" and frame.f_code is locks._wait_for.__code__ and not fired:
            fired.append(arg)
            raise KeyboardInterrupt

    sys.setprofile(ctrl_c_as_the_first_call_returns)
    try:
        locks._wait_for(lock)
        pytest.fail("the Ctrl-C was lost")
    except KeyboardInterrupt:
        pass
    finally:
        sys.setprofile(None)
    assert fired, "nothing was opened"
    opened = [n for n in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{n}") == str(lock)]
    assert opened == [], f"{fired[0].__name__} left descriptor {opened[0]} of {lock} open"
