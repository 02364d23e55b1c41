"""`--help`: every default written in the text shows, every option whole in 80 columns, words wrapped whole (never
at an option's hyphen), arguments shown as options' values are, each command's summary whole, --colors saying whose
colours each mode gives, and `jaxart` alone answered with its usage (the commands that answer without importing
JAX: test_cli_no_jax.py)."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

import cli
from conftest import run_main


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


def test_infos_help_names_each_kind_of_file_it_reads():
    """It said "A PNG or TIFF written by jaxart", though info also reads a checkpoint (OUT.ckpt.npz), saying which run
    it holds and the --resume that continues it (test_image_record.py), and a sweep's sheet and tiles."""
    text = " ".join(next(p.help for p in _click_command(["info"]).params if p.name == "image").split())
    for kind in ("PNG or TIFF", "frame", "tile", "contact sheet", "checkpoint (OUT.ckpt.npz)", "--resume"):
        assert kind in text, (kind, text)


@pytest.mark.parametrize("command, written", [("stylize", "the finished image is"),
                                              ("sweep", "the sheet, page and images are")])
def test_checkpoint_every_s_help_says_the_checkpoint_goes_once_the_run_is_written(command, written):
    """It said "Write OUTPUT.ckpt.npz every N steps" alone, and a finished run left none: the help says why."""
    text = " ".join(next(p.help for p in _click_command([command]).params if p.name == "checkpoint_every").split())
    assert text.endswith(f"for --resume; it is removed once {written} written."), text
