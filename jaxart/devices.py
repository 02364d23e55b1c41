"""Which devices a run would use, answered without importing JAX where it could use nothing but the CPU.

Importing jax, flax and optax took ~1.5-2 s of a 2.2-2.7 s `--dry-run` on 2 cores. Where an accelerator may be
present (a CUDA, ROCm or TPU plugin installed, or JAX_PLATFORMS naming one), JAX is asked: correct beats fast.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import sys

# What JAX looks for (jax/_src/xla_bridge.py, jax/_src/lib): plugins in the `jax_plugins` namespace package or
# entry-point group (jax-cuda12-plugin, jax-rocm7-plugin, jax-metal...), the CUDA kernels' modules, and libtpu.
_MODULES = ("jax_plugins", "jax_cuda13_plugin", "jax_cuda12_plugin", "libtpu")
_FORCED = re.compile(r"--xla_force_host_platform_device_count=(\d+)")


def cpu_only() -> bool:
    """True where JAX could use only the CPU: JAX_PLATFORMS names only `cpu`, or, unset, no accelerator plugin is
    installed (looked up as JAX looks them up, nothing imported)."""
    platforms = [p.strip().lower() for p in os.environ.get("JAX_PLATFORMS", "").split(",") if p.strip()]
    if platforms:
        return set(platforms) == {"cpu"}
    return not os.environ.get("TPU_LIBRARY_PATH") and not _plugins_installed()


# Not cached: each look reads the installed packages (2.2 ms of CPU), and the memory estimate asks once, not per layer
# (3 looks in a stylize dry run, 8 in a sweep's), so a plugin installed since is seen as JAX would see it.
def _plugins_installed() -> bool:
    return (any(importlib.util.find_spec(m) is not None for m in _MODULES)
            or bool(importlib.metadata.entry_points(group="jax_plugins")))


def platform() -> str:
    """The platform of JAX's default backend: "cpu", "gpu", "tpu"... (`jax.default_backend()`)."""
    if "jax" not in sys.modules and cpu_only():  # where JAX is loaded, asking it costs nothing
        return "cpu"
    import jax  # an accelerator may be present: only JAX can say

    return jax.default_backend()


def host_devices() -> int:
    """How many CPU devices JAX makes: JAX_NUM_CPU_DEVICES (jax_num_cpu_devices) where set to 1 or more, else the
    last --xla_force_host_platform_device_count=N of XLA_FLAGS, else 1."""
    count = os.environ.get("JAX_NUM_CPU_DEVICES", "").strip()
    if count.isdigit() and int(count) > 0:  # 0 fails JAX's start; -1, its default, leaves it to XLA_FLAGS
        return int(count)
    forced = _FORCED.findall(os.environ.get("XLA_FLAGS", ""))
    return max(int(forced[-1]), 1) if forced else 1


def local_device_count() -> int:
    """`jax.local_device_count()`, without JAX where it could use only the CPU."""
    if "jax" not in sys.modules and cpu_only():
        return host_devices()
    import jax  # an accelerator may be present: only JAX can say

    return jax.local_device_count()


def other_split(ran: object) -> int | None:
    """The devices JAX has here where a sweep's batch was split over another number, `ran` (its checkpoint's or
    sheet record's count), which rounds otherwise; None where the same, or where `ran` is no count (older files)."""
    if not isinstance(ran, int) or isinstance(ran, bool):
        return None
    return here if (here := local_device_count()) != ran else None
