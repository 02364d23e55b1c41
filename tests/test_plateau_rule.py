"""--tolerance's test of a plateau (plateau.converged), on loss histories alone: no run."""

import pytest

from jaxart import plateau

W = plateau.WINDOW


@pytest.mark.parametrize("before, now, stops", [(1.0, 0.9995, True), (1.0, 0.99, False), (1.0, 1.0, True),
                                                (1.0, 1.2, False), (1.0, 50.0, False)])
def test_only_a_loss_that_fell_by_less_than_the_tolerance_stops_the_run(before, now, stops):
    """A loss that rose is no plateau: an L-BFGS step without a line search overshoots now and then, and the
    next steps fall again; stopping there wrote the overshot image."""
    assert plateau.converged({W: before, 2 * W: now}, 2 * W, 1e-3) == stops


def test_a_step_without_the_loss_a_window_before_or_a_tolerance_of_0_never_stops():
    assert not plateau.converged({2 * W: 1.0}, 2 * W, 1e-3)  # the first tested step
    assert not plateau.converged({W: 1.0, 2 * W: 1.0}, 2 * W, 0.0)


@pytest.mark.parametrize("steps, total, stopped, said", [(1, 1, False, "1 step"), (500, 500, False, "500 steps"),
                                                         (143, 500, True, "converged at step 143 of 500")])
def test_the_summary_says_the_steps_taken_or_where_the_run_converged(steps, total, stopped, said):
    assert plateau.steps_text(steps, total, stopped) == said
