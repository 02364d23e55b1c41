"""pyproject.toml against the checkout: an install (editable or not) carries every module the CLI imports."""

import tomllib

from conftest import ROOT


def test_every_top_level_cli_module_is_installed():
    """`pip install -e .` maps only the listed top-level modules: a cli_*.py missing from `py-modules` imports
    from the checkout's folder (as the tests run) but not from anywhere else, so `jaxart` fails for a user."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["py-modules"])
    present = {p.stem for p in ROOT.glob("cli*.py")}
    assert present <= listed, f"add {sorted(present - listed)} to py-modules in pyproject.toml"
    assert listed <= present, f"py-modules lists {sorted(listed - present)}, which are not in the checkout"


def test_every_library_package_is_installed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    present = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "jaxart").rglob("__init__.py")}
    assert present == listed
