"""SIGTERM, SIGHUP and Ctrl-C while weights convert or download (from test_signals.py, whose fresh-process hooks
these use): one true line, exit 128 + the signal, no stray or empty file."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import time

import pytest

from conftest import run_main
from test_signals import _cli, _process


def test_sigterm_while_weights_convert_writes_leaves_no_temporary_file(tmp_path):
    """The half-written `.mine.safetensors.*.tmp` stayed in the weights folder, hidden, once per SIGTERM."""
    from test_weights import layer_arrays, write_h5

    source = tmp_path / "vgg16.h5"
    write_h5(source, layer_arrays("vgg16"), "keras2", compression="gzip")
    (tmp_path / "weights").mkdir()
    done = _cli(["weights", "convert", str(source), "--name", "mine"], tmp_path,
                after_import="_kill_in('jaxart.weights.staging', 'place_if_free')")
    assert done.returncode == 143 and done.stderr == "error: interrupted by SIGTERM\n", (done.returncode, done.stderr)
    assert list((tmp_path / "weights").iterdir()) == []


def test_a_ctrl_c_python_dropped_while_weights_convert_worked_says_the_weights_are_installed(tmp_path, monkeypatch,
                                                                                            capsys):
    """Ctrl-C while `import torch` initialises its native module reaches Python in JAX's gc callback, which
    drops what it raises (1 in 3 interrupted .pth conversions): the conversion went on and installed the
    weights, then said only "error: interrupted", and converting again was refused as already installed."""
    from jaxart_cli import signals as cli_signals
    from test_weights import layer_arrays, write_h5

    from jaxart.weights import layouts

    source = tmp_path / "vgg16.h5"
    write_h5(source, layer_arrays("vgg16"), "keras2", compression="gzip")
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    read = layouts.read

    def read_after_a_dropped_ctrl_c(*args, **kwargs):
        def callback(phase, info):
            cli_signals.on_sigint(signal.SIGINT, sys._getframe())

        gc.callbacks.append(callback)
        try:
            gc.collect()
        finally:
            gc.callbacks.remove(callback)
        return read(*args, **kwargs)

    monkeypatch.setattr(layouts, "read", read_after_a_dropped_ctrl_c)
    code, out, err = run_main(["weights", "convert", str(source), "--name", "mine"], monkeypatch, capsys)
    installed = tmp_path / "weights" / "mine.safetensors"
    assert code == 130 and installed.is_file() and out.strip() == str(installed), (code, out)
    assert err == "error: interrupted as the command finished; it completed all the same", err


@pytest.mark.parametrize("mode, signum", [("pause", signal.SIGHUP), ("hold", signal.SIGTERM)])
def test_a_signal_during_weights_fetch_names_it_and_keeps_only_a_partial_with_bytes(mode, signum, tmp_path):
    """The line said "interrupted; the N bytes ... are kept" for a SIGTERM or SIGHUP too (only the exit code told);
    one before the first byte left an empty hidden `.test.partial` that the next fetch "resumed" from 0."""
    from test_download import Server

    body = bytes(range(256)) * 400
    server = Server(body, [mode])  # "pause": half the file, then nothing; "hold": the headers, then nothing
    register = ("from jaxart.weights import registry\nregistry.SOURCES['test'] = registry.Source(name='test', "
                f"arch='vgg16', format='keras-h5', url={server.url!r}, size={len(body)}, "
                "checksum='sha256:' + '0' * 64, preprocess=registry.PREPROCESS['keras-h5'], description='synthetic')")
    partial = tmp_path / "weights" / ".test.partial"
    try:
        with subprocess.Popen(**_process(["weights", "fetch", "test"], tmp_path, after_import=register)) as proc:
            deadline = time.monotonic() + 60
            begun = lambda: partial.is_file() and (partial.stat().st_size or mode == "hold")
            while not begun() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            server.paused.wait(10)
            proc.send_signal(signum)
            _, err = proc.communicate(timeout=60)
    finally:
        server.close()
    name = signal.Signals(signum).name
    assert proc.returncode == 128 + signum, (proc.returncode, err)
    if mode == "hold":
        assert err.splitlines()[-1] == f"error: interrupted by {name}" and not partial.exists(), err
    else:
        kept = partial.stat().st_size
        assert 0 < kept < len(body), kept
        assert err.splitlines()[-1].startswith(f"interrupted by {name}; the {kept:,} bytes of test downloaded so far "
                                               f"are kept in {partial}: fetching again resumes there"), err
