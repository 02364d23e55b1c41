"""`deferral.signals_deferred` answers each signal that came in its block once, by the handler it found, and puts
every handler it found back: also where a signal comes as it puts them back, and where one it answers raises. A
KeyboardInterrupt from a handler it had put back stopped the others from being (its own stayed installed), and lost
the signals it had deferred; one deferred SIGINT lost a deferred SIGTERM."""

import gc
import itertools
import signal
import sys

import pytest

from jaxart import deferral


@pytest.fixture
def log():
    """Each of STOPS answered by a handler that logs it; SIGINT's raises a KeyboardInterrupt, as Python's does."""
    answered = []

    def handler(signum, frame):
        answered.append(signal.Signals(signum).name)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt

    previous = {s: signal.signal(s, handler) for s in deferral.STOPS}
    yield answered
    for s, h in previous.items():
        signal.signal(s, h)


def _sigterm_in_a_block_and_a_sigint_at(k: int, fired: list) -> None:
    """A SIGTERM raised in a `signals_deferred` block; then, once its body has ended, a SIGINT at the k-th point (from
    0) in deferral's code where Python may answer it: a line starting, or a function returning."""
    ended, points = [], itertools.count()

    def trace(frame, event, arg):
        here = event in ("line", "return") and frame.f_code.co_filename == deferral.__file__
        if here and ended and not fired and next(points) == k:
            fired.append(f"{frame.f_code.co_name} line {frame.f_lineno} ({event})")
            signal.raise_signal(signal.SIGINT)  # its handler (or signals_deferred's) runs before this returns
        return trace

    gc.disable()  # a collection's callbacks (hypothesis registers one) would be traced too, and swallow the signal
    sys.settrace(trace)
    try:
        with deferral.signals_deferred():
            signal.raise_signal(signal.SIGTERM)
            ended.append(True)
    finally:
        sys.settrace(None)
        gc.enable()


def test_a_signal_as_the_block_ends_leaves_the_handlers_found_and_each_signal_answered_once(log):
    handlers = {s: signal.getsignal(s) for s in deferral.STOPS}
    for k in itertools.count():
        log.clear()
        fired = []
        try:
            _sigterm_in_a_block_and_a_sigint_at(k, fired)
            raised = False
        except KeyboardInterrupt:
            raised = True
        left = [signal.Signals(s).name for s, h in handlers.items() if signal.getsignal(s) is not h]
        for s, h in handlers.items():
            signal.signal(s, h)
        assert not left, f"a SIGINT at {fired[0]} left signals_deferred's handler of {left}"
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []).isdisjoint(deferral.STOPS), f"blocked after {fired}"
        assert raised == bool(fired), f"a SIGINT at {fired} raised {raised}"
        if not fired:
            break
        assert sorted(log) == ["SIGINT", "SIGTERM"], f"a SIGINT at {fired[0]}: answered {log}"
    assert log == ["SIGTERM"]
    assert k > 8  # points in putting the handlers back, not only before


def test_a_deferred_signal_whose_handler_raises_leaves_the_others_answered(log):
    with pytest.raises(KeyboardInterrupt):
        with deferral.signals_deferred():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGINT)
            log.append("the block")
    assert sorted(log) == ["SIGINT", "SIGTERM", "the block"] and log[0] == "the block"
