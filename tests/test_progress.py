"""The CLI's progress bar in a narrow terminal: the step count, time and ETA always show."""

import contextlib
import io
import re

from rich.console import Console

from jaxart import progress


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
    loss itself ("110.48/s …"). Now whole terms go, from the last, then steps/s, the elapsed time, the scale's
    size."""
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


def test_a_bar_on_stderr_that_takes_no_more_goes_quiet_and_lets_the_run_go_on(tmp_path):
    """stderr on a full disk (`2>>job.log`): rich answers BrokenPipeError alone, so ENOSPC at the bar ended the run,
    its image unwritten. StderrConsole answers it in rich's `_check_buffer`, a private method: were rich to stop
    calling it, this fails here, not only in test_cli_bad_input.py's slow child process."""
    import errno

    class Full(io.StringIO):  # a file on a full disk; its descriptor a real file's, which `files.unread` replaces
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def fileno(self):
            return kept.fileno()

    with open(tmp_path / "err", "w") as kept:
        console = progress.StderrConsole(file=Full(), width=80, force_terminal=True, color_system=None)
        with progress.steps_bar(500, console=console) as update:
            update(1, 1.23456, {"content": 0.4391, "style": 0.07731, "tv": 0.01242})
        console.print("a later warning")
        assert console.quiet
