"""Benchmarks: loss+gradient time, compile time, GFLOP/s, page faults and optimizer overhead (VGG19),
measured side by side (`measure`) and printed as a row (`format_row`).

Random weights are used: timing does not depend on the values (bench_setup.py; what is timed beside
an evaluation: bench_steppers.py). Figures belong in BENCHMARKS.md next to the command that
produced them, never in timed unit tests.
"""

from __future__ import annotations

import resource
import statistics
import time

import jax

from jaxart import layers
from jaxart.bench_memory import device_peak_mb
from jaxart.bench_setup import PAPER, compile_gradient, setup
from jaxart.bench_steppers import evaluator, optimizer_only, stepper, torch_steppers
from jaxart.convs import run_gradient
from jaxart.photo_size import deepest


LOOPS = ("python", "scan", "zoom")
BASELINES = ("torch",)


def measure(size: int, repeats: int = 3, loops: tuple[str, ...] = ("python",), baseline: str | None = None,
            remat: bool = False, convs: tuple[str, ...] = ("auto",)) -> dict:
    """Seconds per loss+gradient, compile time, GFLOP/s, peak RSS and per-step optimizer cost.

    `loops` picks L-BFGS step variants to time: "python" (unit step, Python loop over a jitted
    step: the CPU default), "scan" (the same step inside a jitted lax.scan chunk) and "zoom"
    (optax's zoom line search, Python loop). `baseline="torch"` times the same loss and a
    `torch.optim.LBFGS` step in PyTorch, interleaved with jaxart's, and adds the ratios.
    `convs` are convolution choices (convs.CONVS): the first is timed throughout, each other's
    evaluation beside it (`eval_s_<conv>`, `conv_ratio_<conv>`: its time / the first's).
    `repeats_s` holds each repeat's value behind every median in seconds (per evaluation or step), by its key.
    With the "python" loop, `optimizer_s` is the optimizer's own work in a step, timed alone
    (`overhead_optimizer`: its share of an evaluation), which step / evaluation is too noisy to show.

    GFLOP/s counts the FLOPs of direct convolutions (XLA's cost analysis of that program), so
    that a Winograd row's figure is comparable: it does the same work in fewer operations. They are
    its 13 convolutions' products, forward and back to the image (none for the weights; XLA leaves
    out those with the zero padding: 5.31 of 5.61 GFLOP at 64 px), and the Gram matrices' (~5%).
    """
    peak_before = _rss_mb()  # the process's, MiB
    fun, x, config = setup(size, config=PAPER.replace(remat=remat, conv=convs[0]))
    t = time.perf_counter()
    compiled = compile_gradient(fun, x)
    compile_s = time.perf_counter() - t
    # Counted without --remat too: its recomputed forward pass is extra work, not more done.
    plain = config.replace(conv="direct", remat=False)
    direct = (fun, x) if config == plain else setup(size, config=plain)[:2]
    flops = _direct_flops(*direct)
    evaluate = lambda: jax.block_until_ready(compiled(fun, x))
    evaluate()
    steppers, carries = {}, {}
    for loop in loops:
        steppers[loop], carries[loop] = stepper(fun, x, loop, repeats)
    if "python" in loops:  # from the state the python row reached, before it steps on
        steppers["optimizer"] = optimizer_only(fun, carries["python"], compiled(fun, x))
    for conv in convs[1:]:
        steppers[f"conv_{conv}"] = evaluator(size, config.replace(conv=conv))
    if baseline == "torch":
        steppers.update(torch_steppers(size))
    # Interleave evaluations and steps: this machine is shared and noisy, so only ratios
    # of timings taken side by side mean anything.
    times: dict[str, list[float]] = {"eval": [], **{loop: [] for loop in steppers}}
    faults = dict.fromkeys(times, 0.0)  # minor page faults per call: fresh memory being zeroed
    for _ in range(repeats):
        for name, fn in (("eval", evaluate), *steppers.items()):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            times[name].append(_seconds(fn) / (repeats if name == "scan" else 1))
            faults[name] += (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / repeats
    eval_s = statistics.median(times["eval"])
    gradient = run_gradient(convs[0], layers.CHANNELS, (size, size), int(deepest(config)[0][4]))  # PAPER: no margin
    row = {"size": size, "remat": remat, "conv": convs[0], "gradient": gradient,
           "compile_s": compile_s, "eval_s": eval_s,
           "gflop": flops / 1e9, "gflops": flops / 1e9 / eval_s, "faults_eval": faults["eval"]}
    for conv in convs[1:]:
        row[f"eval_s_{conv}"] = statistics.median(times[f"conv_{conv}"])
        row[f"conv_ratio_{conv}"] = statistics.median(a / b for a, b in zip(times[f"conv_{conv}"], times["eval"]))
    if "optimizer" in times:
        row["optimizer_s"] = statistics.median(times["optimizer"])
        row["overhead_optimizer"] = statistics.median(o / e for o, e in zip(times["optimizer"], times["eval"]))
    for loop in (k for k in steppers if not k.startswith(("torch", "conv_", "optimizer"))):
        row[f"step_s_{loop}"] = statistics.median(times[loop])
        # The median of side-by-side ratios, like the torch ratios: robust to the machine's drift.
        row[f"overhead_{loop}"] = statistics.median(s / e for s, e in zip(times[loop], times["eval"])) - 1
    if baseline == "torch":
        row["torch_faults_eval"] = faults["torch_eval"]
        row.update(_ratios(times, "eval", "torch_eval", "eval"))
        if "python" in times:
            row.update(_ratios(times, "python", "torch_step", "step"))
    # Each repeat's seconds behind each median above, by its key: the spread that a median hides.
    names = {"eval_s": "eval", "optimizer_s": "optimizer", "torch_eval_s": "torch_eval", "torch_step_s": "torch_step",
             **{f"eval_s_{c}": f"conv_{c}" for c in convs[1:]}, **{f"step_s_{loop}": loop for loop in loops}}
    row["repeats_s"] = {key: times[name] for key, name in names.items() if key in row}
    row["process_peak_rss_mb"] = _rss_mb()  # the process's so far: earlier rows included (--memory: alone)
    row["process_peak_of"] = peak_of(peak_before, row["process_peak_rss_mb"], baseline)
    if (device_mb := device_peak_mb()) is not None:
        row["device_peak_mb"] = device_mb
    return row


# What a row's process peak is of, as its line says it: the process's peak so far, which this row raised ("jaxart")
# or not ("before": an earlier size's row or sweep), with torch's in it where this row ran the torch baseline in the
# same process. `--memory` measures each framework's alone, in a fresh process (bench_memory.py).
PEAK_OF = {"jaxart": "", "jaxart and torch": " (jaxart's and torch's together; --memory: each alone)",
           "before": " (reached before this size)"}


def peak_of(before: float, peak: float, baseline: str | None) -> str:
    """What a row's process `peak` (MiB) is of (a `PEAK_OF` key), from the peak `before` the row and its `baseline`."""
    return "before" if peak <= before else "jaxart and torch" if baseline == "torch" else "jaxart"


def _direct_flops(fun, x) -> float:
    """FLOPs of one loss+gradient of `fun` (direct convolutions), from XLA's analysis of the lowered program."""
    lowered = jax.jit(lambda f, x: jax.value_and_grad(f, has_aux=True)(x)).lower(fun, x)
    return (lowered.cost_analysis() or {}).get("flops", float("nan"))


def _ratios(times: dict, ours: str, theirs: str, name: str) -> dict:
    """Median seconds of both and the median and minimum of the per-repeat ratio ours/theirs."""
    ratios = [a / b for a, b in zip(times[ours], times[theirs])]
    return {f"torch_{name}_s": statistics.median(times[theirs]), f"ratio_{name}_median": statistics.median(ratios),
            f"ratio_{name}_min": min(ratios)}


def _seconds(fn) -> float:
    """Seconds `fn()` took, or the seconds it returns (its own timing, leaving out its setup)."""
    t = time.perf_counter()
    own = fn()
    return own if isinstance(own, float) else time.perf_counter() - t


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _count(n: float) -> str:
    """A count as the table shows it: 940, 94k."""
    return f"{n:.0f}" if n < 1e4 else f"{n / 1e3:.0f}k"


def _rate(gflops: float) -> str:
    """GFLOP/s as the table shows it: 140, or 0.49 for a tiny row (not 0)."""
    return f"{gflops:.0f}" if not gflops < 10 else f"{gflops:.2g}"


def _spread(row: dict, key: str) -> str:
    """The range of `key`'s repeats as the table shows it, " [0.085-0.090]"; nothing for one repeat."""
    seconds = row.get("repeats_s", {}).get(key, ())
    return f" [{min(seconds):.3f}-{max(seconds):.3f}]" if len(seconds) > 1 else ""


def format_row(row: dict) -> str:
    """`measure`'s row as `jaxart bench` prints it: one line, then one per other convolution and torch figure."""
    loops = " ".join(f"step[{k[7:]}] {v:.3f} s{_spread(row, k)} ({row['overhead_' + k[7:]]:+.1%})"
                     for k, v in row.items() if k.startswith("step_s_"))
    if "optimizer_s" in row:
        ms = row["optimizer_s"] * 1e3
        loops += f" optimizer {ms:.{2 if ms < 10 else 0}f} ms ({row['overhead_optimizer']:.1%})"
    torch = "".join(
        f"\n        torch {name} {row[f'torch_{name}_s']:.3f} s{_spread(row, f'torch_{name}_s')}; jaxart/torch "
        f"{row[f'ratio_{name}_median']:.2f} (median), {row[f'ratio_{name}_min']:.2f} (min)"
        for name in ("eval", "step") if f"torch_{name}_s" in row
    )
    faults = f"  page faults/eval {_count(row['faults_eval'])}" if "faults_eval" in row else ""
    if "torch_faults_eval" in row:
        faults += f" (torch {_count(row['torch_faults_eval'])})"
    label = (" remat" if row.get("remat") else "") + (f" {row['conv']}" if "conv" in row else "")
    label += f" ({row['gradient']} gradient)" if row.get("conv") == "auto" and "gradient" in row else ""
    convs = "".join(f"\n        eval[{k[7:]}] {v:.3f} s{_spread(row, k)} ({row['conv_ratio_' + k[7:]]:.2f}x)"
                    for k, v in row.items() if k.startswith("eval_s_"))
    device = f"device peak {row['device_peak_mb']:.0f} MiB, " if "device_peak_mb" in row else ""
    return (f"{row['size']:>5} px{label}  eval {row['eval_s']:.3f} s{_spread(row, 'eval_s')}  "
            f"{_rate(row['gflops'])} GFLOP/s ({row['gflop']:.3g} GFLOP)  compile {row['compile_s']:.1f} s  "
            f"{device}process peak {row['process_peak_rss_mb']:.0f} MiB{PEAK_OF.get(row.get('process_peak_of'), '')}  "
            f"{loops}{faults}{convs}{torch}")
