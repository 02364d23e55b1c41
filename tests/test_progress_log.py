"""The CLI's progress bars in a log (a batch job's file, `| tee`, a notebook's subprocess) or a dumb terminal, where
rich draws a bar only as it ends: a line every LOG_EVERY s instead, a few per run, never one per step."""

import contextlib
import io
import re
import sys

from rich.console import Console
from rich.progress import Progress

import cli
from conftest import write_tiny_job
from jaxart import progress


def _logged(terminal: bool, seconds_per_step: float, total: int = 100) -> list[str]:
    """What the bar writes in a log (or terminal) over a run of `total` steps on a fake clock, escapes removed."""
    out, now = io.StringIO(), [0.0]
    console = Console(file=out, width=80, force_terminal=terminal, color_system=None)
    with progress.steps_bar(total, console=console, clock=lambda: now[0]) as update:
        for step in range(1, total + 1):
            now[0] = 5 + step * seconds_per_step
            update(step, 1.23456, {"content": 0.4391, "style": 0.07731, "tv": 0.01242})
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    return [line.rstrip() for line in re.split(r"[\r\n]", text) if line.strip()]


def test_a_log_gets_a_line_every_half_minute_not_only_the_last_state(monkeypatch):
    """A batch job's log (or `| tee`, a notebook's subprocess, TERM=dumb) said nothing until the run ended: an hour's
    run, an hour of silence. Now a line every LOG_EVERY s, so a few per run, never one per step."""
    monkeypatch.setenv("TERM", "dumb")  # Emacs' M-x shell: a terminal rich does not redraw in
    dumb = _logged(True, 0.9)
    monkeypatch.setenv("TERM", "xterm")
    for lines in (_logged(terminal=False, seconds_per_step=0.9), dumb):
        assert [line.split()[0] for line in lines] == ["28/100", "62/100", "96/100", "100/100"], lines
        assert all("ETA" in line and "loss 1.235 (c 0.44 s 0.077 tv 0.012)" in line for line in lines), lines
        assert "ETA 0:00:35 1.11/s" in lines[1]  # 38 steps and the final loss and write, a step's time
    assert [line.split()[0] for line in _logged(False, 0.1)] == ["100/100"]  # a short run: its last state alone
    assert 119 <= len(_logged(False, 1.0, total=3600)) <= 121  # an hour: about 120 lines, not 3600
    # A notebook running the CLI in its own process has rich's widget, redrawn in place: no lines below it.
    bar, now, printed = Progress(console=Console(file=io.StringIO(), force_jupyter=True)), [0.0], []
    bar.console.print = lambda *a, **k: printed.append(a)  # where IPython is, rich would display it
    log = progress._log_lines(bar, lambda: now[0])
    now[0] = 1e6
    log(True)
    assert printed == []
    # A terminal redraws one line in place, as before: nothing new is printed below it.
    assert [line.split()[0] for line in _logged(True, 0.9)] == ["0/100", "100/100"]


def test_a_download_into_a_log_gets_a_line_every_half_minute_too():
    """A 548 MiB torchvision download in a batch job's log said nothing until it ended. Its sizes and rate are in
    powers of 1024, as every message says a size: it read "30.0/100.0 MB" and "1.0 MB/s" (10**6 bytes) below a line
    saying "548 MiB"."""
    out, now = io.StringIO(), [0.0]
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    with progress.download_bar("vgg19", console=console, clock=lambda: now[0]) as update:
        for second in range(1, 101):
            now[0] = float(second)
            update(second * 2**20, 100 * 2**20)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 4 and all("fetch vgg19" in line for line in lines), lines
    assert ["30.0/100.0 MiB", "60.0/100.0 MiB", "90.0/100.0 MiB", "100.0/100.0 MiB"] == [
        re.search(r"[\d.]+/[\d.]+ \S+", line)[0] for line in lines], lines
    assert all(" 1.0 MiB/s " in line for line in lines[:3]), lines  # a MiB a second on the bar's clock


def test_a_slow_download_s_rate_is_in_kib_a_second():
    """5 KiB a second, as the README's retry rules count a slow line, read "5.1 kB/s"."""
    out, now = io.StringIO(), [0.0]
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    with progress.download_bar("vgg19", console=console, clock=lambda: now[0]) as update:
        for second in range(1, 32):
            now[0] = float(second)
            update(second * 5 * 1024, 80_134_624)  # vgg19's
    line = out.getvalue().splitlines()[0]
    assert re.search(r" 0\.1/76\.4 MiB 5\.0 KiB/s ", line), line


def test_a_log_s_lines_are_plain_text_without_padding_or_empty_lines(monkeypatch):
    """Into a log rich padded every line of the bar with spaces to the console's width (80 columns, or 200 under
    COLUMNS=200: 120 blanks a line); a dumb terminal (TERM=dumb) got an empty line below the last one too."""
    monkeypatch.setenv("TERM", "dumb")
    for width, terminal in ((80, False), (200, False), (80, True)):
        out, now = io.StringIO(), [0.0]
        console = Console(file=out, width=width, force_terminal=terminal)
        with progress.steps_bar(100, console=console, clock=lambda: now[0], platform="cpu") as update:
            for step in range(1, 101):
                now[0] = step * 0.9
                update(step, 1.23456, {"content": 0.4391, "style": 0.07731, "tv": 0.01242})
        lines = out.getvalue().split("\n")
        assert lines[-1] == "" and len(lines) == 4, lines  # 3 lines, each ended
        assert all(line == line.rstrip() and line.isprintable() and line for line in lines[:-1]), lines
        assert lines[-2].endswith("loss 1.235 (c 0.44 s 0.077 tv 0.012)" if width == 80 else
                                  "loss 1.235 (content 0.439 style 0.0773 tv 0.0124)"), lines


def test_a_stylize_run_s_log_holds_plain_lines_and_its_result_on_stdout(tmp_path, monkeypatch, capsys):
    """`jaxart stylize ... > job.log 2>&1` under COLUMNS=200: the bar's last line was padded with spaces to 200
    columns. The result's line is on stdout alone, so `2>/dev/null` keeps it and `>/dev/null` the rest."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["cli.py", "stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o",
                                      str(d / "out.png"), "--model", model, "--size", "32", "--steps", "3"])
    with contextlib.suppress(SystemExit):  # conftest.run_main strips what is asked of here: stderr's last spaces
        cli.main()
    printed, err = capsys.readouterr()
    assert printed.startswith(f"wrote {d / 'out.png'} (") and printed.count("\n") == 1, (printed, err)
    lines = err.split("\n")
    assert lines.pop() == "", lines  # the last line ended, as every other
    assert all(line and line == line.rstrip() and line.isprintable() for line in lines), lines
    assert re.match(r"stylize 3/3 .*loss [\d.]+ \(content ", lines[-1]), lines  # no bar: glyphs and blanks in a log
