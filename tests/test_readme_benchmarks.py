"""README.md against BENCHMARKS.md: the sections README cites for a figure exist there, and every command
BENCHMARKS.md gives for a figure names only options today's CLI has, so a reader can run it again."""

import re

import typer.main

import cli
from conftest import ROOT


def _flat(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def _parenthetical(text: str, start: int) -> str:
    depth = 0
    for end in range(start, len(text)):
        depth += (text[end] == "(") - (text[end] == ")")
        if depth == 0:
            return text[start:end + 1]
    return text[start:]


def _cited_sections() -> list[str]:
    """Quoted titles in README's parentheses that cite BENCHMARKS.md ("(BENCHMARKS.md, "Compile cache")") or
    consist of one ("("Memory of a whole run")"): capitalised, three words or more."""
    text = _flat("README.md")
    cited = []
    for found in re.finditer(r"\(", text):
        group = _parenthetical(text, found.start())
        if "BENCHMARKS.md" in group or group.startswith('("'):
            cited += [(q, text[max(0, found.start() - 80):found.start()]) for q in re.findall(r'"([^"]+)"', group)]
    return [(q, before) for q, before in cited if re.match(r"[A-Z]\S* \S+ \S+", q)]


def test_every_benchmarks_section_the_readme_cites_exists():
    headings = re.findall(r"^#+ (.*)$", (ROOT / "BENCHMARKS.md").read_text(), re.M)
    readme_titles = re.findall(r"\*\*([^*]+)\*\*|^#+ (.*)$", (ROOT / "README.md").read_text(), re.M)
    titles = {t for pair in readme_titles for t in pair if t}
    cited = _cited_sections()
    missing = [q for q, before in cited
               if not any(q in h for h in headings) and not any(q in t for t in titles)
               and "et al." not in before]  # a paper's title
    assert len(cited) > 15 and missing == [], f"README cites BENCHMARKS.md sections that it has not: {missing}"


def _benchmark_commands() -> list[tuple[str, str]]:
    """(command path, its words after the path) of each `jaxart ...` or `cli.py ...` in BENCHMARKS.md."""
    text = (ROOT / "BENCHMARKS.md").read_text()
    lines = re.findall(r"`([^`\n]*)`", text) + [line for line in text.splitlines() if line.startswith("    ")]
    found = []
    for line in lines:
        m = re.search(r"(?:\bjaxart|\bcli\.py) (stylize|sweep|bench|info|weights [a-z]+)\b([^;#]*)", line)
        if m:
            found.append((m.group(1), m.group(2)))
    return found


def test_every_command_benchmarks_gives_names_only_options_the_cli_has():
    """A figure's command is how to measure it again: an option renamed since would make it a usage error."""
    root = typer.main.get_command(cli.app)
    commands = _benchmark_commands()
    unknown = []
    for path, rest in commands:
        command = root
        for word in path.split():
            command = command.commands[word]
        options = {o for p in command.params for o in p.opts + p.secondary_opts}
        unknown += [f"jaxart {path} {o}" for o in re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", rest)
                    if o not in options]
    assert len(commands) > 50 and unknown == [], f"BENCHMARKS.md's commands name options the CLI lacks: {unknown}"


def _contents_entries() -> list[tuple[int, str]]:
    """(depth, text) of each bullet of BENCHMARKS.md's Contents: depth 2 for a `##` section, 3 for a nested one."""
    contents = (ROOT / "BENCHMARKS.md").read_text().split("\n## Contents\n", 1)[1].split("\n## ", 1)[0]
    return [(2 + len(indent) // 2, " ".join(text.split()))
            for indent, text in re.findall(r"^( *)- (.*?)(?=^ *- |\Z)", contents, re.M | re.S)]


def test_the_benchmarks_contents_names_every_section_in_order():
    """Contents says it lists "every section of this file, in file order": a section left out is one a reader never
    finds from it, and an entry under a title no heading has sends them looking for a section that is not there."""
    text = (ROOT / "BENCHMARKS.md").read_text()
    headings = [(len(hashes), title) for hashes, title in re.findall(r"^(##+) (.*)$", text, re.M)
                if title != "Contents"]
    entries = _contents_entries()

    def names(heading: str, entry: str) -> bool:
        title = heading.split(" (")[0]
        return entry.startswith(title) and entry[len(title):][:2] in ("", " (", ": ", ", ")

    listed = [(depth, max([h for d, h in headings if d == depth and names(h, entry)] or [entry],
                          key=lambda h: len(h.split(" (")[0]))) for depth, entry in entries]
    unlisted = [h for h in headings if h not in listed]
    unknown = [entry for entry in listed if entry not in headings]
    assert len(headings) > 50 and unlisted == [], f"BENCHMARKS.md's Contents leaves out {unlisted}"
    assert unknown == [], f"BENCHMARKS.md's Contents lists sections it has not: {unknown}"
    assert listed == headings, "BENCHMARKS.md's Contents is not in file order"


def test_every_section_the_benchmarks_contents_points_to_exists():
    """**Superseded** by "X" and *later* "X" send a reader to the section that replaced a figure."""
    headings = re.findall(r"^#+ (.*)$", (ROOT / "BENCHMARKS.md").read_text(), re.M)
    quoted = [q for _, entry in _contents_entries() for q in re.findall(r'"([^"]+)"', entry)
              if re.match(r"[A-Z`]\S* \S+ \S+", q) and not re.search(r"\bN\b", q)]  # "run N s, in all M s": a message
    missing = [q for q in quoted if not any(h.startswith(q) for h in headings)]
    assert len(quoted) > 15 and missing == [], f"BENCHMARKS.md's Contents points to sections it has not: {missing}"


def test_every_figure_cited_to_benchmarks_names_its_section():
    """A bare "(..., BENCHMARKS.md)" left the reader a 3,700-line file to search, and let a figure outlive the section
    that superseded it (README's "24% more computation" for coarse to fine, which "Time to quality at today's code"
    had replaced): each citation names its section, which the test above finds."""
    text = _flat("README.md")
    bare = [text[max(0, m.start() - 60):m.end()] for m in re.finditer(r"BENCHMARKS\.md`?(?!,? \")", text)
            if not re.search(r"(results in |See `)$", text[:m.start()])]
    assert bare == [], f"README cites BENCHMARKS.md without naming a section: {bare}"
