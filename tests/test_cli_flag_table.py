"""Every word a library refusal names as a setting (`InputError(..., settings=...)` anywhere in jaxart/) has a flag in
the CLI's one table (`jaxart_cli.options.FLAGS`), and that flag is an option of one of `cli.app`'s commands: a renamed
field, argument or flag cannot leave a CLI line naming a library word, or a flag that does not exist.

The words are read from the source, not from refusals made one by one: each `settings=` is followed back to the
string literals that reach it: through a parameter to its callers' arguments and its default, through a loop to what
it loops over."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import typer

import cli
from jaxart import reproduce
from jaxart.config import StyleConfig
from jaxart_cli.options import FLAGS

LIBRARY = Path(__file__).resolve().parents[1] / "jaxart"
# Words no flag stands for, and why the CLI's line may keep them.
NO_FLAG = {**reproduce.NOT_NEEDED,
           "output": "`destinations.check_not_input`'s word for whatever a command writes (stylize's --output, "
                     "a sweep's tiles, bench's --json files): no one flag"}
PASSED_ON = "an exception's settings, passed on"  # `named`, `getattr(e, "settings", ())`, `e.settings`: judged first


class _Source:
    """jaxart's calls, by the name of the function called, each knowing the function it is in (`owner`)."""

    def __init__(self):
        self.calls = {}
        for path in sorted(LIBRARY.rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for inner in ast.walk(node):  # the innermost function's: ast.walk meets the outer first
                        inner.owner = node
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    self.calls.setdefault(name, []).append(node)

    def settings(self) -> list[tuple[ast.AST, ast.expr]]:
        """Each exception's `settings=` argument in jaxart, with the function it is in."""
        return [(getattr(call, "owner", None), k.value) for name, calls in self.calls.items()
                if str(name).endswith("Error") for call in calls for k in call.keywords if k.arg == "settings"]

    def words(self, node: ast.expr, function: ast.AST, seen: frozenset = frozenset()) -> set[str]:
        """The literals that reach `node` in `function`; PASSED_ON for another exception's settings."""
        if isinstance(node, ast.Constant):  # a default of None: no word
            return {node.value} if isinstance(node.value, str) else set()
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return set().union(*(self.words(e, function, seen) for e in node.elts))
        if isinstance(node, ast.Starred):
            return self.words(node.value, function, seen)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and \
                getattr(node.args[1], "value", None) == "settings":
            return {PASSED_ON}
        if isinstance(node, ast.Attribute) and node.attr == "settings":  # `e.settings` of an error caught and re-raised
            return {PASSED_ON}
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "replace":  # name.replace("_", "-")
            return self.words(node.func.value, function, seen)
        if isinstance(node, ast.JoinedStr) and len(node.values) == 2:  # f"{kind}_layers"
            head, tail = node.values
            return {w + tail.value for w in self.words(head.value, function, seen)}
        if isinstance(node, ast.Name):  # once on each path: a function that calls itself adds nothing new
            here = (node.id, id(function))
            return set() if here in seen else self._name(node.id, function, seen | {here})
        raise AssertionError(f"cannot follow {ast.unparse(node)} in {function.name} back to its words")

    def _name(self, name: str, function: ast.AST, seen: frozenset) -> set[str]:
        """What `name` holds in `function`: a loop's variable, an assigned name, or a parameter (its default and
        what each call passes it; for **kwargs, the names of the keywords passed)."""
        for node in ast.walk(function):
            if isinstance(node, ast.For) and name in {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
                return self._looped(name, node, function, seen)
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
                return self.words(node.value, function, seen)
        args = function.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        if name not in positional + [a.arg for a in args.kwonlyargs + [args.vararg, args.kwarg] if a]:
            raise AssertionError(f"cannot follow {name} in {function.name} back to its words")
        found = set()
        for default, arg in zip(reversed(args.defaults), reversed(args.args)):
            found |= self.words(default, function, seen) if arg.arg == name else set()
        for default, arg in zip(args.kw_defaults, args.kwonlyargs):
            found |= self.words(default, function, seen) if arg.arg == name and default else set()
        for call in self.calls.get(function.name, []):
            caller = getattr(call, "owner", None)
            given = [k.value for k in call.keywords if k.arg == name]
            if name in positional:
                index = positional.index(name) - (positional[:1] == ["self"])
                given += call.args[index:index + 1]
            elif args.vararg and args.vararg.arg == name:
                given += call.args[len(positional):]
            elif args.kwarg and args.kwarg.arg == name:
                found |= {k.arg for k in call.keywords}
            found |= set().union(*(self.words(g, caller, seen) for g in given)) if caller else set()
        return found

    def _looped(self, name: str, loop: ast.For, function: ast.AST, seen: frozenset) -> set[str]:
        source = loop.iter
        if isinstance(source, ast.Call) and getattr(source.func, "attr", None) == "items":  # **allowed
            return self.words(source.func.value, function, seen)
        if isinstance(loop.target, ast.Tuple):  # for kind, layers in (("content", ...), ...): the kind's column
            column = [getattr(t, "id", None) for t in loop.target.elts].index(name)
            return set().union(*(self.words(row.elts[column], function, seen) for row in source.elts))
        return self.words(source, function, seen)


def _words() -> set[str]:
    source = _Source()
    return set().union(*(source.words(value, function) for function, value in source.settings())) - {PASSED_ON}


def _options() -> set[str]:
    def commands(group):
        for command in group.commands.values():
            yield from commands(command) if hasattr(command, "commands") else [command]
    return {o for c in commands(typer.main.get_command(cli.app)) for p in c.params for o in p.opts + p.secondary_opts}


def test_every_setting_a_refusal_names_is_a_flag_the_cli_has():
    words, options = _words(), _options()
    assert {"overwrite", "output path", "animation path", "save_every", "style blend", "init"} <= words, words
    as_flags = {w for w in words if w.startswith("--")}  # bench's refusals name its flags already
    settings = {re.sub(r"[- ]", "_", w) for w in words - as_flags}  # as InputError keeps them
    assert as_flags <= options, as_flags - options
    assert settings - set(NO_FLAG) <= set(FLAGS), settings - set(NO_FLAG) - set(FLAGS)
    flags = {v.split()[0] for v in FLAGS.values()}  # "--region-style {}=PAINTING": the flag and the form it takes
    assert flags <= options, flags - options
    fields = {f.name for f in dataclasses.fields(StyleConfig)}
    assert set(FLAGS) <= settings | fields, set(FLAGS) - settings - fields  # no entry for a word nothing says
    assert not set(FLAGS) & set(NO_FLAG)
