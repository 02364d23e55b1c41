"""The model of how long a run has left: a step's cost by image side and convolutions, a later scale's targets and
compile, and the final loss and write after the last step. The steps bar (progress.py) and the estimate before a run
(duration.py) both use it."""

from __future__ import annotations

from collections.abc import Sequence


def scale_at(scales: Sequence[tuple[int, int]], step: int) -> tuple[int, int | None]:
    """The size of the scale that `step` belongs to, and the next scale's size if it is its last step."""
    done = 0
    for i, (size, n) in enumerate(scales):
        if step <= done + n:
            return size, (scales[i + 1][0] if step == done + n and i + 1 < len(scales) else None)
        done += n
    return scales[-1][0], None


# A step's time at side s goes as s**2 + FIXED_SIDE**2: a part that does not grow with the image (with `--conv auto`,
# likely Winograd's kernel transforms, done in every evaluation) weighs at small sides, so a doubling of the side
# costs 2.5x at 128 -> 256 px, 3.4x at 256 -> 512, 3.7x at 384 -> 768 and 3.8x at 512 -> 1024 (area ** 0.75, the
# model before, said 2.8x throughout; on the AMD EPYC an artist's `jaxart bench --sizes 384,768`, load 7-8, gave
# 4.27x, and a real 384 -> 768 px run 3.3x: BENCHMARKS.md, "The progress bar's ETA at print sizes").
# Fitted to `--conv auto`'s times per evaluation in BENCHMARKS.md; every ratio of two sizes below is within
# 0.89-1.22x of the model's. AMD EPYC: 0.192 / 0.444 / 1.647 s at 128 / 256 / 512 px ("Winograd in stage 2 too"),
# 0.184 / 0.487 / 1.756 s ("Winograd convolutions"), 512 -> 1024 px 3.8-4.2x ("Optimizer overhead, measured
# alone": its optimizer's ms and share of an evaluation), 256 -> 512 px 3.0-3.8x ("Issue 5 re-checked at today's
# code"). Xeon with AMX: 0.271 / 0.628 / 1.881 s at 128 / 256 / 512 px ("What a run compiles"), 256 -> 512 px
# 3.0-3.4x ("Issue 5's targets at today's code", "Compile and first-run times, re-checked", "bfloat16 gradients on
# CPUs with AMX").
FIXED_SIDE = 128
# `--conv direct` has a smaller one (no kernel transforms): with 128 its ETA from a 64 px scale was 0.44x the steps'
# time (a 256 px step weighed 4x a 64 px one; 10.3x measured). 56 px fits every ratio of two sizes of its steps and
# evaluations in BENCHMARKS.md within 0.85-1.20x: 64:128:256 px as 0.35:1:3.7 ("Coarse to fine with the L-BFGS memory
# carried across scales"), 0.182 / 0.689 / 2.483 s at 128 / 256 / 512 px ("Winograd convolutions"), 0.310 / 0.909 /
# 3.377 s ("What a run compiles"), 0.268 / 0.444 / 0.824 / 1.464 / 2.759 s at 64 / 96 / 128 / 192 / 256 px ("The
# ETA of a coarse-to-fine run with --conv direct").
FIXED_SIDES = {"direct": 56}

# Before its first step a scale computes its targets (a VGG pass of the photo and of each painting, with the
# previous scale's final loss about a step's work) and compiles its step. The compile grows 1.3-1.7x per doubling
# of the side: 2.5 -> 3.2-3.6 s at 256 -> 512 px on the Xeon ("Compile and first-run times, re-checked"), 3.0 ->
# 5.0 s on the AMD EPYC ("CPU: 2 cores (AMD EPYC, shared)"), a whole first 1-step run 1.35x ("What a run compiles").
# The run knows its own: the pause before its current scale's first step, less that step and a step of targets.
# A warm compile cache shortens it there and at the later scales alike.
COMPILE_EXPONENT = 0.5
# After its last step a run takes its final loss (a forward pass by XLA's convolutions, compiled for it) and writes
# the image: 0.6-1.3x the last step's time at 256-1024 px on the AMD EPYC, the PNG itself 0.07 / 0.37 / 2.8 s at
# 512 / 1024 / 2048 px, a tenth of a step or less (BENCHMARKS.md, "What the ETA leaves out, measured"). Counted as
# this many steps of the last scale, so that the ETA does not say 0 while the run has seconds to go.
FINISH_STEPS = 1.0
# That end is no step's work: a `--linesearch zoom` step evaluates the loss and its gradient more than once (2.2-2.6x
# a plain step at 128 px, duration.ALIKE's note), so its end is a smaller part of one (0.35-0.58 of a zoom step
# measured at 256 / 512 px); and where the image written is not the optimized pixels (`--colors keep` or
# `luminance`, a kept region) the loss is taken once more, of the image (the same compiled loss: a forward pass, no
# compile), 0.5-1.8 steps more, 0.6-1.2x the first pass (BENCHMARKS.md, "The rest of what the ETA leaves out").
STEP_EVALUATIONS = {"none": 1.0, "zoom": 2.2}
SECOND_PASS = 0.8


def finish_steps(linesearch: str = "none", put_back: bool = False) -> float:
    """The steps, of the last scale, that the final loss and write take after a run's last step: `FINISH_STEPS`, and
    `SECOND_PASS` more where the photo or its chroma is `put_back` into the image, in steps of `linesearch`."""
    return (FINISH_STEPS + SECOND_PASS * put_back) / STEP_EVALUATIONS.get(linesearch, 1.0)


def cost_conv(conv: str, platform: str) -> str:
    """The `conv` whose `step_cost` a run of `conv` on JAX's `platform` has: "auto" is XLA's own convolutions ("direct")
    off a CPU (`convs.uses_winograd`), where none of its steps has Winograd's fixed part (unmeasured on a GPU)."""
    return "direct" if conv == "auto" and platform != "cpu" else conv


def step_cost(side: float, conv: str = "auto", margin: int = 0) -> float:
    """A step's time at `side` px by `conv`'s convolutions (a `convs.CONVS` choice; all but "direct" count Winograd's
    fixed part), in units that only a ratio of two sizes' gives meaning to. The image optimized has `margin` free
    pixels more on every side (`StyleConfig.margin`), which weigh at small sides: 16 make a 96 px photo 128 px."""
    padded, fixed = side + 2 * margin, FIXED_SIDES.get(conv, FIXED_SIDE)
    return padded * padded + fixed * fixed


def seconds_left(scales: Sequence[tuple[int, int]], step: int, per_step: float, pause: float = 0.0, *,
                 conv: str = "auto", margin: int = 0, finish: float = FINISH_STEPS) -> float:
    """Seconds a run of `scales` ((size, steps) each) has left after `step`, its current scale's steps taking
    `per_step` s: a later scale's steps cost `step_cost` of its size (with `conv` and `margin`), and its targets and
    compile add the current scale's, from `pause` (s from the report before this scale's first one, or the bar's
    start, to that one); the final loss and write `finish` steps of the last scale (`finish_steps`)."""
    size = scale_at(scales, step)[0]
    compiling = max(0.0, pause - 2 * per_step)  # the pause less its first step and a step's work of targets
    done, left = 0, 0.0
    for s, n in scales:
        weight = per_step * step_cost(s, conv, margin) / step_cost(size, conv, margin)
        left += max(0, min(n, done + n - step)) * weight
        if done >= step:  # a later scale: its targets and compile first
            left += weight + compiling * (s / size) ** COMPILE_EXPONENT
        done += n
    return left + finish * weight
