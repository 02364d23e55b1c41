"""A Ctrl-C as a command takes its output's lock leaves no lock file: the signal is answered once the lock is
registered for release (a fresh-clone run of test_bad_input_ctrl_c's Ctrl-C at 1.6 s left `.o.lock` behind)."""

import signal

import pytest

from jaxart import locks

from conftest import run_main, stylize_argv, write_tiny_job

# What each command says it has not written yet: a sweep's said "no image".
_WRITES = {"stylize": "image", "sweep": "tiles, sheet"}


def _interrupt_as_the_lock_is_taken(monkeypatch):
    """Raise SIGINT just after `locks.writing` has taken the lock (its file made), before its release is set up:
    where a KeyboardInterrupt raised there skipped the release."""
    acquire = locks._acquire
    fired = []

    def acquire_then_a_signal(path, *args, **kwargs):
        fd = acquire(path, *args, **kwargs)
        if not fired:
            fired.append(path)
            signal.raise_signal(signal.SIGINT)
            for _ in range(3):  # Python calls: the handler runs at the next check
                (lambda: None)()
        return fd

    monkeypatch.setattr(locks, "_acquire", acquire_then_a_signal)
    return fired


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_ctrl_c_as_the_output_lock_is_taken_leaves_no_lock_file(command, tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    argv = stylize_argv((d, model), out_dir / "o.png")
    argv[0] = command
    fired = _interrupt_as_the_lock_is_taken(monkeypatch)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert fired, "the lock was never taken"
    assert (code, err) == (130, f"interrupted before the run began; no {_WRITES[command]} or checkpoint was "
                                "written"), err
    assert sorted(p.name for p in out_dir.iterdir()) == []


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_ctrl_c_as_another_runs_lock_is_found_ends_the_command_as_interrupted(command, tmp_path, monkeypatch, capsys):
    """The CLI deferred the signals around the lock its own way, answering none where the block raised: a Ctrl-C as
    the lock was found taken was lost, and the command ended in exit 2 saying another run writes the output."""
    d, model = write_tiny_job(tmp_path)
    argv = stylize_argv((d, model), tmp_path / "o.png")
    argv[0] = command

    def taken(path, *args, **kwargs):
        signal.raise_signal(signal.SIGINT)
        raise BlockingIOError

    monkeypatch.setattr(locks, "_acquire", taken)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert (code, err) == (130, f"interrupted before the run began; no {_WRITES[command]} or checkpoint was "
                                "written"), err
