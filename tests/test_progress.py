"""The CLI's progress bar in a narrow terminal: the step count, time and ETA always show."""

import io
import re

from rich.console import Console

from jaxart import progress


def _render(width: int, quiet: bool = False, steps: int = 120) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    with progress.steps_bar(500, quiet=quiet, console=console) as update:
        if steps:
            update(steps, 1.23456, {"content": 0.4391, "style": 0.07731, "tv": 0.01242})
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    return [line for line in re.split(r"[\r\n]", text) if line.strip()]


def test_an_80_column_terminal_shows_the_step_time_and_eta_and_cuts_the_terms():
    last = _render(80)[-1]
    assert len(last) <= 80
    assert "120/500" in last and "ETA" in last and re.search(r"\d:\d\d:\d\d ETA", last), last
    assert "loss 1.235" in last and last.rstrip().endswith("…"), last  # the terms are what is cut


def test_a_wide_terminal_shows_every_loss_term():
    last = _render(160)[-1]
    assert "loss 1.235 (content 0.439 style 0.0773 tv 0.0124)" in last, last


def test_before_the_first_step_the_bar_says_what_it_is_waiting_for():
    """A first run compiles for 15-23 s before step 1: a bar at 0 with no word looks hung."""
    last = _render(80, steps=0)[-1]
    assert "0/500" in last and "preparing (compiling)" in last, last
    assert "compiling" not in _render(120)[-1]


def test_quiet_prints_nothing():
    assert _render(80, quiet=True) == []
