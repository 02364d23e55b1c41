"""The READMEs' command lines against the CLI: they name every option of each command, no other, with the
choices --help lists; the synopsis at the top of README.md's "Command line" lists them all itself; and the
StyleConfig fields the README names exist."""

import re

import pytest
import typer.main

import cli

# What the READMEs show of each command, against what the command declares: names and choices, not text.
READMES = ("README.md", "weights/README.md")


def _readme_command_lines() -> list[str]:
    """Every `jaxart ...` (or `python cli.py ...`) command line in the READMEs: the indented blocks' lines with
    their continuation lines (`[...`, `| ...`, `--...`), comments dropped, and inline code spans of prose."""
    from conftest import ROOT

    found = []
    for name in READMES:
        text = re.sub(r"```.*?```", "", (ROOT / name).read_text(), flags=re.S)
        entry = None
        for line in text.splitlines():
            words = re.sub(r"\s#\s.*", "", line).strip()
            if line.startswith("    ") and re.match(r"(jaxart|python cli\.py) ", words):
                entry = [words]
                found.append(entry)
            elif entry is not None and line.startswith("     ") and words[:1] in ("[", "|", "-"):
                entry.append(words)
            else:
                entry = None
        prose = "\n".join(line for line in text.splitlines() if not line.startswith("    "))
        found += [[span] for span in re.findall(r"`([^`]+)`", prose)]
    return [" ".join(" ".join(entry).split()) for entry in found]


def _synopsis_lines() -> list[str]:
    """The synopsis: the first indented block under README.md's "Command line", one entry per `jaxart` line
    with its continuation lines, comments dropped."""
    from conftest import ROOT

    section = (ROOT / "README.md").read_text().split("\n## Command line\n", 1)[1]
    block = re.search(r"\n((?: {4}.*\n)+)", section).group(1)
    found = []
    for line in block.splitlines():
        words = re.sub(r"\s#\s.*", "", line).strip()
        if words.startswith("jaxart "):
            found.append(words)
        elif words:
            found[-1] += " " + words
    return [" ".join(line.split()) for line in found]


def _readme_options(app, lines=None) -> dict[tuple[str, ...], dict[str, set[str]]]:
    """{command path: {option: the choices shown with it (a|b|c), if any}} over these command lines (by default
    every README command line), `app` the click command of `cli.app`."""
    shown: dict[tuple[str, ...], dict[str, set[str]]] = {}
    for line in _readme_command_lines() if lines is None else lines:
        words = line.split()
        while words and re.fullmatch(r"[A-Z][A-Z_]*=\S*", words[0]):  # XLA_FLAGS=... jaxart sweep ...
            words.pop(0)
        if words[:2] == ["python", "cli.py"]:
            words = ["jaxart", *words[2:]]
        if words[:1] != ["jaxart"]:
            continue
        parent, command, path = None, app, ()
        for i, word in enumerate(words[1:], 1):
            if hasattr(command, "commands") and word in command.commands:
                parent, command, path = command, command.commands[word], (*path, word)
                shown.setdefault(path, {})
            elif word == "|" and parent is not None and i + 1 < len(words) and words[i + 1] in parent.commands:
                command = None  # `weights list | fetch NAME | ...`: the next word names a sibling
            elif command is None and parent is not None and word in parent.commands:
                command, path = parent.commands[word], (*path[:-1], word)
                shown.setdefault(path, {})
            elif re.fullmatch(r"--[a-z][a-z0-9-]*", option := word.strip("[](),:")):
                value = re.sub(r"\[,\.\.$", "", words[i + 1].rstrip("]")).strip("[") if i + 1 < len(words) else ""
                choices = value.split("|") if re.fullmatch(r"[a-z0-9-]+(\|[a-z0-9-]+)+", value) else []
                shown.setdefault(path, {}).setdefault(option, set()).update(choices)
        shown.setdefault(path, {})
    return shown


def _leaf_commands(command, path=()):
    if not hasattr(command, "commands"):
        return [(path, command)]
    return [leaf for name, sub in command.commands.items() for leaf in _leaf_commands(sub, (*path, name))]


# Typer builds the click command afresh on each get_command, 30-70 ms of signatures and type hints: once per README
# line it made each test here take seconds (10-19 s in the whole suite), so these tests build it once.
LEAVES = _leaf_commands(typer.main.get_command(cli.app))


@pytest.fixture(scope="module")
def app():
    """The click command of `cli.app`, for the tests to read its commands and options from."""
    return typer.main.get_command(cli.app)


@pytest.mark.parametrize("path, command", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_the_readmes_show_every_option_of_each_command_and_no_other(path, command, app):
    """The README's synopses are its users' reference: an option it names must exist, with the choices it
    lists, and every option --help has must be in it with the choices --help lists."""
    from typer.testing import CliRunner

    shown = _readme_options(app)
    assert path in shown, f"the READMEs show no `jaxart {' '.join(path)}` command line"
    name = f"`jaxart {' '.join(path)}`"
    options = {o for p in command.params for o in p.opts if o.startswith("--")}  # --no-overwrite need not show
    negations = {o for p in command.params for o in p.secondary_opts}
    assert sorted(set(shown[path]) - options - negations) == [], f"{name} has no such options"
    assert sorted(options - set(shown[path])) == [], f"the READMEs never show these options of {name}"
    help_text = CliRunner().invoke(cli.app, [*path, "--help"], env={"COLUMNS": "200"}).output
    choices = re.findall(r"(--[a-z][a-z0-9-]*) <([a-z0-9-]+(?:\|[a-z0-9-]+)+)>", help_text)
    assert {o for o, _ in choices} <= options, help_text
    for option, listed in choices:
        assert shown[path][option] == set(listed.split("|")), f"{option}: the READMEs list other choices than {listed}"


@pytest.mark.parametrize("path, command", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_the_synopsis_lists_every_option_of_each_command(path, command, app):
    """The synopsis at the top of "Command line" is where a user looks up what a command takes: an option
    shown only further down (or in weights/README.md) is one they will not find there."""
    from typer.testing import CliRunner

    shown = _readme_options(app, _synopsis_lines())
    name = f"`jaxart {' '.join(path)}`"
    assert path in shown, f"the synopsis has no {name} line"
    options = {o for p in command.params for o in p.opts if o.startswith("--")}
    negations = {o for p in command.params for o in p.secondary_opts}
    assert sorted(set(shown[path]) - options - negations) == [], f"the synopsis gives {name} options it lacks"
    assert sorted(options - set(shown[path])) == [], f"the synopsis leaves out these options of {name}"
    help_text = CliRunner().invoke(cli.app, [*path, "--help"], env={"COLUMNS": "200"}).output
    for option, listed in re.findall(r"(--[a-z][a-z0-9-]*) <([a-z0-9-]+(?:\|[a-z0-9-]+)+)>", help_text):
        assert shown[path][option] == set(listed.split("|")), f"{option}: the synopsis lists other choices than {listed}"


def test_the_config_fields_the_readme_names_exist():
    """The README gives each option's StyleConfig field ("`--colors`, field `colors`"; `StyleConfig.conv`) for
    library users: a field renamed in the code would leave it naming one that does not exist."""
    import dataclasses

    from conftest import ROOT
    from jaxart import StyleConfig

    text = (ROOT / "README.md").read_text()
    groups = re.findall(r"\bfields?\s+((?:`\w+`(?:,\s+)?)+)", text)  # "fields `scales`, `start_size`, ..."
    named = [n for group in groups for n in re.findall(r"`(\w+)`", group)] + re.findall(r"StyleConfig\.(\w+)", text)
    fields = {f.name for f in dataclasses.fields(StyleConfig)} | {"to_json", "from_json", "validate"}
    assert len(set(named)) >= 8 and sorted(set(named) - fields) == [], named


def test_the_synopsis_brackets_every_option_a_command_does_not_require(app):
    """`sweep ... --style-weight 1,10,100` read as required though it defaults to 10: outside brackets an
    option is one the command requires, unless it makes a form of the command: alone (`info OUT.png --command`) or
    right after the command's name (`stylize --resume OUT.ckpt.npz [--dry-run]`)."""
    bare = []
    for line in _synopsis_lines():
        words, depth, parent, command, given = line.split()[1:], 0, None, app, []
        for before, word in zip(["jaxart", *words], words):
            if hasattr(command, "commands") and word in command.commands:
                parent, command = command, command.commands[word]
            elif word == "|" and depth == 0 and parent is not None:  # `weights list | fetch NAME | ...`
                command = parent
            elif depth == 0 and re.fullmatch(r"--[a-z][a-z0-9-]*", word) and before != command.name:
                given.append((command, word))
            depth += word.count("[") - word.count("]")
        if sum(bool(re.fullmatch(r"\[?--[a-z][a-z0-9-]*", w)) for w in words) > 1:
            bare += [f"{c.name} {o}" for c, o in given
                     if not next(p for p in c.params if o in p.opts + p.secondary_opts).required]
    assert bare == [], f"the synopsis shows these options without brackets, though they have defaults: {bare}"


@pytest.mark.parametrize("name", ["stylize", "sweep"])
def test_the_synopsis_of_a_resumed_run_shows_the_options_it_takes_and_no_other(name, app):
    """`jaxart stylize --resume OUT.ckpt.npz` showed none of the options a resumed run still takes (--dry-run,
    --output, ...), which the tests above, over all of a command's lines, could not see: its other line shows them.
    Nor may any README line give `--resume` an option it refuses."""
    from jaxart_cli.resume import RESUME_OPTIONS, SWEEP_RESUME_OPTIONS

    command = app.commands[name]
    allowed = RESUME_OPTIONS if name == "stylize" else SWEEP_RESUME_OPTIONS
    takes = {o for p in command.params if p.name in allowed for o in p.opts if o.startswith("--")}
    resumed = [line for line in _synopsis_lines() if line.startswith(f"jaxart {name} --resume ")]
    assert len(resumed) == 1, f"the synopsis has no one `jaxart {name} --resume` line: {resumed}"
    shown, everywhere = _readme_options(app, resumed)[(name,)], _readme_options(app, _synopsis_lines())[(name,)]
    assert sorted(takes - set(shown)) == [], f"the synopsis of {name} --resume leaves out these options it takes"
    assert sorted(set(shown) - takes) == [], f"the synopsis of {name} --resume gives options it refuses"
    assert all(shown[o] == everywhere[o] for o in shown), shown  # the choices, which the tests above check
    lines = [line for line in _readme_command_lines() if re.match(rf"jaxart {name} .*--resume\b", line)]
    refused = {o for line in lines for o in _readme_options(app, [line]).get((name,), {})} - takes
    assert sorted(refused) == [], f"README lines give `{name} --resume` options it refuses: {lines}"
