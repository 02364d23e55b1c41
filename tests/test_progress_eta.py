"""The progress bar's steps/s and ETA: compiling left out, later scales weighted by their size."""

import re

from jaxart import eta
from test_progress import _timed


def test_steps_per_second_and_eta_leave_compiling_out_and_weight_later_scales_by_size():
    """A coarse-to-fine run's later steps cost more; the pause between scales is no step, but the ETA counts it."""
    # 489 steps at 1/s, and the final loss and write: a step's time (`FINISH_STEPS`)
    assert "ETA 0:08:10 1.00 steps/s" in (last := _timed([(1, 0.0), (11, 10.0)])), last
    plan = ((128, 100), (256, 300), (512, 100))
    # 89 steps at 128 px, 300 at 256 (2.5x the time: (256**2 + 128**2) / (2 * 128**2)) and 100 at 512 (8.5x), and
    # each later scale's targets, a step there; nothing compiled before step 1: 1700 steps of 0.5 s, and a 512 px
    # step's time (8.5 x 0.5 s) for the final loss and write
    assert "ETA 0:14:14 2.00 steps/s" in (last := _timed([(1, 0.0), (11, 5.0)], plan)), last
    # 256 px paused 30 s after step 100 and runs at 1 step/s: 289 steps + 100 at 512 px (3.4x) + a step of targets
    # there and one of the end, and its compile: 256 px's 28 s (the pause less its first step and a step of targets)
    # x sqrt(2)
    last = _timed([(1, 0.0), (11, 5.0), (100, 50.0), (101, 80.0), (111, 90.0)], plan)
    assert "111/500" in last and "ETA 0:11:15 1.00 steps/s 256 px loss" in last, last


def _eta_seconds(line: str) -> int:
    h, m, s = re.search(r"ETA (\d+):(\d\d):(\d\d)", line).groups()
    return int(h) * 3600 + int(m) * 60 + int(s)


def test_a_print_sized_last_scale_is_in_the_eta_with_its_fourfold_steps_and_its_compile():
    """`--size 768 --start-size 384 --steps 30,15` on a 2-core AMD EPYC: at step 29 the ETA said 1:28, and the
    768 px scale then took 3:08, compiling included. A 768 px step costs 4x a 384 px one (weighed 2.8x), and the
    targets and compile of 768 px were left out."""
    plan = ((384, 30), (768, 15))
    # (s per 384 px step, pause before step 1, seconds left after step 29 in truth). The artist's bench (load 7-8):
    # steps 2.15 and 9.17 s, 768 px compiled in 14.5 s, 384 px then in about 14.5 / 1.5 (compiling grows 1.3-1.7x
    # a doubling: BENCHMARKS.md, "Compile and first-run times, re-checked"), the targets a step's work at each
    # size. Their loaded run: steps of 2.03 s (1:28 for 43.4 steps weighed), 188 s for the 768 px scale, 45 s of it
    # targets and compile, 30 of them at 384 px by the same ratio.
    for per_step, pause, truth in ((2.15, 14.5 / 1.5 + 2 * 2.15, 2.15 + 9.17 + 14.5 + 15 * 9.17),
                                   (2.03, 30 + 2.03, 2.03 + 188)):
        reports = [(k, pause + (k - 1) * per_step) for k in range(1, 30)]
        last = _timed(reports, plan, total=45, width=80)
        assert "29/45" in last and "384 px" in last, last
        assert 0.75 < _eta_seconds(last) / truth < 1.25, (last, truth)  # weighed by area ** 0.75: 0.46-0.57


def test_a_direct_runs_eta_from_a_small_scale_counts_its_later_steps_at_their_cost():
    """`--conv direct --scales 64,128,256 --steps 20`: the ETA weighed a 256 px step 4x a 64 px one, as `--conv auto`'s
    Winograd steps go, where direct's cost 10.3x (vgg16, steps interleaved, AMD EPYC, BENCHMARKS.md "The ETA of a
    coarse-to-fine run with --conv direct"): after 10 steps it said 0.44x the time left."""
    plan, step_s = ((64, 20), (128, 20), (256, 20)), {64: 0.268, 128: 0.824, 256: 2.759}
    # Counted steps: ten at 64 px after a pause of two steps' work (nothing to compile); left, ten more there, and
    # at each later scale its steps and a step's work of targets (21 steps' time).
    reports = [(k, 2 * step_s[64] + (k - 1) * step_s[64]) for k in range(1, 11)]
    truth = 10 * step_s[64] + 21 * step_s[128] + 21 * step_s[256]
    last = _timed(reports, plan, total=60, conv="direct")
    assert "10/60" in last and 0.9 < _eta_seconds(last) / truth < 1.1, (last, truth)
    assert _eta_seconds(_timed(reports, plan, total=60, conv="auto")) / truth < 0.5  # Winograd's fixed part


def test_a_steps_cost_by_size_matches_the_benchmarks_of_both_cpus():
    """The ETA weighs a later scale's steps by `step_cost`; `--conv auto`'s and `--conv direct`'s seconds per evaluation
    or step, BENCHMARKS.md, and stylize runs' steps, whose 16 px margin weighs at small sides."""
    measured = {
        "AMD EPYC, Winograd in stage 2 too": {128: 0.192, 256: 0.444, 512: 1.647},
        "AMD EPYC, Winograd convolutions": {128: 0.184, 256: 0.487, 512: 1.756},
        "AMD EPYC, Optimizer overhead, measured alone (its ms / share)": {256: 6 / 0.013, 512: 25 / 0.015,
                                                                      1024: 109 / 0.017},
        "AMD EPYC, the same, its same-session row": {512: 30 / 0.018, 1024: 126 / 0.018},
        "AMD EPYC, Issue 5 re-checked at today's code": {256: 0.305, 512: 1.158},
        "Xeon with AMX, What a run compiles": {128: 0.271, 256: 0.628, 512: 1.881},
        "Xeon with AMX, Issue 5's targets at today's code": {256: 0.265, 512: 0.841},
        "Xeon with AMX, Compile and first-run times, re-checked": {256: 0.330, 512: 1.127},
    }
    # `--conv direct` (XLA's convolutions, no fixed transforms), and whole runs, whose image has a 16 px margin.
    direct = {
        "AMD EPYC, Winograd convolutions": {128: 0.182, 256: 0.689, 512: 2.483},
        "Xeon with AMX, What a run compiles": {128: 0.310, 256: 0.909, 512: 3.377},
        "Xeon, Coarse to fine with the L-BFGS memory carried across scales (ratios)": {64: 0.35, 128: 1, 256: 1 / 0.27},
        "AMD EPYC, The ETA of a coarse-to-fine run with --conv direct": {64: 0.268, 96: 0.444, 128: 0.824,
                                                                          192: 1.464, 256: 2.759},
    }
    runs = {  # (conv, {side: s per step}) of stylize runs
        "AMD EPYC, The progress bar's ETA at print sizes": ("auto", {384: 1.16, 768: 3.85}),
        "Xeon with AMX, What a run compiles (a whole first run)": ("direct", {256: 0.625, 512: 2.43}),
        "AMD EPYC, The ETA of a coarse-to-fine run with --conv direct (a run)": ("direct", {96: 0.83, 192: 2.10}),
    }
    cases = [(w, "auto", 0, t) for w, t in measured.items()] + [(w, "direct", 0, t) for w, t in direct.items()]
    for where, conv, margin, seconds in cases + [(w, conv, 16, t) for w, (conv, t) in runs.items()]:
        sides = sorted(seconds)
        for a, b in zip(sides, sides[1:]):
            model = eta.step_cost(b, conv, margin) / eta.step_cost(a, conv, margin)
            assert 0.8 < model / (seconds[b] / seconds[a]) < 1.25, (where, a, b, model)
