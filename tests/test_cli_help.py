"""`--help`: every default written in the text shows, every option whole in 80 columns, words wrapped whole (never
at an option's hyphen), arguments shown as options' values are, each command's summary whole, --colors saying whose
colours each mode gives, and `jaxart` alone answered with its usage; and the commands that need no JAX (help,
usage errors, `info IMAGE`, `weights list` and `path`) answer without importing it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import typer.main
from PIL import Image
from typer.testing import CliRunner

import cli
from conftest import ROOT, run_main, write_tiny_job


@pytest.mark.parametrize("command", [["stylize"], ["sweep"], ["bench"], ["weights", "convert"],
                                     ["weights", "normalize"], ["weights", "verify"]])
def test_help_shows_every_default_written_in_the_text(command, monkeypatch):
    """Rich read "[default: x]" as markup and dropped it, leaving "Output image ."; every one must show,
    and no escape of it for rich ("\\[default") either."""
    import re

    result = CliRunner().invoke(cli.app, [*command, "--help"])
    shown = " ".join(result.output.split())  # the help wraps long lines
    params = {p.name: p for p in _click_command(command).params}
    written = [re.search(r"\[default: [^\]]+\]", p.help or "") for p in params.values()]
    assert any(written), "no option states its default in words"
    for match in filter(None, written):
        assert " ".join(match.group(0).split()) in shown and "\\[" not in shown, match.group(0)


@pytest.mark.parametrize("command", [["stylize"], ["sweep"], ["bench"], ["weights", "normalize"]])
def test_help_in_80_columns_shows_every_option_whole(command, monkeypatch):
    """Rich's option table cut the longer names in 80 columns (--checkpoint-eve…, --style-layer-we…)."""
    monkeypatch.setenv("COLUMNS", "80")
    output = CliRunner().invoke(cli.app, [*command, "--help"]).output
    names = [o for p in _click_command(command).params for o in p.opts if o.startswith("--")]
    assert names and [n for n in names if n not in output.split()] == [], output
    assert max(map(len, output.splitlines())) <= 80


def _click_command(command):
    import typer.main

    group = typer.main.get_command(cli.app)
    for name in command:
        group = group.commands[name]
    return group


def test_help_says_whose_colours_each_colour_mode_gives():
    """--colors' help was 'style (painting), luminance, match-pca|chol|sym, keep (see README)': neither
    luminance nor keep said that the output keeps the photo's colours, and match-chol was not written whole."""
    import re

    from jaxart import color

    text = " ".join(next(p.help for p in _click_command(["stylize"]).params if p.name == "colors").split())
    said = dict(re.findall(r"([a-z|-]+) \(([^()]*)\)", text))
    modes = {m for names in said for m in names.split("|")}
    assert modes == set(color.MODES), (said, text)
    whose = {m: words for names, words in said.items() for m in names.split("|")}
    assert whose["style"].startswith("the painting's"), whose
    for mode in ("luminance", "keep", "match-pca", "match-chol", "match-sym"):
        assert whose[mode].startswith("the photo's"), (mode, whose[mode])


def _commands(group=None, path=()):
    """Every command and group, `jaxart` itself included, as its argv path."""
    group = group or typer.main.get_command(cli.app)
    yield path, group
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, (*path, name))

COMMANDS = list(_commands())


def _help(path) -> str:
    return CliRunner().invoke(cli.app, [*path, "--help"], env={"COLUMNS": "80"}).output


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "jaxart" for p, _ in COMMANDS])
def test_help_shows_values_as_options_do_and_wraps_words_whole(path, command):
    """Arguments read `CONTENT <Path>`, `STYLE <list[Path]>` (Python types) beside `--mask <path>`; and click
    wrapped at hyphens: "--each-" ending a line and "painting" the next, an option no one can type as shown."""
    text = _help(path)
    assert "<Path>" not in text and "list[" not in text, text
    shown = set(text.split())
    helps = [command.help or "", *(p.help or "" for p in command.params)]
    assert [w for h in helps for w in h.split() if w not in shown] == [], text
    assert max(map(len, text.splitlines())) <= 80, text


@pytest.mark.parametrize("path, rows", [
    (["stylize"], ["CONTENT <path>", "STYLE <path>..."]), (["sweep"], ["CONTENT <path>", "STYLE <path>..."]),
    (["info"], ["IMAGE <path>"]), (["weights", "convert"], ["FILE <path>"]), (["weights", "fetch"], ["NAME <str>"]),
])
def test_arguments_read_like_the_options_values(path, rows):
    text = _help(path)
    arguments = text.split("Arguments:\n")[1].split("\n\n")[0]
    assert [line.strip().split("  ")[0] for line in arguments.splitlines() if line[2] != " "] == rows, text


def test_a_narrow_help_never_breaks_an_option_at_its_hyphen():
    """Click's own wrapping, at any width the help gets."""
    from jaxart_cli.help import Command

    formatter = Command.context_class.formatter_class(width=60)
    formatter.write_dl([("STYLE <path>...", "blended, or, with --each-painting, compared; --style-blend weighs "
                                            "them, [default: no-overwrite]")])
    words = formatter.getvalue().split()
    assert {"--each-painting,", "--style-blend", "no-overwrite]"} <= set(words), formatter.getvalue()
    assert "\u2011" not in formatter.getvalue()  # the held hyphen is a plain one again, to copy


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("group, names", [
    ([], ["stylize", "sweep", "info", "bench", "weights"]),
    (["weights"], ["list", "fetch", "convert", "normalize", "verify", "remove", "path"]),
], ids=["jaxart", "weights"])
def test_every_command_in_jaxart_help_has_a_whole_sentence_on_one_line(columns, group, names):
    """Click cut each summary to the room left: "Paint CONTENT in the style of STYLES and write an image with...",
    and in `jaxart weights --help` "Registered, installed and partly downloaded weight sets:..."."""
    text = CliRunner().invoke(cli.app, [*group, "--help"], env={"COLUMNS": str(columns)}).output
    rows = text.split("Commands:\n")[1].splitlines()
    assert [row.split()[0] for row in rows] == names, text
    for row in rows:
        summary = row.split(maxsplit=1)[1]
        assert summary.endswith(".") and not summary.endswith("...") and len(row) <= columns, text


def test_the_help_without_a_command_keeps_its_lines(monkeypatch, capsys):
    code, out, err = run_main([], monkeypatch, capsys)
    lines = err.splitlines()
    assert lines[0].startswith("Usage: ") and "Commands:" in lines and not err.startswith("error"), err


def test_the_help_says_several_paintings_are_blended_unless_compared(monkeypatch):
    """It said "One or more paintings" and "every combination of the weights and seeds": `sweep C A B`
    read as a sweep over the paintings, and a sweep over style scales was not named; it now names the
    option that does compare paintings (it said to sweep each to its own --output)."""
    monkeypatch.setenv("COLUMNS", "200")
    shown = " ".join(CliRunner().invoke(cli.app, ["sweep", "--help"]).output.split())
    assert "every combination of the weights, seeds, style scales and (with --each-painting) paintings" in shown
    assert "One or more paintings: blended into one style for every tile" in shown
    assert "compared: each painting its own tiles" in shown and "--each-painting Compare the paintings" in shown


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


def test_a_command_that_computes_still_imports_jax(job):
    """The other side: `info --command` of a record of the run's gradient products asks JAX which this machine would
    use, so the test above would notice a check that never saw JAX at all."""
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(), "model": "tiny", "gradient_products": "float32",
              "inputs": {"content": str(job / "photo.jpg"), "styles": [str(job / "paint.png")]}}
    save_image(job / "run.png", np.zeros((4, 4, 3)), record)
    code, out, loaded = _fresh(["info", str(job / "run.png"), "--command"], job / "weights")
    assert code == 0 and "jaxart stylize" in out and "jax" in loaded, out
