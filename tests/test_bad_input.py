"""A hostile environment (a full disk, no device memory, an unknown JAX platform, JAX_DEBUG_NANS; Ctrl-C at any
moment in test_bad_input_ctrl_c.py) and each kind of failure: its own exit code, one line on stderr, no stray file. Bad
input by kind is in test_bad_input_{paths,records,sweep,weights,bench}.py, XLA_FLAGS that XLA refuses in
test_xla_flags.py."""

import errno
import os
import subprocess
import sys

import numpy as np
import pytest

from jaxart.errors import InputError, Interrupted, NonFiniteLossError, WeightsError

from conftest import ROOT, run_main, write_tiny_job, stylize_argv as _stylize


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("bad"))


def _main(argv, monkeypatch, capsys) -> tuple[int, str]:
    """Run the CLI as a process would: (exit code, stderr)."""
    code, _, err = run_main(argv, monkeypatch, capsys)
    return code, err


def test_a_full_disk_gives_one_line_and_no_partial_file(files, tmp_path, monkeypatch, capsys):
    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    for rename in ("replace", "link"):  # every atomic write (files.replacing) fails at its rename
        monkeypatch.setattr(os, rename, full)
    out = tmp_path / "out.png"
    code, err = _main(_stylize(files, out), monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert f"could not write image {out} (No space left on device); free some space" in err
    assert not list(tmp_path.iterdir()), "the temporary file was left behind"


def test_an_unknown_jax_platform_gives_one_line(files, tmp_path):
    env = {**os.environ, "JAX_PLATFORMS": "garbage"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *_stylize(files, tmp_path / "o.png")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "Unable to initialize backend 'garbage'" in proc.stderr and "JAX_PLATFORMS" in proc.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command, setting, extra", [("stylize", "JAX_DEBUG_NANS", ()), ("sweep", "JAX_DEBUG_INFS", ()),
                                                    ("stylize", "JAX_DEBUG_INFS", ("--linesearch", "zoom"))])
def test_a_run_under_jax_debug_nans_or_infs_writes_its_image(command, setting, extra, files, tmp_path, monkeypatch,
                                                             capsys):
    """The optimizer's NaN and infinite placeholders raised a FloatingPointError under them: every run failed, under
    the settings a user turns on to find where their own NaN comes from; then --linesearch zoom's runs under
    JAX_DEBUG_INFS (optax's zoom line search starts its state at inf).

    In this process, under the setting the variable turns on as JAX loads (jaxart and the CLI read jax.config alone),
    so the programs other tests here compiled serve: a child process took 2 s to load and 3-5 s to compile them."""
    import jax

    debug = jax.debug_nans if setting == "JAX_DEBUG_NANS" else jax.debug_infs
    with debug(True):
        code, err = _main([command, *_stylize(files, tmp_path / "o.png")[1:], *extra], monkeypatch, capsys)
    assert (code, err) == (0, ""), err
    assert (tmp_path / "o.png").stat().st_size > 0


def test_an_infinity_jax_debug_infs_stops_at_is_one_line_saying_to_unset_it(files, tmp_path, monkeypatch, capsys):
    """A step's inf under JAX_DEBUG_INFS (such as the zoom line search's errors where it finds no step) is JAX's
    FloatingPointError: a traceback."""
    import jax

    from jaxart import optimize

    def stops(*args, **kwargs):
        raise FloatingPointError("invalid value (inf) encountered in jit(step)")

    monkeypatch.setattr(optimize, "minimize", stops)
    with jax.debug_infs(True):
        code, err = _main(_stylize(files, tmp_path / "o.png", "--linesearch", "zoom"), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("error: invalid value (inf) encountered in jit(step) under JAX_DEBUG_INFS"), err
    assert "; unset JAX_DEBUG_INFS to run on" in err
    assert not list(tmp_path.iterdir())


def test_weights_holding_nan_are_refused_under_jax_debug_nans_as_without_it(files, tmp_path, monkeypatch, capsys):
    import jax
    from safetensors import safe_open
    from safetensors.numpy import save_file

    d, model = files
    with safe_open(model, "np") as f:
        tensors, metadata = {k: f.get_tensor(k) for k in f.keys()}, f.metadata()
    tensors["conv1_1.kernel"][0, 0, 0, 0] = np.nan
    save_file(tensors, str(tmp_path / "nan.safetensors"), metadata=metadata)
    argv = _stylize((d, str(tmp_path / "nan.safetensors")), tmp_path / "o.png")
    said = []
    for on in (False, True):  # in this process, as the run above: JAX_DEBUG_NANS sets jax_debug_nans as JAX loads
        with jax.debug_nans(on):
            said.append(_main(argv, monkeypatch, capsys))
    assert said == [said[0]] * 2
    assert said[0][0] == 2 and "layer conv1_1 holds NaN or infinite values" in said[0][1], said[0][1]
    assert not (tmp_path / "o.png").exists()


def test_running_out_of_device_memory_is_one_line_and_no_output(files, tmp_path, monkeypatch, capsys):
    import jax

    from jaxart import transfer

    def exhausted(*args, **kwargs):  # as XLA raises it when a buffer cannot be allocated
        raise jax.errors.JaxRuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 3.2GiB.")

    monkeypatch.setattr(transfer, "run", exhausted)
    code, err = _main(_stylize(files, tmp_path / "out.png"), monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert err.startswith("error: out of memory (RESOURCE_EXHAUSTED") and "use a smaller size" in err, err
    assert list(tmp_path.iterdir()) == []


def _raising(error):
    import typer

    app = typer.Typer()

    @app.command()
    def run():
        raise error

    @app.command()
    def other():  # two commands, as jaxart has: `run` is named on the command line
        pass

    return app


@pytest.mark.parametrize("error, code, line", [
    (InputError("photo.png is empty"), 2, "error: photo.png is empty"),
    (ValueError("size must be 16 or more"), 2, "error: size must be 16 or more"),
    (WeightsError("could not download"), 1, "error: could not download"),
    # its settings written as flags, as bad input's: was "pass overwrite=True", a Python keyword no command takes
    (WeightsError("pass overwrite=True", settings=["overwrite"]), 1, "error: pass --overwrite"),
    (NonFiniteLossError("the loss became NaN"), 1, "error: the loss became NaN"),
    (OSError(errno.EIO, "Input/output error", "/disk/out.png"), 1, "error: Input/output error: /disk/out.png"),
    (OSError(errno.ENAMETOOLONG, "File name too long", "/a/b"), 2, "error: /a/b: a name in this path is longer"),
    (KeyboardInterrupt(), 130, "error: interrupted"),
    (EOFError(), 130, "error: interrupted"),  # click makes it an Abort, as it does Ctrl-C at a prompt
    (Interrupted("interrupted; the image is in out.png", 143), 143, "interrupted; the image is in out.png"),
], ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None)
def test_each_kind_of_failure_ends_with_its_exit_code_and_one_line(error, code, line, monkeypatch, capsys):
    """2 for bad input (fix the command line), 1 for a failed run or machine, 128 + N for signal N:
    scripts tell them apart by the code alone."""
    import sys

    from jaxart_cli import errors as cli_errors

    monkeypatch.setattr(sys, "argv", ["jaxart", "run"])
    with pytest.raises(SystemExit) as e:
        cli_errors.run(_raising(error))
    err = capsys.readouterr().err.strip()
    assert e.value.code == code and err.startswith(line) and len(err.splitlines()) == 1, (e.value.code, err)
