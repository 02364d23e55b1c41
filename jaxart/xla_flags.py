"""XLA_FLAGS checked before JAX starts: XLA reads the variable as its backend starts and ends the process itself
(exit 1) at a flag it does not know, a value it cannot read or a word that is no flag, with its own log line or its
list of ~90 flags. A child Python that makes XLA read them alone tells, and its line can be said as one of ours.

The child imports jaxlib, not jax, and builds XLA's compile options, which read XLA_FLAGS: 0.22-0.30 s where a JAX
start takes 1.9-2.1 s (`/usr/bin/time python -c CHILD` against `-c "import jax; jax.devices()"`, 3 each; a 2-core AMD
EPYC, load 1.7, 2026-12-06 21:52 UTC); so only where XLA_FLAGS is set and a run will start JAX anyway.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

_CHILD = "from jaxlib import xla_client; xla_client.CompileOptions()"
# glog's prefix: severity, date, time, thread, file:line] message
_LOGGED = re.compile(r"^[EF]\d{4} \S+\s+\d+ [^\]]*\] (.+)$", re.MULTILINE)


def refusal(env: dict[str, str] | None = None) -> str | None:
    """Why XLA refuses the XLA_FLAGS of `env` (os.environ by default): its first logged line, without glog's
    prefix. None where XLA_FLAGS is unset or blank, XLA takes it, or the child ends for any other reason (the run
    then starts and finds out itself)."""
    if not (os.environ if env is None else env).get("XLA_FLAGS", "").strip():
        return None
    try:
        child = subprocess.run([sys.executable, "-c", _CHILD], env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, errors="replace", timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    logged = _LOGGED.search(child.stderr) if child.returncode else None
    return logged[1].strip().rstrip(".") if logged else None
