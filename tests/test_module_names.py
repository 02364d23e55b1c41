"""Every `module.name` that jaxart/, jaxart_cli/, cli.py and the tests reach through an imported jaxart or CLI module
exists: a name moved to another module (the splits of 2026-12-06 moved dozens) fails here, not in the one code path
that runs it, nor silently in a test's monkeypatch (`monkeypatch.setattr(module, "name", ...)` of a missing name
raises, but a `module.name` read in a rarely run branch would not). pyflakes checks bare names only."""

from __future__ import annotations

import ast
import importlib

from conftest import ROOT

FILES = sorted([ROOT / "cli.py", *ROOT.glob("jaxart/**/*.py"), *ROOT.glob("jaxart_cli/*.py"), *ROOT.glob("tests/*.py")])
OURS = ("jaxart", "cli")


def _bound_otherwise(tree: ast.AST) -> set[str]:
    """Names the file binds other than by an import (assignments, arguments, loops, `with ... as`): a local list
    called `progress` is not the module."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
              for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a is not None}
    return names | {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _modules(tree: ast.AST, package: str) -> dict[str, str]:
    """The file's names for our modules: `import jaxart.x as y`, `from jaxart_cli import values as cli_values`."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(OURS):
                    found[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if not node.level else f"{package}.{node.module}"
            if base.startswith(OURS):
                for a in node.names:
                    try:
                        importlib.import_module(f"{base}.{a.name}")
                    except ImportError:
                        continue  # a function or a constant, not a module
                    found[a.asname or a.name] = f"{base}.{a.name}"
    return found


def _missing(path) -> list[str]:
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).parts[:-1])
    modules = {k: v for k, v in _modules(tree, package).items() if k not in _bound_otherwise(tree)}
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            module = importlib.import_module(modules[node.value.id])
            if not hasattr(module, node.attr):
                try:
                    importlib.import_module(f"{module.__name__}.{node.attr}")
                except ImportError:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {module.__name__}.{node.attr}")
    return missing


def test_every_module_attribute_exists():
    assert len(FILES) > 200 and ROOT / "jaxart_cli" / "values.py" in FILES  # the globs found the code
    assert [m for path in FILES for m in _missing(path)] == []
