"""Bad options and a hostile environment (Ctrl-C, a full disk, odd files): one line on stderr, no stray file."""

import errno
import gc
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from jaxart import checkpoint

from conftest import ROOT, run_main, write_tiny_job, stylize_argv as _stylize


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("bad"))


def _main(argv, monkeypatch, capsys) -> tuple[int, str]:
    """Run the CLI as a process would: (exit code, stderr)."""
    code, _, err = run_main(argv, monkeypatch, capsys)
    return code, err


def test_sweep_refuses_empty_items_and_writing_over_an_input(files, tmp_path, monkeypatch, capsys):
    d, model = files
    sweep = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32", "--steps", "1"]
    code, err = _main([*sweep, "-o", str(tmp_path / "s.png"), "--style-weight", "1,,2"], monkeypatch, capsys)
    assert code == 2 and "--style-weight: '1,,2' has an empty item" in err, err
    before = (d / "paint.png").read_bytes()
    code, err = _main([*sweep, "-o", str(d / "paint.png"), "--overwrite"], monkeypatch, capsys)
    assert code == 2 and "is one of the inputs" in err and (d / "paint.png").read_bytes() == before, err
    assert not list(tmp_path.iterdir())


def test_sweep_refuses_a_sheet_of_no_columns_before_any_run(files, tmp_path, monkeypatch, capsys):
    d, model = files
    code, err = _main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32", "--steps",
                       "1", "-o", str(tmp_path / "s.png"), "--columns", "0"], monkeypatch, capsys)
    assert code == 2 and err == "error: Invalid value for --columns: must be 1 or more", err
    assert not list(tmp_path.iterdir())


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


def test_a_folder_where_a_checkpoint_goes_gives_one_line(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    checkpoint.path_for(out).mkdir()
    code, err = _main(_stylize(files, out, "--checkpoint-every", "1"), monkeypatch, capsys)
    assert code == 2 and err == (f"error: a folder, {checkpoint.path_for(out)}, is where this run keeps its "
                                 "checkpoint; move that folder away or choose another --output"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ckpt.npz"]  # before the run: no image
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ckpt.npz"]


def test_an_edited_checkpoint_missing_what_resume_reads_is_refused(files, tmp_path, monkeypatch, capsys):
    path = checkpoint.save(tmp_path / "c.ckpt.npz", {"x": np.zeros(2)}, {"jaxart": "any", "output": "o.png"})
    code, err = _main(["stylize", "--resume", str(path)], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "checkpoint lacks weights_sha256, model, config, inputs, format, step" in err
    code, err = _main(["stylize", "--resume", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and f"checkpoint {tmp_path} is not a file" in err


@pytest.mark.parametrize("field, value", [("model", 5), ("output", 7), ("format", "jpeg"), ("config", "hello"),
                                          ("inputs.content", 123), ("inputs.styles", "/a/path"),
                                          ("inputs.background", 5), ("step", "3")])
def test_an_edited_checkpoint_with_a_field_of_the_wrong_type_is_refused(field, value, tmp_path, monkeypatch, capsys):
    meta = {"jaxart": "any", "weights_sha256": "0", "model": "m", "config": {}, "output": "o.png", "format": "png",
            "step": 1, "inputs": {"content": "c.jpg", "styles": ["s.jpg"], "background": [255, 255, 255]}}
    where, _, key = field.rpartition(".")
    (meta[where] if where else meta)[key] = value
    path = checkpoint.save(tmp_path / "c.ckpt.npz", {"x": np.zeros(2)}, meta)
    code, err = _main(["stylize", "--resume", str(path)], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"checkpoint field {field} has the wrong type or value; it was edited or damaged" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.ckpt.npz"]


def test_a_corrupt_weights_file_is_bad_input(files, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(open(files[1], "rb").read()[:1000])
    code, err = _main(_stylize(files, tmp_path / "out.png", "--model", str(bad)), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "is not a readable safetensors file" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.safetensors"]


def test_info_on_a_fifo_does_not_hang(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "pipe.png")
    code, err = _main(["info", str(tmp_path / "pipe.png")], monkeypatch, capsys)
    assert code == 2 and "could not be read (not a file)" in err


def test_an_unknown_jax_platform_gives_one_line(files, tmp_path):
    env = {**os.environ, "JAX_PLATFORMS": "garbage"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *_stylize(files, tmp_path / "o.png")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "Unable to initialize backend 'garbage'" in proc.stderr and "JAX_PLATFORMS" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_ctrl_c_python_would_drop_is_recorded_and_ends_the_command(files, tmp_path, monkeypatch, capsys):
    """Python ignores an exception raised in a gc callback (JAX registers one, so Ctrl-C lands there
    during compilation): the handler records it instead, and the command stops at its next check."""
    __import__("cli")  # loaded first: a recorded Ctrl-C while it loads exits at once
    from jaxart_cli import signals as cli_signals

    monkeypatch.setattr(cli_signals, "SIGINTS", [])
    raised = []

    def collecting(phase, info):
        try:
            cli_signals.on_sigint(signal.SIGINT, sys._getframe())
        except KeyboardInterrupt:
            raised.append(phase)

    gc.callbacks.append(collecting)
    try:
        collecting("start", {})
    finally:
        gc.callbacks.remove(collecting)
    assert raised == [] and cli_signals.SIGINTS == [signal.SIGINT]
    import weakref  # a weakref callback drops it as well ("Exception ignored in: ...remove"; 1 Ctrl-C in 37)

    class Anything:
        pass

    thing = Anything()
    weakref.finalize(thing, collecting, "weakref", {})()  # called from weakref.py, as its callbacks are
    assert raised == [] and cli_signals.SIGINTS == [signal.SIGINT] * 2
    with pytest.raises(KeyboardInterrupt):  # anywhere else it interrupts at once
        cli_signals.on_sigint(signal.SIGINT, sys._getframe())
    out = tmp_path / "out.png"
    code, err = _main(_stylize(files, out), monkeypatch, capsys)
    assert code == 130 and err == "error: interrupted" and not out.exists()
    assert cli_signals.SIGINTS == []  # once left there, it ended every later command in the process


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_ctrl_c_at_any_moment_gives_one_line_and_exit_130(delay, files, tmp_path):
    """Early: while the libraries load or compile (nothing written); later: the run's checkpoint."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *_stylize(files, tmp_path / "o.png"),
                             "--steps", "100000"], stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and len(err.splitlines()) == 1, err
    written = sorted(p.name for p in tmp_path.iterdir())
    if err == "error: interrupted\n":
        assert written == []
    else:
        assert err.startswith("interrupted by SIGINT at step") and written == ["o.ckpt.npz", "o.png"], err


def test_weights_convert_keeps_an_installed_set_and_list_skips_a_folder(files, tmp_path, monkeypatch, capsys):
    from jaxart import weights

    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    installed = weights.store.save({}, tmp_path / "mine.safetensors", arch="vgg19",
                                   preprocess=weights.load_weights(files[1]).preprocess)
    before = installed.read_bytes()
    code, err = _main(["weights", "convert", files[1], "--name", "mine"], monkeypatch, capsys)
    assert code == 2 and "'mine' is already installed; choose another --name" in err and installed.read_bytes() == before
    (tmp_path / "odd.safetensors").mkdir()
    code, err = _main(["weights", "list"], monkeypatch, capsys)
    assert code == 0 and weights.installed() == ["mine"], err


def test_sweep_sheet_must_be_a_png(files, tmp_path, monkeypatch, capsys):
    d, model = files
    code, err = _main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "s.jpg")],
                      monkeypatch, capsys)
    # sweep's --format sets the single images' format, never the sheet's: the line says which it is
    assert code == 2 and "give an --output ending in .png" in err and "--format sets the single images'" in err, err


@pytest.mark.parametrize("url", ["notaurl", "", "ftp://mirror/vgg19.h5"])
def test_a_mirror_that_is_not_a_url_is_one_line_before_any_download(url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    code, err = _main(["weights", "fetch", "vgg19", "--url", url], monkeypatch, capsys)
    assert code == 2 and err == f"error: Invalid value for --url: {url!r} is not an http(s):// or file:// URL", err
    assert not list(tmp_path.iterdir())  # no progress bar line, no partial file


@pytest.mark.parametrize("url", ["notaurl", "ftp://mirror/vgg19.h5", "http://[::1"])
def test_a_mirror_in_the_environment_that_is_not_a_url_is_bad_input_as_with_url(url, tmp_path, monkeypatch, capsys):
    """--url ftp://... exited 2, the same URL in JAXART_WEIGHTS_URL_VGG19 exited 1 after trying it."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setenv("JAXART_WEIGHTS_URL_VGG19", url)
    code, err = _main(["weights", "fetch", "vgg19"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"JAXART_WEIGHTS_URL_VGG19 is {url!r}, not an http(s):// or file:// URL" in err and "unset it" in err, err
    assert not list(tmp_path.iterdir())


def test_a_weights_folder_that_is_a_file_is_one_line(files, tmp_path, monkeypatch, capsys):
    """--model auto falls back from vgg19 to vgg16-hed; when both fail for the same reason, one line."""
    (tmp_path / "weights").write_text("not a folder")
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    argv = _stylize(files, tmp_path / "out.png")
    code, err = _main(argv[:argv.index("--model")] + argv[argv.index("--model") + 2:], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "set JAXART_WEIGHTS_DIR to a writable folder" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights"]


@pytest.mark.parametrize("url", [[], ["--url", "http://127.0.0.1:9/vgg19.h5"]])
def test_fetch_into_a_weights_folder_that_is_a_file_is_one_line_and_no_bar(url, tmp_path, monkeypatch, capsys):
    (tmp_path / "weights").write_text("not a folder")
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    code, err = _main(["weights", "fetch", "vgg19", *url], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "set JAXART_WEIGHTS_DIR to a writable folder" in err, err


def test_ctrl_c_once_the_command_is_done_does_not_break_its_exit():
    """In JAX's teardown a Ctrl-C killed a finished run (exit -2) or printed an atexit traceback."""
    code = ("import os, signal, cli; cli.main = lambda: None; cli.entry(); "
            "os.kill(os.getpid(), signal.SIGINT); os.kill(os.getpid(), signal.SIGTERM); print('exited cleanly')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "exited cleanly\n" and not done.stderr, done.stderr


def test_a_checkpoint_with_a_null_background_resumes_on_white():
    from jaxart import __version__, image, resume

    meta = {"jaxart": __version__, "weights_sha256": "0", "model": "m", "config": {}, "output": "o.png",
            "format": "png", "step": 1,  # null passes the field check, and was a traceback here
            "inputs": {"content": "c.jpg", "styles": ["s.jpg"], "background": None}}
    assert resume.from_checkpoint(checkpoint.Checkpoint(meta, []))[4] == image.WHITE


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


def test_ctrl_c_while_the_inputs_load_is_one_line_and_exit_130(files, tmp_path, monkeypatch, capsys):
    """Before the run's own handler is up, click turns a KeyboardInterrupt into Abort: still 130, as a shell expects."""
    from jaxart import job

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(job, "load_inputs", interrupted)
    code, err = _main(_stylize(files, tmp_path / "out.png"), monkeypatch, capsys)
    assert code == 130 and err.strip() == "error: interrupted", err
    assert list(tmp_path.iterdir()) == []
