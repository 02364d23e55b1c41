"""pyproject.toml against the checkout: an install (editable or not) carries every module the CLI imports."""

import tomllib

from conftest import ROOT

SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_top_level_module_is_installed():
    """`pip install -e .` maps only the listed top-level modules: a top-level .py missing from `py-modules` imports
    from the checkout's folder (as the tests run) but not from anywhere else, so `jaxart` fails for a user."""
    listed = set(SETUPTOOLS["py-modules"])
    present = {p.stem for p in ROOT.glob("*.py")}
    assert present <= listed, f"add {sorted(present - listed)} to py-modules in pyproject.toml"
    assert listed <= present, f"py-modules lists {sorted(listed - present)}, which are not in the checkout"


def test_every_package_is_installed():
    """The library's packages and the CLI's (jaxart_cli/, which cli.py imports): one left out of `packages` is
    missing from a wheel, so `jaxart` fails with ModuleNotFoundError after a plain `pip install`."""
    listed = set(SETUPTOOLS["packages"])
    present = {".".join(p.parent.relative_to(ROOT).parts) for top in ("jaxart", "jaxart_cli")
               for p in (ROOT / top).rglob("__init__.py")}
    assert {"jaxart", "jaxart_cli"} <= present  # the globs found the packages
    assert present <= listed, f"add {sorted(present - listed)} to packages in pyproject.toml"
    assert listed <= present, f"packages lists {sorted(listed - present)}, which are not in the checkout"
