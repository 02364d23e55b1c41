"""`--help`: every default written in the text shows, every option whole in 80 columns, and --colors says
whose colours each mode gives."""

import pytest
from typer.testing import CliRunner

import cli


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
