"""The commands that need no JAX answer without importing it, each from a fresh `import cli`: every `--help`, usage
errors, `info IMAGE`, `weights list` and `path`, and where only the CPU is there `info --command` and both dry runs
(resumed: test_cli_no_jax_resume.py); a command that computes still imports it."""

from __future__ import annotations

import json
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
# One interpreter imports the CLI as the console entry point does, then forks a child a case: each child starts from
# that fresh `import cli` (0.7-1 s on 2 cores, paid once a batch, not once a case), runs `jaxart ARGV` to its exit,
# atexit functions too, and writes which of JAX's it had loaded. What one case imports, no other sees.
_BATCH = r"""import atexit, json, os, sys, traceback, warnings
cases, folder, heavy = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3].split()
sys.argv = ['jaxart']
import cli
for i, argv in enumerate(cases):
    sys.stdout.flush(); sys.stderr.flush()
    with warnings.catch_warnings():  # Python 3.12 and newer warn of numpy's BLAS threads, idle here
        warnings.simplefilter('ignore', DeprecationWarning)
        pid = os.fork()
    if pid:
        with open(f'{folder}/{i}.code', 'w') as f:
            f.write(str(os.waitstatus_to_exitcode(os.wait()[1])))
        continue
    for fd, name in ((1, 'out'), (2, 'err')):
        os.dup2(os.open(f'{folder}/{i}.{name}', os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
    sys.argv, code = ['jaxart', *argv], 0
    try:
        cli.entry()
    except SystemExit as e:
        code = e.code
    except BaseException:
        traceback.print_exc(); code = 1
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr); code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush(); sys.stderr.flush()
    with open(f'{folder}/{i}.loaded', 'w') as f:
        f.write(' '.join(m for m in heavy if m in sys.modules))
    os._exit(code or 0)
"""


def _fresh(cases: dict[str, list[str]], weights, folder) -> dict[str, tuple[int, str, list[str] | None]]:
    """`jaxart ARGV` for each case, each from a fresh `import cli` (one interpreter a batch, a forked child a case):
    its exit code, its stdout and stderr, and which of jax, flax and optax it imported (None: it never said)."""
    env = {**os.environ, "JAXART_WEIGHTS_DIR": str(weights), "COLUMNS": "80"}
    folder.mkdir(parents=True, exist_ok=True)
    p = subprocess.run([sys.executable, "-c", _BATCH, json.dumps(list(cases.values())), str(folder), " ".join(_HEAVY)],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert p.returncode == 0 and not p.stdout and not p.stderr, p.stdout + p.stderr
    answers = {}
    for i, name in enumerate(cases):
        out, err, loaded, code = (folder / f"{i}.{end}" for end in ("out", "err", "loaded", "code"))
        answers[name] = (int(code.read_text()), out.read_text() + err.read_text(),
                         loaded.read_text().split() if loaded.exists() else None)
    return answers


def _every_help() -> list[list[str]]:
    group = typer.main.get_command(cli.app)
    helps = [["--help"]]
    for name, command in group.commands.items():
        helps.append([name, "--help"])
        helps += [[name, sub, "--help"] for sub in getattr(command, "commands", {})]
    return helps


_HELPS = {" ".join(argv): argv for argv in _every_help()}
_COMMANDS = {
    "info": (["info", "{job}/out.png"], 0, '"model": "tiny"'),
    "version": (["--version"], 0, "jaxart "),
    "weights list": (["weights", "list"], 0, "tiny "),
    "weights path": (["weights", "path", "tiny"], 0, "{job}/weights/tiny.safetensors"),
    "misspelt flag": (["stylize", "{job}/photo.jpg", "{job}/paint.png", "--sizee", "32"], 2, "has no option --sizee"),
    "unknown weights": (["weights", "path", "nonesuch"], 2, "unknown model 'nonesuch'"),
}
_MASKED = ["--mask", "{job}/mask.png", "--region-style", "black={job}/paint.png", "--region-style", "white=photo"]
_DRY_RUNS = {
    "stylize masked scales init": (
        ["stylize", "{job}/photo.jpg", "--model", "tiny", "--scales", "32,48", "--steps", "2", *_MASKED,
         "--init", "{job}/paint.png", "-o", "{job}/dry.png"], "dry run: 48x36 px, 4 steps (32 px then 48 px), about "),
    "stylize frames checkpoint animation": (
        ["stylize", "{job}/photo.jpg", "{job}/paint.png", "--size", "32", "--steps", "20", "--save-every", "5",
         "--checkpoint-every", "5", "--animate", "{job}/dry.gif", "-o", "{job}/dry.png"],
        "dry run: 32x24 px, 20 steps"),
    "sweep seeds": (
        ["sweep", "{job}/photo.jpg", "{job}/paint.png", "--model", "tiny", "--size", "32", "--steps", "2",
         "--style-weight", "1,10", "--seed", "1,2", "--init", "random", "-o", "{job}/grid.png"],
        "dry run: 4 settings, 32 px, 2 steps, about "),
    "sweep masked scales": (
        ["sweep", "{job}/photo.jpg", "--model", "tiny", "--scales", "32,48", "--steps", "2", "--style-scale", "0.5,1",
         *_MASKED, "--init", "{job}/paint.png", "-o", "{job}/grid.png"], "dry run: 2 settings, 48 px, 4 steps, about "),
}


def _installed(folder):
    """The tiny job's photo and painting in `folder`, its weight set installed in `folder`/weights."""
    d, _ = write_tiny_job(folder)
    (d / "weights").mkdir()
    (d / "tiny.safetensors").rename(d / "weights" / "tiny.safetensors")
    return d


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """A weights folder holding an installed weight set, and a PNG that holds a run record."""
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d = _installed(tmp_path_factory.mktemp("job"))
    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(), "model": "tiny",
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    halves = np.zeros((30, 40, 3), np.uint8)
    halves[:, 20:] = 255
    Image.fromarray(halves).save(d / "mask.png")  # the photo's shape: black left, white right
    return d


@pytest.fixture(scope="module")
def other_run(job):
    """A PNG whose record gives `info --command` two warnings (another jax, the other gradient products), and those
    warnings as this process, JAX loaded, words them."""
    from jaxart import convs, provenance, reproduce_checks
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    other = "float32" if convs.gradient_products("auto") == "bfloat16" else "bfloat16"
    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(), "model": "tiny", "gradient_products": other,
              "machine": {**provenance.machine(), "jax": "0.0.1"},
              "inputs": {"content": str(job / "photo.jpg"), "styles": [str(job / "paint.png")]}}
    save_image(job / "run.png", np.zeros((384, 512, 3)), record)  # stages 2-5 reach --conv auto's Winograd
    return job / "run.png", reproduce_checks.caveats(record, (384, 512))


@pytest.fixture(scope="module")
def answers(job, other_run, tmp_path_factory):
    """The answer to every case of the tests below but the resumed ones', from one batch (`_fresh`)."""
    def fill(argv):
        return [a.format(job=job) for a in argv]

    return _fresh({**{f"help {k}": argv for k, argv in _HELPS.items()},
                   **{f"command {k}": fill(argv) for k, (argv, _, _) in _COMMANDS.items()},
                   **{f"dry run {k}": fill([*argv, "--dry-run"]) for k, (argv, _) in _DRY_RUNS.items()},
                   "info --command": ["info", str(other_run[0]), "--command"],
                   "computes": fill(["stylize", "{job}/photo.jpg", "{job}/paint.png", "--model", "tiny", "--size",
                                     "24", "--steps", "1", "-q", "-o", "{job}/computed.png"])},
                  job / "weights", tmp_path_factory.mktemp("answers"))


@pytest.mark.parametrize("argv", _HELPS)
def test_every_help_answers_without_importing_jax(argv, answers):
    """`jaxart --help` took 2.8 s and `jaxart stylize --help` 3.8 s on 2 cores, ~2.3 s of it importing jax, flax and
    optax, which no help needs."""
    code, out, loaded = answers[f"help {argv}"]
    assert (code, loaded) == (0, []) and out.startswith("Usage: jaxart"), out


@pytest.mark.parametrize("case", _COMMANDS)
def test_commands_that_need_no_jax_answer_without_importing_it(case, answers, job):
    """A run record read, the weights folder listed, a usage error: each waited ~2.3 s for JAX before answering."""
    _, code, says = _COMMANDS[case]
    got, out, loaded = answers[f"command {case}"]
    assert (got, loaded) == (code, []) and says.format(job=job) in out, out


@pytest.mark.parametrize("case", _DRY_RUNS)
def test_a_dry_run_answers_without_importing_jax_where_only_the_cpu_is_there(case, answers):
    """`stylize --dry-run` took 1.9-2.7 s and `sweep --dry-run` 2.2-2.3 s on 2 cores, ~1.5-2 s of it importing JAX
    to ask the free memory and the device count, which on a CPU-only install are the host's and XLA_FLAGS'. Where an
    accelerator plugin is installed JAX is asked (jaxart/devices.py): there it may load."""
    from jaxart import devices

    code, out, loaded = answers[f"dry run {case}"]
    assert code == 0 and _DRY_RUNS[case][1] in out and "; nothing ran\n" in out, out
    assert loaded == [] or (loaded is not None and not devices.cpu_only()), loaded


def test_info_command_answers_without_importing_jax_and_warns_as_with_it(answers, other_run):
    """`info --command` imported JAX (2.2-2.5 s) to ask which jax and backend compute here and what --conv auto
    would take; where only the CPU is there, the installed jax's metadata and the CPU's flags say it. Its warnings
    are those this process, JAX loaded, gives: here another jax, and the other gradient products."""
    from jaxart import devices

    notes = other_run[1]
    assert len(notes) == 2 and "--conv auto" in notes[0] and "jax 0.0.1" in notes[1], notes
    code, out, loaded = answers["info --command"]
    assert code == 0 and "jaxart stylize" in out and all(f"warning: {n}" in out for n in notes), out
    assert loaded == [] or (loaded is not None and not devices.cpu_only()), loaded


def test_a_command_that_computes_still_imports_jax(answers, job):
    """The other side, so the tests above would notice a check that never saw JAX at all."""
    code, out, loaded = answers["computes"]
    assert code == 0 and (job / "computed.png").is_file() and "jax" in loaded, out
