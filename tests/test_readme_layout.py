"""README.md's "Layout" block against the package folders: it is where a reader learns what each module is for,
so a module it leaves out is one they cannot place, and a name in it that no file has sends them looking for
code that moved."""

import re

from conftest import ROOT

FOLDERS = ("jaxart", "jaxart/weights", "jaxart_cli")


def _layout() -> str:
    text = (ROOT / "README.md").read_text()
    found = re.search(r"\n\*\*Layout:\*\*\n\n((?: {4}.*\n|\n)+)", text)
    assert found, "README.md has no **Layout:** block; update this test with it"
    return found.group(1)


def test_the_layout_names_every_module():
    layout = _layout()
    modules = [p for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.py")) if p.stem != "__init__"]
    missing = [str(p.relative_to(ROOT)) for p in modules if not re.search(rf"(?<!\w){p.stem}(\.py)?\b", layout)]
    assert len(modules) > 100 and missing == [], f"README's layout never names {missing}"


def test_every_file_the_layout_names_exists():
    layout = _layout()
    named = set(re.findall(r"(?<![\w.])([a-z_][a-z0-9_/]*\.py)\b", layout))
    where = {p.name for folder in FOLDERS for p in (ROOT / folder).glob("*.py")} | {"cli.py"}
    where |= {str(p.relative_to(ROOT)) for folder in FOLDERS for p in (ROOT / folder).glob("*.py")}
    assert len(named) > 50 and sorted(named - where) == [], "README's layout names files that do not exist"
