"""The memory a compilation leaves behind: handed back to the system before the program runs.

XLA:CPU's compiler (LLVM) allocates and frees a few hundred MiB in many small blocks. glibc's malloc
keeps what was freed, in pieces too small for an evaluation's large buffers, so a run that compiled
its loss+gradient held ~180 MiB more through its steps than one that loaded it from the compile
cache: `jaxart stylize --model vgg16-hed --size 512 --steps 3` peaked at 1094 MiB compiling, 912
MiB loading, and 919 MiB compiling with one `malloc_trim` after the step's compile, which took 19 ms
(BENCHMARKS.md, "Process peak at 512 px, compiling included"). JAX reports each compile's duration
when it ends, before the program first runs: that is when `trimming` trims.

Global state (a JAX listener), so the library never turns it on by itself: the CLI runs within
`compile_cache.use`, which is within `trimming`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
from collections.abc import Callable, Iterator

import jax.monitoring

COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"  # jax._src.dispatch.BACKEND_COMPILE_EVENT
# Only after a compile this long: each trim walks the heap (~20 ms at 512 px), and a run's 15-20
# small programs leave little. 1 s missed `--conv direct`'s loss+gradient on a quiet machine
# (512 px, 3 steps: 1035-1037 MiB; 911-936 at 0.2 s, the same wall time; BENCHMARKS.md).
MIN_SECONDS = 0.2


def _glibc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none (macOS, musl)."""
    try:
        malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return lambda: malloc_trim(0)


@contextlib.contextmanager
def trimming(trim: Callable[[], object] | None = None, min_seconds: float | None = None) -> Iterator[None]:
    """Within: after every compile of `min_seconds` (MIN_SECONDS) or longer, `trim()` (glibc's `malloc_trim(0)` by
    default; nothing where there is none) hands malloc's free memory back before the program runs."""
    trim, min_seconds = trim or _glibc_trim(), MIN_SECONDS if min_seconds is None else min_seconds
    if trim is None:
        yield
        return

    def listener(event: str, seconds: float, **_) -> None:
        if event == COMPILE_EVENT and seconds >= min_seconds:
            trim()

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
