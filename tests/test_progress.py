"""The CLI's progress bar in a narrow terminal: the step count, time and ETA always show."""

import contextlib
import io
import re

from rich.console import Console

from jaxart import eta, progress


def _render(width: int, quiet: bool = False, steps: int = 120, scales=(), mean: bool = False) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    with progress.steps_bar(500, quiet=quiet, console=console, scales=scales, mean=mean) as update:
        if steps:
            update(steps, 1.23456, {"content": 0.4391, "style": 0.07731, "tv": 0.01242})
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    return [line for line in re.split(r"[\r\n]", text) if line.strip()]


def test_an_80_column_terminal_shows_the_step_time_eta_and_every_loss_term():
    """The terms were cut to "loss 1.235 (content 0.439…" in 80 columns, "tv 0.0…" in 100."""
    for width in (80, 100):
        last = _render(width)[-1]
        assert len(last) <= width
        assert "120/500" in last and "ETA" in last and re.search(r"\d:\d\d:\d\d ETA", last), last
        assert "loss 1.235 (c 0.44 s 0.077 tv 0.012)" in last and "…" not in last, last
    last = _timed([(1, 0.0), (1000, 0.5), (9999, 90.5)], total=9999, width=80)  # with steps/s and 4-digit counts
    assert "9999/9999" in last and "ETA 0:00:00 110.48/s loss 1.235 (c 0.44 s 0.077 tv 0.012)" in last, last
    plan = ((128, 300), (256, 300), (512, 399))  # and a scale's size
    last = _timed([(1, 0.0), (900, 9.0), (999, 19.0)], plan, total=999, width=80)
    assert "999/999" in last and "ETA 0:00:00 9.90/s 512 px loss 1.235 (c 0.44 s 0.077 tv 0.012)" in last, last


def test_a_sweeps_bar_says_its_loss_is_the_tiles_mean():
    """A sweep's bar showed the mean of its tiles' losses as "loss", as if it were one image's."""
    assert "mean loss 1.235 (content 0.439 style 0.0773 tv 0.0124)" in _render(160, mean=True)[-1]
    last = _render(80, mean=True)[-1]
    assert len(last) <= 80 and "120/500" in last and "mean 1.235 (c 0.44 s 0.077 tv 0.012)" in last, last


def test_a_wide_terminal_shows_every_loss_term_in_full():
    last = _render(160)[-1]
    assert "stylize" in last and "loss 1.235 (content 0.439 style 0.0773 tv 0.0124)" in last, last
    plan = ((256, 3000), (512, 3000), (1024, 3999))
    last = _timed([(1, 0.0), (9000, 9.0), (9999, 19.0)], plan, total=9999, width=progress.COMPACT_BELOW)
    assert "99.90 steps/s 1024 px loss 1.235 (content 0.439 style 0.0773 tv 0.0124)" in last, last


def test_before_the_first_step_the_bar_says_what_it_is_waiting_for():
    """A first run compiles for 15-23 s before step 1: a bar at 0 with no word looks hung."""
    last = _render(80, steps=0)[-1]
    assert "0/500" in last and "preparing (compiling)" in last, last
    assert "compiling" not in _render(120)[-1]


def test_coarse_to_fine_shows_the_scale_and_which_size_it_prepares_between_scales():
    """Between scales the next size computes its targets and compiles, again with no step moving."""
    plan = ((128, 100), (256, 300), (512, 100))
    assert "0/500" in (last := _render(80, steps=0, scales=plan)[-1]) and "compiling 128 px" in last, last
    assert "50/500" in (last := _render(80, steps=50, scales=plan)[-1]) and "128 px loss 1.235" in last, last
    assert "100/500" in (last := _render(80, steps=100, scales=plan)[-1]) and "compiling 256 px" in last
    assert "256 px loss 1.235" in _render(80, steps=101, scales=plan)[-1]
    assert "compiling 512 px" in _render(80, steps=400, scales=plan)[-1]
    last = _render(160, steps=500, scales=plan)[-1]
    assert "512 px loss 1.235 (content 0.439 style 0.0773 tv 0.0124)" in last and "compiling" not in last, last


def _timed(reports, scales=(), total=500, width=160, **bar) -> str:
    """The bar's last line after `update` at each (step, seconds) of `reports`, on a fake clock."""
    out, now = io.StringIO(), [0.0]
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    with progress.steps_bar(total, console=console, scales=scales, clock=lambda: now[0], **bar) as update:
        for step, t in reports:
            now[0] = t
            update(step, 1.23456, {"content": 0.4391, "style": 0.07731, "tv": 0.01242})
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    return [line for line in re.split(r"[\r\n]", text) if line.strip()][-1]


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


def test_quiet_prints_nothing():
    assert _render(80, quiet=True) == []


def _failed(make_bar, terminal: bool, fail: bool) -> str:
    out = io.StringIO()
    try:
        with make_bar(Console(file=out, width=80, force_terminal=terminal, color_system=None)):
            if fail:
                raise ValueError("too small")
    except ValueError:
        pass
    return out.getvalue()


@contextlib.contextmanager
def _downloading(console):
    """A download bar that bytes reached."""
    with progress.download_bar("vgg19", console=console) as update:
        update(1_000_000, 59_000_000)
        yield


def test_an_error_clears_the_bar_so_its_line_is_the_only_one():
    """A run or a download that fails leaves one line on stderr, the error's, in a log or a terminal."""
    for make_bar in (lambda c: progress.steps_bar(500, console=c), _downloading):
        assert _failed(make_bar, terminal=False, fail=False).strip()  # a log keeps a finished bar
        assert _failed(make_bar, terminal=False, fail=True) == ""  # not even an empty line
        # A terminal has drawn it: rich goes back up over it and erases the line.
        assert _failed(make_bar, terminal=True, fail=True).endswith("\x1b[1A\x1b[2K")
        assert not _failed(make_bar, terminal=True, fail=False).endswith("\x1b[1A\x1b[2K")


def test_a_download_bar_no_byte_reached_is_cleared_as_it_ends():
    """Another process fetched the set meanwhile: a bar ending on `0/? bytes ?` said the fetch never started."""
    def make_bar(console):
        return progress.download_bar("vgg19", console=console)

    assert _failed(make_bar, terminal=False, fail=False) == ""
    assert _failed(make_bar, terminal=True, fail=False).endswith("\x1b[1A\x1b[2K")


def test_after_a_failed_run_the_console_prints_again_and_a_long_eta_reads_in_minutes():
    # The error's own line, and anything after it, goes to the same console the bar cleared.
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=False, color_system=None)
    try:
        with progress.steps_bar(500, console=console):
            raise ValueError("too small")
    except ValueError:
        console.print("error: too small")
    assert out.getvalue() == "error: too small\n"
    assert "ETA 3:04:06 1.00 steps/s" in (last := _timed([(1, 0.0), (2, 1.0)], total=2 + 11045)), last  # and the end


def test_the_bar_ends_on_the_loss_of_the_image_written(tmp_path, monkeypatch, capsys):
    """It ended on the last step's loss before its update, which the 'wrote' line below contradicted."""
    from conftest import run_main, write_tiny_job

    d, model = write_tiny_job(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32",
                               "--steps", "2", "--output", str(tmp_path / "o.png")], monkeypatch, capsys)
    assert code == 0, err
    total = re.search(r"total (\S+) =", out)[1]
    assert re.findall(r"loss (\S+) \(", err)[-1] == f"{float(total):.4g}", (err, out)


def test_a_very_narrow_terminal_keeps_the_step_count_and_the_loss_whole():
    """COLUMNS=20 (a phone's terminal, a split pane): rich squeezed every column to `1… 0… ETA -:--:--  …`."""
    for width in (20, 29):
        assert _render(width)[-1].rstrip() == "120/500 loss 1.235", _render(width)
    assert "9999/9999 loss 1.235" in _timed([(1, 0.0), (9999, 90.5)], total=9999, width=20)
    for width in (30, 39):  # and the ETA, where it fits
        assert _render(width)[-1].rstrip() == "120/500 ETA -:--:-- loss 1.235", _render(width)
    assert _render(20, steps=0)[-1].startswith("  0/500 preparing")
    assert all(len(line) <= 20 for line in _render(20))


def test_from_40_to_127_columns_loss_terms_are_left_out_whole_never_cut():
    """COLUMNS=40..79: rich cut the terms mid-way ("(c 0.44 s 0.07…"), and with 4-digit steps and a rate at 40 the
    loss itself ("110.48/s …"). Now whole terms go, from the last, then steps/s, the elapsed time, the scale's size."""
    every = ["c 0.44", "s 0.077", "tv 0.012"]
    runs = {"plain": ([(120, 0.0)], (), 500), "steps/s": ([(1, 0.0), (1000, 0.5), (9999, 90.5)], (), 9999),
            "scales": ([(1, 0.0), (900, 9.0), (999, 19.0)], ((128, 300), (256, 300), (512, 399)), 999)}
    for name, (reports, plan, total) in runs.items():
        shown = []
        for width in range(progress.NARROW_BELOW, progress.COMPACT_BELOW):
            last = _timed(reports, plan, total=total, width=width).rstrip()
            terms = re.search(r"loss 1\.235(?: \((.*)\))?$", last)
            assert len(last) <= width and "…" not in last and terms, (name, width, last)
            shown.append(terms[1].split(" ")[::2] if terms[1] else [])
            if shown[-1] != ["c", "s", "tv"]:  # one more term would not have fitted
                assert len(last) + len(f" {every[len(shown[-1])]}") + (not shown[-1]) * 2 > width, (name, width, last)
        assert shown == sorted(shown, key=len) and shown[-1] == ["c", "s", "tv"], (name, shown)
