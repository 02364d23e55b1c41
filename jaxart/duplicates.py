"""A value listed twice, which a list of layers, sweep settings or benchmark options refuses."""

from collections.abc import Hashable, Iterable


def repeated(values: Iterable[Hashable]) -> Hashable | None:
    """The first of `values` seen before (1 and 1.0 alike), else None; for refusing a value listed
    twice (a layer, a sweep setting, a benchmark size), in one pass over a set."""
    seen = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return None
