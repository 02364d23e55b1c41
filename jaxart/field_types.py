"""Whether a value, as JSON gives it, fits a `StyleConfig` field's type annotation (`StyleConfig.from_dict`)."""

from __future__ import annotations

_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def typed(annotation: str, value) -> bool:
    """Whether `value` (as JSON gives it: a list for a tuple) fits a field annotated `annotation`,
    e.g. "int", "str | None", "tuple[float, ...] | None"."""
    kind, optional = annotation.removesuffix(" | None"), annotation.endswith(" | None")
    if value is None:
        return optional
    is_a = lambda v, types: isinstance(v, types) and (isinstance(v, bool) == (bool in types))  # noqa: E731
    if kind.startswith("tuple["):
        return isinstance(value, (list, tuple)) and all(is_a(v, _TYPES[kind[6:].split(",")[0]]) for v in value)
    return is_a(value, _TYPES[kind])
