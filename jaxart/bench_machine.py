"""What ran a benchmark: the machine, its settings that move timings, and its own matmul peak."""

from __future__ import annotations

import os
import platform
import statistics
import time

import jax
import jax.numpy as jnp
import jaxlib

from jaxart import provenance

# Environment variables that change what is compiled or how many threads run it: XLA's and JAX's
# settings (XLA_FLAGS, JAX_ENABLE_X64, ...), OpenMP's and the BLAS libraries' (the PyTorch
# baseline's threads), and which accelerators are visible.
TIMING_ENV = ("XLA_", "JAX_", "TPU_", "OMP_", "KMP_", "MKL_", "OPENBLAS_", "CUDA_VISIBLE_DEVICES", "TORCH_")


def machine() -> dict:
    """What ran the benchmark: devices, CPU, versions, and the environment's settings that move
    timings (`environment`, TIMING_ENV's; `malloc`, glibc's: they change how often large buffers
    are page-faulted in, which moved PyTorch's time at 512 px by ~20% and jaxart's by 3-9%,
    BENCHMARKS.md, Issue 5, "Third pass: the allocator"), and `load_average` (1, 5 and 15 minutes;
    None where unknown): on a busy machine PyTorch's OpenMP threads slow far more than XLA's, so
    that its ratios favour jaxart (64 px, load 8 on 2 cores: 0.30 s with 2 threads, 0.094 s with 1)."""
    malloc = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES"}
    return {"load_average": _load(), "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()],
            "cpu": provenance.cpu_model(), "cpus": provenance.cores(), "jax": jax.__version__,
            "jaxlib": jaxlib.__version__, "python": platform.python_version(), "malloc": malloc or "default",
            "environment": {k: v for k, v in sorted(os.environ.items()) if k.startswith(TIMING_ENV)}}


def format_machine(m: dict) -> str:
    """`machine()` as one line: "cpu (cpu:0), AMD EPYC, 2 cores; jax 0.10.2, jaxlib 0.10.2, Python
    3.11.7; environment: default" (else its settings, NAME=value)."""
    devices = ", ".join(m["devices"]) if len(m["devices"]) <= 4 else f"{len(m['devices'])} devices"
    settings = {**({} if m["malloc"] == "default" else m["malloc"]), **m["environment"]}
    env = " ".join(f"{k}={v}" for k, v in settings.items()) or "default"
    load = m.get("load_average")
    load = f"; load average {' '.join(f'{x:.2f}' for x in load)}" if load else ""
    cores = f"{m['cpus']} core{'s' * (m['cpus'] != 1)}"
    return (f"{m['backend']} ({devices}), {m['cpu']}, {cores}{load}; jax {m['jax']}, jaxlib {m['jaxlib']}, "
            f"Python {m['python']}; environment: {env}")


def _load() -> list[float] | None:
    """The system's load average over 1, 5 and 15 minutes, or None where the OS keeps none."""
    try:
        return list(os.getloadavg())
    except (OSError, AttributeError):
        return None


def matmul_peak(n: int = 2048, repeats: int = 5, dtype: str = "float32") -> float:
    """The machine's GFLOP/s on an n x n matmul of `dtype` operands with float32 sums, timed here
    (bfloat16: the rate of `conv="winograd-bf16"`'s gradient products)."""
    a = jnp.ones((n, n), dtype)
    f = jax.jit(lambda a: jnp.matmul(a, a, preferred_element_type=jnp.float32))
    f(a).block_until_ready()

    def seconds() -> float:
        t = time.perf_counter()
        f(a).block_until_ready()
        return time.perf_counter() - t

    return 2 * n**3 / statistics.median(seconds() for _ in range(repeats)) / 1e9
