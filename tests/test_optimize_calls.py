"""How minimize is called: a continued carry, dtype promotion, and the misuses it names before tracing."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxart import optimize

from test_optimize import _quadratic

def test_a_continued_carry_runs_only_the_steps_left_and_memory_is_honoured():
    opt = optimize.make_optimizer("lbfgs", memory=3)
    assert (3, 4) in [a.shape for a in jax.tree.leaves(opt.init(jnp.zeros(4)))]  # 3 past steps of 4 pixels
    assert np.isnan(optimize.init_carry(jax.tree_util.Partial(_quadratic), opt, jnp.zeros(4)).aux["mean"])
    for loop in ("python", "scan"):
        first = optimize.minimize(_quadratic, jnp.zeros(4), opt, 2, loop=loop)  # its carry is donated below
        rest = optimize.minimize(_quadratic, None, opt, 5, carry=first.carry, loop=loop)
        assert rest.steps == 5, loop


@pytest.mark.parametrize("x64", [False, True], ids=["float32", "float64"])
@pytest.mark.parametrize("name, linesearch", [("adam", "none"), ("lbfgs", "none"), ("lbfgs", "zoom")])
def test_the_optimizers_step_under_strict_dtype_promotion_as_under_standard(name, linesearch, x64):
    """optax's Adam bias correction (float ** int32), and L-BFGS's memory index under jax_enable_x64 (int64 +
    int32), were TypePromotionErrors for a caller under jax.numpy_dtype_promotion("strict")."""
    opt = optimize.make_optimizer(name, linesearch=linesearch)
    with jax.enable_x64(x64):
        x0 = jnp.linspace(0.0, 1.0, 12, dtype=jnp.float64 if x64 else jnp.float32).reshape(2, 2, 3)
        want = optimize.minimize(_quadratic, x0, opt, 3, loop="python")
        with jax.numpy_dtype_promotion("strict"):
            got = optimize.minimize(_quadratic, x0, opt, 3, loop="python")
    assert got.params.dtype == x0.dtype and got.steps == 3
    np.testing.assert_array_equal(got.params, want.params)


def test_a_bare_loss_an_integer_or_tree_x0_and_a_jitted_minimize_are_named():
    """A loss returned alone was "'ShapeDtypeStruct' object is not subscriptable", integer x0 "cannot convert float
    infinity to integer", a dict "entry not a 2- or 3- tuple", and minimize under jit a ConcretizationTypeError."""
    opt = optimize.make_optimizer("lbfgs")
    with pytest.raises(TypeError, match=r"fun returned an array of shape \(\) and dtype float32; "
                                        r".*lambda x: \(loss\(x\), None\)"):
        optimize.minimize(lambda x: jnp.sum(x**2), jnp.ones(4), opt, 2)
    with pytest.raises(ValueError, match=r"fun's value is an array of shape \(4,\) and dtype float32; "
                                         r".*one float scalar"):
        optimize.minimize(lambda x: (x**2, None), jnp.ones(4), opt, 2)
    with pytest.raises(ValueError, match="x0 is int32; give a float array"):
        optimize.minimize(_quadratic, jnp.zeros(4, jnp.int32), opt, 2)
    with pytest.raises(TypeError, match="x0 is a dict of 'a', not one array; .*ravel_pytree"):
        optimize.minimize(lambda p: _quadratic(p["a"]), {"a": jnp.zeros(4)}, opt, 2)
    with pytest.raises(TypeError, match="x0 is traced: .*jax.lax.scan optimize.make_step"):
        jax.jit(lambda x: optimize.minimize(_quadratic, x, opt, 2).params)(jnp.zeros(4))


def test_a_mistyped_loop_is_named_before_fun_is_traced():
    """It was checked after `init_carry` traced `fun` (a VGG loss: a second or more), whose own fault came first."""
    with pytest.raises(ValueError, match="loop 'Scan' is not one of auto, python, scan"):
        optimize.minimize(lambda x: pytest.fail("fun was traced"), jnp.ones(4), optimize.make_optimizer(), 2,
                          loop="Scan")


def test_the_scan_the_traced_x0_error_points_to_reaches_what_minimize_reaches():
    opt = optimize.make_optimizer("lbfgs")
    fun = jax.tree_util.Partial(_quadratic)

    @jax.jit
    def scanned(x0):
        step = optimize.make_step(opt)
        return jax.lax.scan(lambda c, _: (step(c, fun), None), optimize.init_carry(fun, opt, x0), length=6)[0]

    carry, result = scanned(jnp.zeros(4)), optimize.minimize(fun, jnp.zeros(4), opt, 6, loop="python")
    assert int(carry.count) == result.steps == 6
    np.testing.assert_allclose(carry.params, result.params, atol=1e-6)


@pytest.mark.parametrize("counts, says", [
    ({"steps": 2.5}, "steps must be a whole number of steps >= 0, got 2.5"),
    ({"steps": None}, "steps must be a whole number of steps >= 0, got None"),
    ({"steps": -1}, "steps must be a whole number of steps >= 0, got -1"),
    ({"steps": True}, "steps must be a whole number of steps >= 0, got True"),
    ({"chunk": 0}, "chunk must be a whole number of steps >= 1, got 0"),
    ({"chunk": 2.5}, "chunk must be a whole number of steps >= 1, got 2.5"),
    ({"every": -1}, r"every must be a whole number of steps >= 1, or None \(as chunk\), got -1"),
    ({"every": 0}, r"every must be a whole number of steps >= 1, or None \(as chunk\), got 0"),
    ({"offset": -3}, "offset must be a whole number of steps >= 0, got -3"),
])
def test_counts_that_are_no_whole_numbers_of_steps_are_named_before_fun_is_traced(counts, says):
    """With loop="scan", every=-1, chunk=-2 or chunk=2.5 looped forever (each chunk ran 0 steps), chunk=0 was a
    ZeroDivisionError, steps=2.5 ran 3 steps, steps=-1 none, and steps=None or "5" Python's "'<' not supported"."""
    call = {"steps": 5, "loop": "scan", **counts}
    with pytest.raises(ValueError, match=says):
        optimize.minimize(lambda x: pytest.fail("fun was traced"), jnp.ones(4), optimize.make_optimizer(),
                          call.pop("steps"), **call)


def test_whole_numbers_of_numpy_and_a_last_short_chunk_still_run_every_step():
    opt = optimize.make_optimizer("lbfgs")
    result = optimize.minimize(_quadratic, jnp.zeros(4), opt, np.int64(7), loop="scan", chunk=np.int32(3),
                               every=np.int64(2))
    assert result.steps == 7


def test_concrete_jax_counts_run_as_whole_numbers_and_a_bool_or_a_float_is_refused():
    """steps=jnp.int32(7) ran 7 steps until 47d5737's check refused it as "steps must be a whole number of steps >= 0,
    got Array(7, dtype=int32)", a whole number; a JAX chunk was "unhashable type" before it."""
    opt = optimize.make_optimizer("lbfgs")
    result = optimize.minimize(_quadratic, jnp.zeros(4), opt, jnp.int32(7), loop="scan", chunk=jnp.int32(3),
                               every=jnp.asarray(2))
    assert result.steps == 7
    for name, value in (("steps", jnp.asarray(True)), ("steps", np.bool_(True)), ("chunk", jnp.float32(2.0))):
        call = {"steps": 5, "loop": "scan", name: value}
        with pytest.raises(ValueError, match=f"^{name} must be a whole number of steps >= "):
            optimize.minimize(lambda x: pytest.fail("fun was traced"), jnp.ones(4), opt, call.pop("steps"), **call)


@pytest.mark.parametrize("settings, says", [
    ({"learning_rate": "0.1"}, r"learning_rate must be a finite number above 0 or an optax schedule, got '0.1'"),
    ({"learning_rate": -0.1}, r"learning_rate must be a finite number above 0 or an optax schedule, got -0.1"),
    ({"learning_rate": None}, r"learning_rate must be a finite number above 0 or an optax schedule, got None"),
    ({"learning_rate": float("nan")}, r"learning_rate must be a finite number above 0 or an optax schedule, got nan"),
    ({"memory": 2.5}, r"memory must be a whole number of past steps >= 1, got 2.5"),
    ({"memory": 0}, r"memory must be a whole number of past steps >= 1, got 0"),
    ({"memory": jnp.asarray(True)}, r"memory must be a whole number of past steps >= 1, got Array\(True, dtype=bool\)"),
])
def test_make_optimizer_names_a_learning_rate_or_memory_it_cannot_use(settings, says):
    """A learning rate of "0.1" was "Only integer scalar arrays can be converted to a scalar index" at the first
    step, -0.1 and None climbed the loss without an error, and a memory of 2.5 was a JAX shapes error."""
    with pytest.raises(ValueError, match=f"^{says}$"):
        optimize.make_optimizer("adam" if "learning_rate" in settings else "lbfgs", **settings)


def test_make_optimizer_takes_a_jax_or_numpy_memory_as_the_whole_number_it_is():
    """memory=jnp.int32(3) was "memory must be a whole number of past steps >= 1, got Array(3, dtype=int32)", as
    minimize's steps were, where the learning rate may be a JAX scalar."""
    for memory in (jnp.int32(3), np.int64(3), np.array(3)):
        assert optimize.make_optimizer("lbfgs", memory=memory) is optimize.make_optimizer("lbfgs", memory=3)


def test_make_optimizer_takes_a_jax_or_numpy_learning_rate_and_a_schedule_as_a_number_does():
    """A JAX scalar was "unhashable type: 'jaxlib._jax.ArrayImpl'" (the optimizers are memoized)."""
    import optax

    def run(lr):
        return optimize.minimize(_quadratic, jnp.zeros(4), optimize.make_optimizer("adam", learning_rate=lr), 3).params

    want = run(0.5)
    for lr in (jnp.float32(0.5), np.float64(0.5), np.array(0.5), optax.constant_schedule(0.5)):
        np.testing.assert_allclose(run(lr), want, rtol=1e-6)
    assert optimize.make_optimizer("adam", learning_rate=jnp.float32(0.5)) is optimize.make_optimizer(
        "adam", learning_rate=0.5)


def test_make_optimizer_gives_one_optimizer_for_settings_it_ignores():
    """L-BFGS under each learning rate (which it ignores: unit steps) was another optimizer, and Adam under each
    L-BFGS memory: a later run in the process, a sweep's or a server's, traced and compiled its steps again."""
    assert optimize.make_optimizer("lbfgs", learning_rate=0.02) is optimize.make_optimizer("lbfgs", learning_rate=0.5)
    assert optimize.make_optimizer("lbfgs", learning_rate=0.1, linesearch="zoom") is optimize.make_optimizer(
        "lbfgs", learning_rate=1.0, linesearch="zoom")
    assert optimize.make_optimizer("adam", memory=3) is optimize.make_optimizer("adam", memory=10)
    assert optimize.make_optimizer("adam", learning_rate=0.1) is not optimize.make_optimizer("adam", learning_rate=0.2)


@pytest.mark.parametrize("every", [0, 2.5, True])
def test_run_and_minimize_refuse_an_every_they_cannot_use_in_one_wording(every):
    """jaxart.run checked `every` in code of its own, in words of its own ("..., or None, got 0"), beside
    minimize's check of the same count."""
    import jaxart

    with pytest.raises(ValueError) as by_run:
        jaxart.run(np.zeros((16, 16, 3), np.float32), [np.zeros((16, 16, 3), np.float32)], weights=None, every=every)
    with pytest.raises(ValueError) as by_minimize:
        optimize.minimize(lambda x: pytest.fail("fun was traced"), jnp.ones(4), optimize.make_optimizer(), 5,
                          every=every)
    said = f"every must be a whole number of steps >= 1, or None (as chunk), got {every!r}"
    assert str(by_run.value) == str(by_minimize.value) == said
