"""Timings kept: what runs took on this machine, in a small file that the next run's estimate reads (duration.py).

The file is `timings.json` beside the compiled programs' folder (`~/.cache/jaxart`, `$XDG_CACHE_HOME/jaxart`, or
`$JAXART_CACHE_DIR`; `off` keeps none): the newest `KEEP` measurements, one a line, replaced whole under a lock
(`locks`, whose file goes as it lets go), so two runs that end together both land and neither leaves half a file.
A damaged or unreadable file is one warning and no estimate; a run never stops for it. Nothing here imports JAX
but `device` and `rows`, which a run, which has it loaded, and a sweep's dry run ask.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from jaxart import cache_home, locks, provenance
from jaxart.cache_home import ENV

NAME = "timings.json"
VERSION = 1
KEEP = 200  # measurements, newest kept: ~75 KiB (README)
_LOCK_WAIT = 5.0  # s; a run ends without keeping its times rather than wait longer on another's lock
# What a measurement holds (duration.py writes them), each of its type; "compile" and "start" (s: the command's before
# the run, `duration.Watch`) on a run's first scale, "load" (the 1-minute load average as the run started) where known,
# and the step's `SETTINGS` (`duration.settings`).
FIELDS = {"host": str, "device": str, "model": str, "conv": str, "optimizer": str, "rows": int, "size": int,
          "per_step": float, "steps": int, "at": int}
NUMBERS = ("compile", "start", "load")
# Timings kept before all of these were (2026-12-06, until 03b06f4) are left out, and gone from the file as the next
# run's are added: they were kept of every run, so one may be a --linesearch zoom run's (a step 2.2-4.4x a plain one's)
# or a --loop scan run's (2.5-3.3x), and counted as a plain run's it made that estimate 2-4x too long.
SETTINGS = {"remat": bool, "linesearch": str, "loop": str, "layers": str, "regions": int, "margin": int}


# What a timing is kept by besides its settings: the machine, and how busy it was.
def host() -> str:
    """This machine as its CPU's speed depends on it: "AMD EPYC 9R14, 2 cores" (the cores this process may use)."""
    cores = provenance.cores()
    return f"{provenance.cpu_model()}, {cores} core{'s' * (cores != 1)}"


def load() -> float | None:
    """The machine's load now, as `uptime` says it: the 1-minute load average; None where the system has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


# A process older than this at the command's call was not started for the command (a test runner's, a notebook's):
# Python's start and the imports before it took 1.0-1.2 s on 2 cores at load 10 (BENCHMARKS.md, "The rest of what the
# ETA leaves out").
FRESH_S = 30.0


def started(called: float, *, clock: Callable[[], float] = time.monotonic, stat: Path = Path("/proc/self/stat"),
            boot: Callable[[], float] | None = None) -> float:
    """When this process started, by `clock` (`time.monotonic`): Linux's `stat` start time (in clock ticks since boot)
    against the time since boot (`boot`, None: `CLOCK_BOOTTIME`), so a command's start counts Python's own and its
    imports; `called` (the command's call, by `clock`) where the system does not say it, or said it more than `FRESH_S`
    before."""
    try:
        since_boot = boot() if boot is not None else time.clock_gettime(time.CLOCK_BOOTTIME)
        ticks = int(stat.read_text().rsplit(")", 1)[1].split()[19])  # field 22; the name before ")" may hold spaces
        began = clock() - (since_boot - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, AttributeError, IndexError, ValueError):  # no /proc, no CLOCK_BOOTTIME (macOS)
        return called
    return began if 0 <= called - began <= FRESH_S else called


def device() -> str:
    """What computes the steps: "cpu", or an accelerator's platform and kind ("gpu NVIDIA H100 80GB HBM3")."""
    import jax

    d = jax.devices()[0]
    return "cpu" if d.platform == "cpu" else f"{d.platform} {d.device_kind}"


def rows(tiles: int) -> int:
    """A sweep's batch rows on each device: its `tiles` split over the local devices, the last padded."""
    from jaxart import devices  # without JAX where only the CPU is there: a dry run's estimate asks it

    return -(-tiles // devices.local_device_count())


def path(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where the timings are kept, None for nowhere: `$JAXART_CACHE_DIR/timings.json` (`off`: None), else
    `$XDG_CACHE_HOME/jaxart/timings.json` (an absolute one), else `~/.cache/jaxart/timings.json`; None where that
    needs a home folder and none is known: a run goes on without (compile_cache.py warns of that folder already)."""
    if cache_home.off(environ):
        return None
    try:
        return cache_home.jaxart_folder(environ) / NAME
    except cache_home.NoHomeError:
        return None


class Store:
    """The timings file at `where` (None: none kept); `warn` says, once, what went wrong with it (then `failed`)."""

    def __init__(self, where: Path | None, warn: Callable[[str], None]):
        self.path, self._warn, self.failed = where, warn, False

    def _say(self, text: str) -> None:
        if not self.failed:
            self.failed = True
            self._warn(f"{text}; estimates of how long a run takes are left out. Delete it, or set {ENV} to "
                       "another folder or to 'off'")

    def runs(self) -> list[dict]:
        """The measurements kept, oldest first; [] where there is no file, or none that can be read."""
        if self.path is None:
            return []
        if os.path.exists(self.path) and not (os.path.isfile(self.path) or os.path.isdir(self.path)):
            self._say(f"timings file {self.path} is not a regular file")  # a FIFO: reading it waited forever
            return []
        try:
            text = self.path.read_text()
        except (FileNotFoundError, NotADirectoryError):  # none yet, or no folder for it (see `add`)
            return []
        except OSError as e:
            self._say(f"timings file {self.path} cannot be read ({e.strerror or e})")
            return []
        except UnicodeDecodeError:
            text = ""
        try:
            return [r for r in json.loads(text)["runs"] if _valid(r)]
        except (ValueError, TypeError, KeyError):
            self._say(f"timings file {self.path} is damaged")
            return []

    def add(self, measured: Sequence[dict], **key: str | int | bool) -> None:
        """Appends `measured` (`Watch.measured()`), each with `key` (host, device, model, rows, the step's
        `duration.settings`) and the time, keeping the newest `KEEP`. A file that cannot be written is one warning; a
        folder that cannot be made or written is none, since a run's compile cache, kept in it too, has warned of it
        already."""
        if self.path is None or not measured:
            return
        at = round(time.time())
        new = [{**key, **m, "at": at} for m in measured]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        try:
            with _locked(self.path) as held:
                if not held:  # another run has held it for seconds, or the folder is not writable: not kept
                    return
                kept = [] if self.failed else self.runs()  # a damaged file, already said, is started afresh
                _replace(self.path, [*kept, *new][-KEEP:])
        except OSError as e:
            self._say(f"timings file {self.path} cannot be written ({e.strerror or e})")


def _valid(r) -> bool:
    return (isinstance(r, dict) and all(isinstance(r.get(k), t) and not isinstance(r.get(k), bool)
                                        for k, t in FIELDS.items())
            and r["size"] > 0 and r["rows"] > 0 and 0 < r["per_step"] < math.inf
            and all(k not in r or type(r[k]) in (int, float) and 0 <= r[k] < math.inf for k in NUMBERS)
            and all(type(r.get(k)) is t for k, t in SETTINGS.items()))


@contextlib.contextmanager
def _locked(where: Path) -> Iterator[bool | None]:
    """Holds `where`'s lock (`locks.take`: a hidden file beside it, removed as it lets go) within; yields False where
    another process held it for `_LOCK_WAIT` s, None where the lock file cannot be made (a read-only folder)."""
    deadline = time.monotonic() + _LOCK_WAIT
    with contextlib.ExitStack() as held:
        while True:
            try:
                locks.take(held, where.with_name(f".{where.name}.lock"), wait=False)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.05)
            except OSError:
                yield None
                return
        yield True


def _replace(where: Path, runs: Sequence[dict]) -> None:
    """Writes `runs` to `where` whole, one a line: a temporary beside it, then renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=f".{where.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write('{"version": %d, "runs": [\n%s\n]}\n' % (VERSION, ",\n".join(map(json.dumps, runs))))
        os.replace(tmp, where)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
