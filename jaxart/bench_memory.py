"""Benchmarks: the peak memory of one evaluation, in a fresh process (host RSS, and device
memory on an accelerator). `jaxart bench --memory` prints these rows.

PyTorch's process imports neither JAX nor jaxart: it runs this file and bench_torch.py alone
(`_torch_child`), so that JAX's runtime and its copy of the weights, about 300 MiB at 64-128 px, are
not counted as PyTorch's. Hence the imports of jaxart and JAX inside the functions.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def device_peak_mb(device=None) -> float | None:
    """The accelerator's peak memory in use so far in this process, in MiB (None on CPU, whose
    devices keep no memory statistics: there the figure is the process's peak RSS)."""
    import jax

    stats = (device or jax.devices()[0]).memory_stats() or {}
    peak = stats.get("peak_bytes_in_use")
    return None if peak is None else peak / 2**20


def _rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_growth(fn, interval: float = 0.001) -> int:
    """Bytes by which resident memory peaks above its level before `fn()` runs (sampled)."""
    before, peak, done = _rss_now(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_now())
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        fn()
    finally:
        done.set()
        thread.join()
    return max(peak[0], _rss_now()) - before


def memory_row(size: int, framework: str = "jax", remat: bool = False, conv: str = "auto") -> dict:
    """Peak memory of one loss+gradient evaluation, measured in a fresh process.

    Returns `peak_rss_mb` (resident memory at the first evaluation's peak, sampled, after
    compilation and after malloc has handed back what it held free), `eval_growth_mb` (how far
    that evaluation lifts resident memory), `process_peak_rss_mb` (the process's own peak, its
    start, compilation and targets included) and, for jax, `xla_temp_mb` (XLA's count of the
    program's temporary buffers: jaxart's real figure, as its sampled growth misses buffers the
    process already holds), `estimate_mb` (`jaxart.footprint.evaluation_bytes`) and `conv`. A fresh
    process, because a process's peak RSS never falls, so two frameworks in one cannot be told apart.
    """
    from jaxart.errors import JaxartError

    with tempfile.TemporaryDirectory(prefix="jaxart-bench-") as folder:
        if framework == "torch":  # the same inputs as jaxart's, handed over as arrays: no JAX in its process
            inputs = _torch_inputs(size, folder)
            code = (f"import importlib.util as u; s = u.spec_from_file_location('bench_memory', {__file__!r}); "
                    f"m = u.module_from_spec(s); s.loader.exec_module(m); m._torch_child({inputs!r})")
        else:
            code = (f"from jaxart import bench_memory; "
                    f"bench_memory._memory_child({size}, {framework!r}, {remat}, {conv!r})")
        # On a GPU the parent already holds JAX's preallocated pool (75% of the device): the child
        # allocates on demand instead, which also makes its peak the evaluation's own.
        # A program loaded from JAX's persistent cache would skip compilation's memory: compile afresh.
        env = {**os.environ, "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "JAX_ENABLE_COMPILATION_CACHE": "false"}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:  # its last line says why; none if the system killed it (out of memory)
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise JaxartError(f"the {framework} memory measurement at {size} px failed in its own process ({why}); "
                          "run bench without --memory, or at a smaller size")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    return row | {"conv": conv} if framework == "jax" else row  # as a timing row names it; torch's has no choice


def _memory_child(size: int, framework: str, remat: bool, conv: str = "auto") -> None:
    """jaxart's row (`framework` "jax"), printed as JSON: its compiled loss+gradient's first evaluation."""
    import jax

    from jaxart import footprint
    from jaxart.bench_setup import PAPER, compile_gradient, setup

    fun, x, _ = setup(size, config=PAPER.replace(remat=remat, conv=conv))
    compiled = compile_gradient(fun, x)
    row = {"estimate_mb": footprint.evaluation_bytes(size, size, remat=remat, conv=conv) / 2**20,
           "xla_temp_mb": compiled.memory_analysis().temp_size_in_bytes / 2**20}
    row = _first_evaluation(lambda: jax.block_until_ready(compiled(fun, x)), row, framework, size, remat)
    if (device_mb := device_peak_mb()) is not None:
        row["device_peak_mb"] = device_mb
    print(json.dumps(row))


def _torch_inputs(size: int, folder: str) -> str:
    """bench_setup's weights, images and loss settings at `size`, as arrays and JSON for `_torch_child`."""
    import numpy as np

    from jaxart.bench_setup import PAPER, inputs

    w, content, style = inputs(size)
    config = PAPER.replace(size=size)
    settings = {k: getattr(config, k) for k in ("content_layers", "style_layers", "style_blend", "pooling",
                                                "content_weight", "style_weight", "tv_weight")}
    settings |= {"layer_weights": config.layer_weights(), "size": size, "preprocess": [
        w.preprocess.kind, list(w.preprocess.mean), list(w.preprocess.std)]}
    path = os.path.join(folder, "inputs.npz")
    np.savez(path, content=content, style=style, **{f"{k}/{part}": np.asarray(v[part])
                                                      for k, v in w.params.items() for part in ("kernel", "bias")})
    Path(folder, "settings.json").write_text(json.dumps(settings))
    return path


def _torch_child(path: str) -> None:
    """PyTorch's row, printed as JSON: `_torch_inputs`' loss+gradient's first evaluation. Run from this file
    alone, with bench_torch.py beside it: neither JAX nor jaxart is imported."""
    from types import SimpleNamespace

    import numpy as np

    spec = importlib.util.spec_from_file_location("bench_torch", Path(__file__).with_name("bench_torch.py"))
    bench_torch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_torch)
    settings = json.loads(Path(path).with_name("settings.json").read_text())
    with np.load(path) as f:
        arrays = dict(f)
    params = {}
    for key, value in arrays.items():
        if "/" in key:
            layer, part = key.split("/")
            params.setdefault(layer, {})[part] = value
    kind, mean, std = settings.pop("preprocess")
    weights = SimpleNamespace(params=params, preprocess=SimpleNamespace(kind=kind, mean=mean, std=std))
    layer_weights = settings.pop("layer_weights")
    config = SimpleNamespace(**settings, layer_weights=lambda: layer_weights)
    model = bench_torch.TorchStyle(weights, arrays["content"], [arrays["style"]], config)
    evaluate = model.evaluator(arrays["content"])
    del arrays, params, weights  # the model holds its own copies, as a PyTorch program would hold them once
    row = _first_evaluation(evaluate, {}, "torch", settings["size"], False)
    print(json.dumps(row))


def _first_evaluation(evaluate, row: dict, framework: str, size: int, remat: bool) -> dict:
    """`row` with the memory figures of `evaluate()`'s first run in this process."""
    # The first evaluation: later ones reuse memory the process already holds, so their
    # growth reads near zero (BENCHMARKS.md), while the peak they need is the same.
    _release_free_memory()
    before = _rss_now()  # not ru_maxrss: a process started by another inherits its peak
    growth = peak_growth(evaluate)
    peak = (before + growth) / 2**20
    return row | {"framework": framework, "size": size, "remat": remat, "eval_growth_mb": growth / 2**20,
                  "peak_rss_mb": peak, "process_peak_rss_mb": max(peak, _peak_rss_mb())}  # VmHWM lags a little


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (Linux's VmHWM; ru_maxrss elsewhere, which may include its
    parent's at the fork)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _release_free_memory() -> None:
    """Hand memory that malloc holds but nobody uses back to the system, so that an evaluation
    reusing it shows as growth (glibc only; elsewhere nothing)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def format_memory(row: dict) -> str:
    estimate = (f"; XLA temporaries {row['xla_temp_mb']:.0f} MiB (estimate {row['estimate_mb']:.0f} MiB)"
                if "estimate_mb" in row else "")
    label = (" remat" if row.get("remat") else "") + (f" {row['conv']}" if "conv" in row else "")  # as format_row's
    device = f", device peak {row['device_peak_mb']:.0f} MiB" if "device_peak_mb" in row else ""
    return (f"{row['size']:>5} px{label}  {row['framework']}: one evaluation +{row['eval_growth_mb']:.0f} MiB"
            f"{estimate}{device}, resident at its peak {row['peak_rss_mb']:.0f} MiB"
            + (f" (process peak {row['process_peak_rss_mb']:.0f} MiB, its setup"
               f"{' and compiling' if row['framework'] == 'jax' else ''} included)"
               if "process_peak_rss_mb" in row else ""))
