"""The commands that need no JAX answer without importing it, each run in a fresh interpreter: every `--help`, usage
errors, `info IMAGE`, `weights list` and `path`, and where only the CPU is there `info --command` and both dry runs;
a command that computes still imports it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import typer.main
from PIL import Image

import cli
from conftest import ROOT, write_tiny_job


_HEAVY = ("jax", "flax", "optax")
# The console entry point on `argv`, in a fresh Python; at its exit, after the command's, which of JAX's loaded.
_ENTRY = ("import atexit, sys\nsys.argv = ['jaxart', *sys.argv[1:]]\natexit.register(lambda: sys.stderr.write("
          "'\\nloaded: ' + ' '.join(m for m in %r if m in sys.modules)))\nimport cli\ncli.entry()" % (_HEAVY,))


def _fresh(argv: list[str], weights) -> tuple[int, str, list[str]]:
    """`jaxart ARGV` run from a fresh interpreter: its exit code, its stdout, and which of jax, flax and optax it
    imported."""
    env = {**os.environ, "JAXART_WEIGHTS_DIR": str(weights), "COLUMNS": "80"}
    p = subprocess.run([sys.executable, "-c", _ENTRY, *argv], capture_output=True, text=True, cwd=ROOT, env=env)
    err, _, loaded = p.stderr.rpartition("\nloaded:")
    return p.returncode, p.stdout + err, loaded.split()


def _every_help() -> list[list[str]]:
    group = typer.main.get_command(cli.app)
    helps = [["--help"]]
    for name, command in group.commands.items():
        helps.append([name, "--help"])
        helps += [[name, sub, "--help"] for sub in getattr(command, "commands", {})]
    return helps


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """A weights folder holding an installed weight set, and a PNG that holds a run record."""
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, _ = write_tiny_job(tmp_path_factory.mktemp("job"))
    (d / "weights").mkdir()
    (d / "tiny.safetensors").rename(d / "weights" / "tiny.safetensors")
    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(), "model": "tiny",
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    halves = np.zeros((30, 40, 3), np.uint8)
    halves[:, 20:] = 255
    Image.fromarray(halves).save(d / "mask.png")  # the photo's shape: black left, white right
    return d


@pytest.mark.parametrize("argv", _every_help(), ids=" ".join)
def test_every_help_answers_without_importing_jax(argv, job):
    """`jaxart --help` took 2.8 s and `jaxart stylize --help` 3.8 s on 2 cores, ~2.3 s of it importing jax, flax and
    optax, which no help needs."""
    code, out, loaded = _fresh(argv, job / "weights")
    assert (code, loaded) == (0, []) and out.startswith("Usage: jaxart"), out


@pytest.mark.parametrize("argv, code, says", [
    (["info", "{job}/out.png"], 0, '"model": "tiny"'),
    (["weights", "list"], 0, "tiny "),
    (["weights", "path", "tiny"], 0, "{job}/weights/tiny.safetensors"),
    (["stylize", "{job}/photo.jpg", "{job}/paint.png", "--sizee", "32"], 2, "has no option --sizee"),
    (["weights", "path", "nonesuch"], 2, "unknown model 'nonesuch'"),
], ids=["info", "weights list", "weights path", "misspelt flag", "unknown weights"])
def test_commands_that_need_no_jax_answer_without_importing_it(argv, code, says, job):
    """A run record read, the weights folder listed, a usage error: each waited ~2.3 s for JAX before answering."""
    got, out, loaded = _fresh([a.format(job=job) for a in argv], job / "weights")
    assert (got, loaded) == (code, []) and says.format(job=job) in out, out


_MASKED = ["--mask", "{job}/mask.png", "--region-style", "black={job}/paint.png", "--region-style", "white=photo"]


@pytest.mark.parametrize("argv, says", [
    (["stylize", "{job}/photo.jpg", "--model", "tiny", "--scales", "32,48", "--steps", "2", *_MASKED,
      "--init", "{job}/paint.png", "-o", "{job}/dry.png"], "dry run: 48x36 px, 4 steps (32 px then 48 px), about "),
    (["stylize", "{job}/photo.jpg", "{job}/paint.png", "--size", "32", "--steps", "20", "--save-every", "5",
      "--checkpoint-every", "5", "--animate", "{job}/dry.gif", "-o", "{job}/dry.png"], "dry run: 32x24 px, 20 steps"),
    (["sweep", "{job}/photo.jpg", "{job}/paint.png", "--model", "tiny", "--size", "32", "--steps", "2",
      "--style-weight", "1,10", "--seed", "1,2", "--init", "random", "-o", "{job}/grid.png"],
     "dry run: 4 settings, 32 px, 2 steps, about "),
    (["sweep", "{job}/photo.jpg", "--model", "tiny", "--scales", "32,48", "--steps", "2", "--style-scale", "0.5,1",
      *_MASKED, "--init", "{job}/paint.png", "-o", "{job}/grid.png"], "dry run: 2 settings, 48 px, 4 steps, about "),
], ids=["stylize masked scales init", "stylize frames checkpoint animation", "sweep seeds", "sweep masked scales"])
def test_a_dry_run_answers_without_importing_jax_where_only_the_cpu_is_there(argv, says, job):
    """`stylize --dry-run` took 1.9-2.7 s and `sweep --dry-run` 2.2-2.3 s on 2 cores, ~1.5-2 s of it importing JAX
    to ask the free memory and the device count, which on a CPU-only install are the host's and XLA_FLAGS'. Where an
    accelerator plugin is installed JAX is asked (jaxart/devices.py): there it may load."""
    from jaxart import devices

    code, out, loaded = _fresh([a.format(job=job) for a in [*argv, "--dry-run"]], job / "weights")
    assert code == 0 and says in out and "; nothing ran\n" in out, out
    assert loaded == [] or not devices.cpu_only(), loaded


def test_info_command_answers_without_importing_jax_and_warns_as_with_it(job):
    """`info --command` imported JAX (2.2-2.5 s) to ask which jax and backend compute here and what --conv auto
    would take; where only the CPU is there, the installed jax's metadata and the CPU's flags say it. Its warnings
    are those this process, JAX loaded, gives: here another jax, and the other gradient products."""
    from jaxart import convs, devices, provenance, reproduce_checks
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    other = "float32" if convs.gradient_products("auto") == "bfloat16" else "bfloat16"
    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(), "model": "tiny", "gradient_products": other,
              "machine": {**provenance.machine(), "jax": "0.0.1"},
              "inputs": {"content": str(job / "photo.jpg"), "styles": [str(job / "paint.png")]}}
    save_image(job / "run.png", np.zeros((384, 512, 3)), record)  # stages 2-5 reach --conv auto's Winograd
    notes = reproduce_checks.caveats(record, (384, 512))
    assert len(notes) == 2 and "--conv auto" in notes[0] and "jax 0.0.1" in notes[1], notes
    code, out, loaded = _fresh(["info", str(job / "run.png"), "--command"], job / "weights")
    assert code == 0 and "jaxart stylize" in out and all(f"warning: {n}" in out for n in notes), out
    assert loaded == [] or not devices.cpu_only(), loaded


def test_a_command_that_computes_still_imports_jax(job, tmp_path):
    """The other side, so the tests above would notice a check that never saw JAX at all."""
    argv = ["stylize", str(job / "photo.jpg"), str(job / "paint.png"), "--model", "tiny", "--size", "24", "--steps",
            "1", "-q", "-o", str(tmp_path / "o.png")]
    code, out, loaded = _fresh(argv, job / "weights")
    assert code == 0 and (tmp_path / "o.png").is_file() and "jax" in loaded, out

def test_a_resumed_dry_run_answers_without_importing_jax_where_only_the_cpu_is_there(job, tmp_path):
    """It asks which scale the checkpoint's image is of, which coarse_to_fine answered with JAX loaded."""
    import signal

    from jaxart import errors, job as run, load_weights
    from jaxart.config import StyleConfig
    from jaxart import devices

    model = str(job / "weights" / "tiny.safetensors")
    with pytest.raises(errors.Interrupted):
        run.stylize_files(job / "photo.jpg", [job / "paint.png"], tmp_path / "cut.png",
                          StyleConfig(size=32, scales=(24, 32), steps=2), load_weights(model), model=model,
                          stopped=lambda: signal.SIGTERM)
    code, out, loaded = _fresh(["stylize", "--resume", str(tmp_path / "cut.ckpt.npz"), "--dry-run"], job / "weights")
    assert code == 0 and out.startswith(f"dry run: would resume {tmp_path / 'cut.ckpt.npz'} from step 1 of 4 (24 px "
                                        "then 32 px), 32x24 px, about "), out
    assert loaded == [] or not devices.cpu_only(), loaded


def test_a_resumed_sweeps_dry_run_refuses_other_weights_without_importing_jax(job, tmp_path, monkeypatch, capsys,
                                                                             signal_at):
    """It reads the weights file's header, as stylize's does; it took other weights, which the run refused."""
    from conftest import run_main
    from jaxart import devices
    from test_sweep_resume import _edit

    ckpt, model = tmp_path / "g.ckpt.npz", str(job / "weights" / "tiny.safetensors")
    signal_at(1)
    code, _, err = run_main(["sweep", str(job / "photo.jpg"), str(job / "paint.png"), "--model", model, "--size", "24",
                             "--steps", "2", "--style-weight", "1,10", "-q", "-o", str(tmp_path / "g.png")],
                            monkeypatch, capsys)
    assert code == 143, err
    code, out, loaded = _fresh(["sweep", "--resume", str(ckpt), "--dry-run"], job / "weights")
    assert code == 0 and out.startswith(f"dry run: the sweep in {ckpt} from step 1 of 2, 2 settings, 24 px, "), out
    assert loaded == [] or not devices.cpu_only(), loaded
    _edit(ckpt, weights_sha256="0" * 64, weights_content_sha256="0" * 64)
    code, out, loaded = _fresh(["sweep", "--resume", str(ckpt), "--dry-run"], job / "weights")
    assert code == 2 and f"checkpoint was made with other weights than {model} holds" in out, out
    assert loaded == [] or not devices.cpu_only(), loaded
