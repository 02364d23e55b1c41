"""What users read: each command's --help, the quoting of their values in error lines, and the painting
names under a contact sheet's small tiles."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

import cli
from conftest import run_main


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


@pytest.mark.parametrize("argv, line", [
    # Typer quoted the option and each choice ('--optimizer', 'lbfgs', 'adam'.); jaxart quotes the value given
    (["stylize", "a.jpg", "b.jpg", "--optimizer", "sgd"],
     "error: Invalid value for --optimizer: 'sgd' is not one of lbfgs, adam"),
    (["stylize", "a.jpg", "b.jpg", "--size"], "error: Option --size requires an argument"),
    (["stylize", "a.jpg", "b.jpg", "-o", ""], "error: Invalid value for --output / -o: the path is empty; give a file "
                                              "name, such as out.png"),
    (["sweep"], "error: Missing argument CONTENT; see `jaxart sweep --help`"),
    (["bench", "--loops", "fast"], "error: --loops 'fast' is not a list of python, scan, zoom"),  # were bare
    (["bench", "--baseline", "tf"], "error: --baseline 'tf' is not one of torch"),
    (["weights", "remove", "mine"], "error: 'mine' is not installed and has no partial download (installed: none); "
                                    "nothing was removed"),
    (["weights", "convert", "gone.h5", "--name", "x"], "error: Invalid value for FILE: gone.h5 is not a file"),  # PATH
])
def test_error_lines_quote_the_value_given_and_name_options_bare(argv, line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and err == line, err


@pytest.mark.parametrize("px", [96, 128])
def test_a_long_painting_name_under_a_small_tile_keeps_its_start_and_end(px):
    """At 96 px "woman-with-hat-matisse" read "woman-with-ha…": neither the picture nor the painter."""
    from jaxart import sheet_draw

    font, room = sheet_draw.label_font(px), px - 2
    labels = ["style 10  painting starry_night", "style 10  painting woman-with-hat-matisse  (failed)",
              "style 10  painting the_great_wave_off_kanagawa_by_katsushika_hokusai"]
    short, matisse, wave = sheet_draw.label_lines(labels, font, room)
    assert short == ["style 10", "starry_night"] and all(font.getlength(t) <= room for t in matisse + wave)
    assert "".join(matisse[1:3]) == "woman-with-hat-matisse" and matisse[3] == "(failed)", matisse
    assert wave[1].startswith("the_great_") and wave[2].endswith("_hokusai") and "…" in wave[2], wave
