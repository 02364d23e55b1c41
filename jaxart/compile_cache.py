"""Compiled programs kept between runs: JAX's persistent compilation cache, in a folder per CPU.

Every `jaxart stylize` used to compile its loss+gradient step and its target programs afresh,
before the first step. JAX can keep the compiled programs on disk; a later run with the same
shapes and settings loads them instead: a 3-step run took 6.4 s instead of 15.1 s at 256 px on
2 cores (BENCHMARKS.md, "Compile cache", with the command). The library never turns this on by
itself (it would be global state): the CLI runs inside `use`, which finds the folder, enables
the cache, turns JAX's cache warnings into one line for each kind of trouble, and puts JAX's
settings back when it ends.

The folder is per CPU because XLA:CPU compiles for every instruction-set feature of the machine
that compiles, and jaxlib 0.10.2 loads a program compiled elsewhere after only logging the
mismatch ("This could lead to execution errors such as SIGILL"): a home folder shared by
different machines must not share programs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import platform
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import jax

from jaxart import cache_home, compile_memory
from jaxart.cache_home import ENV
from jaxart.probe import probe_folder, why_not
# Every program, the small ones too: at 0.5 s, 17 of a 256 px run's 20 programs (the margin's, the
# photo's features, the optimizer's starting state: 0.005-0.2 s each) were compiled again by every
# run, 0.28 s of CPU, where loading one takes about 0.01 s; they add about 45 KB per size and
# settings (BENCHMARKS.md, "A run outside its steps").
MIN_COMPILE_SECONDS = 0.0
_SETTINGS = ("jax_compilation_cache_dir", "jax_persistent_cache_min_compile_time_secs",
             "jax_persistent_cache_enable_xla_caches")  # what `enable` sets, and `use` restores
_JAX_WARNING = re.compile(r"Error (?P<verb>reading|writing) persistent compilation cache entry for "
                          r"'(?P<module>[^']+)': (?P<detail>.*)", re.S)


def machine_tag() -> str:
    """A short name for this machine's instruction set: its architecture and the first CPU's flags."""
    text = platform.machine() + platform.processor()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if not line.strip():
                break  # the first processor is enough
            if line.split(":")[0].strip() in ("vendor_id", "model name", "flags", "CPU implementer",
                                              "CPU part", "Features"):
                text += line
    return f"{platform.machine() or 'cpu'}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def folder(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where this machine's compiled programs are kept, or None for no cache.

    `$JAXART_CACHE_DIR` (`off` for none), else `$XDG_CACHE_HOME/jaxart/xla` (an absolute one), else
    `~/.cache/jaxart/xla`; in a sub-folder named by `machine_tag`. None as well when the user set
    JAX's own `JAX_COMPILATION_CACHE_DIR`, which JAX then uses as it is.

    Raises:
        cache_home.NoHomeError (a RuntimeError): a home folder to expand (`~` or `~user`) is not known.
    """
    if cache_home.off(environ) or ENV not in environ and environ.get("JAX_COMPILATION_CACHE_DIR"):
        return None
    base = cache_home.jaxart_folder(environ)
    return (base if environ.get(ENV) else base / "xla") / machine_tag()


def enable(path: Path) -> None:
    """Point JAX's persistent compilation cache at `path`, before anything compiles.

    Raises:
        OSError: `path` cannot be created or written.
    """
    probe_folder(path)  # names the folder that takes no file: mkdir's ENOENT on /proc named the one it would make
    path.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:  # the user's choice wins
        jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    if jax.default_backend() == "cpu" and "JAX_PERSISTENT_CACHE_ENABLE_XLA_CACHES" not in os.environ:
        # JAX also points XLA's GPU autotuning cache into the folder, which writes the folder's path
        # into every program's compile options and so into its key: a copied or moved folder missed.
        jax.config.update("jax_persistent_cache_enable_xla_caches", None)
    _reopen()


def _reopen() -> None:
    """Make JAX open its cache afresh at the next compile: it opens it once per process, and a
    process that compiled before the folder was set would otherwise never use it."""
    from jax.experimental.compilation_cache import compilation_cache

    compilation_cache.reset_cache()


def _in_the_way(path: Path) -> Path | None:
    """The outermost of `path` and its parents that exists but is not a folder (a file, a broken link)."""
    for p in reversed((path, *path.parents)):
        if os.path.lexists(p) and not os.path.isdir(p):
            return p
    return None


def _failed_entry(path: Path, name: str) -> Path | None:
    """The entry in `path` that JAX has just failed to read or write, or None when that cannot be told.

    JAX's usual warning names only the program ('jit_step'), which every size and setting of it
    shares, so deleting by that name would delete valid entries too. The entry's key is found
    instead in the JAX frame that was reading or writing it (jaxlib 0.10.2: `compiler._cache_read` or
    `_cache_write`, whose warning this is); a key of another program, or one with no entry here, is not taken.
    """
    keys = [name]  # JAX's other read warning (PGLE's `_is_executable_in_cache`) names the key itself
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("jax."):
            key = frame.f_locals.get("cache_key")
            if isinstance(key, str) and key.startswith(f"{name}-"):
                keys.append(key)
                break
        frame = frame.f_back
    for key in keys:
        if key and os.path.basename(key) == key and key not in (".", ".."):
            entry = path / f"{key}-cache"
            if os.path.lexists(entry):
                return entry
    return None


def _remove(entry: Path) -> OSError | None:
    """Removes `entry` so that JAX writes it again (JAX never overwrites one); the error if not."""
    try:
        if entry.is_dir() and not entry.is_symlink():
            entry.rmdir()  # only an empty folder: one with something in it is someone's, not JAX's
        else:
            entry.unlink()
    except FileNotFoundError:
        pass  # another run removed it first
    except OSError as e:
        return e
    return None


@contextlib.contextmanager
def _reporting(path: Path, warn: Callable[[str], None]) -> Iterator[None]:
    """Within: JAX's warnings about cache entries become one line for each kind of trouble.

    An entry that cannot be read (truncated by a killed process, say) is deleted when JAX reports
    it, so the program JAX compiles instead is written in its place; otherwise JAX would keep the
    broken entry and warn on every run. Only that entry: the program's other sizes and settings
    are valid. One that cannot be deleted (a folder with files in it) is left, and said so. An entry that could not
    be written whole (a full disk) is deleted too. Other warnings pass through unchanged.
    """
    said: set[str] = set()
    with warnings.catch_warnings():
        # Python shows a warning once per text and line: a second broken entry of the same
        # program, with the same error, would otherwise never reach `show`, nor be replaced.
        warnings.filterwarnings("always", message="Error (reading|writing) persistent compilation cache entry")
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            match = _JAX_WARNING.match(str(message))
            if match is None:
                return shown(message, category, filename, lineno, file, line)
            verb, name, detail = match["verb"], match["module"], " ".join(match["detail"].split())[:200]
            if verb == "writing" and not path.is_dir():  # `rm -rf` of the cache while this run worked
                kind, text = "removed", (f"compile cache {path} was removed while this run worked; its programs are "
                                         "not kept this time, and the next run creates the folder again")
            elif verb == "writing":
                if (entry := _failed_entry(path, name)) is not None:
                    _remove(entry)  # JAX writes in place: a full disk leaves a truncated entry the next run reads
                kind, text = verb, (f"compile cache {path}: could not write an entry ({detail}); compiled programs "
                                    f"are not kept. Free space there, or set {ENV} to another folder or to 'off'")
            elif (entry := _failed_entry(path, name)) is None:
                kind, text = "unknown", (f"compile cache {path}: an entry of '{name}' could not be read ({detail}); "
                                         f"it was compiled again. If this is said on every run, delete {path}")
            elif (error := _remove(entry)) is None:
                kind, text = "replaced", (f"compile cache {path}: an entry could not be read ({detail}); "
                                          f"it was compiled again and replaced")
            else:
                why = ("a folder with files in it" if error.errno in (errno.ENOTEMPTY, errno.EEXIST)
                       else error.strerror or str(error))
                kind, text = "kept", (f"compile cache {path}: an entry cannot be read and is left in place "
                                      f"({why}), so '{name}' is compiled again on every run. Remove {entry}, "
                                      f"or set {ENV} to another folder")
            if kind not in said:
                said.add(kind)
                warn(text)

        warnings.showwarning = show
        yield


@contextlib.contextmanager
def use(warn: Callable[[str], None], environ: Mapping[str, str] = os.environ) -> Iterator[Path | None]:
    """Within: compiled programs are kept in and loaded from `folder()`; yields it (None: no cache).
    After it, JAX's cache settings are as they were before.

    A folder that cannot be written is one warning, and the run goes on without a cache.
    """
    saved = {name: getattr(jax.config, name) for name in _SETTINGS}
    try:  # a compile's freed memory is handed back too (compile_memory): a loaded program leaves none
        with _enabled(warn, environ) as path, compile_memory.trimming():
            yield path
    finally:
        if any(getattr(jax.config, name) != value for name, value in saved.items()):
            for name, value in saved.items():
                jax.config.update(name, value)
            _reopen()


@contextlib.contextmanager
def _enabled(warn: Callable[[str], None], environ: Mapping[str, str]) -> Iterator[Path | None]:
    path = None
    try:
        path = folder(environ)
        if path is not None:
            enable(path)
    except (OSError, RuntimeError) as e:
        # mkdir says only "File exists" or "Not a directory" when a file stands where a folder goes.
        blocker = _in_the_way(path) if path is not None else None
        warn(f"cannot keep compiled programs in {path or environ.get(ENV) or '~/.cache'} "
             + (f"(a file is in the way: {blocker}); every run compiles afresh. Set {ENV} to another folder, "
                f"or to 'off', or move that file away" if blocker is not None else
                f"({isinstance(e, OSError) and why_not(e) or e}); every run compiles afresh. "
                f"Set {ENV} to a writable folder, or to 'off'"))
        path = None
    if path is None:
        yield None
        return
    with _reporting(path, warn):
        yield path
