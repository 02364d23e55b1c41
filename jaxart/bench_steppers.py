"""The zero-argument functions `bench.measure` times beside an evaluation, each compiled and warmed up: a
loss+gradient for another convolution, an L-BFGS step (or a scan chunk), the optimizer's own work in a step, and
PyTorch's evaluation and step."""

from __future__ import annotations

import time
from collections.abc import Callable

import jax
import jax.numpy as jnp

from jaxart import optimize
from jaxart.bench_setup import compile_gradient, inputs, setup
from jaxart.config import StyleConfig


def evaluator(size: int, config: StyleConfig):
    """A compiled, warmed-up zero-argument loss+gradient for `config` at `size`."""
    fun, x, _ = setup(size, config=config)
    compiled = compile_gradient(fun, x)
    evaluate = lambda: jax.block_until_ready(compiled(fun, x))
    evaluate()
    return evaluate


def torch_steppers(size: int) -> dict:
    """Warmed-up PyTorch loss+gradient and L-BFGS step on the same weights and images."""
    from jaxart.bench_torch import TorchStyle

    w, content, style = inputs(size)
    model = TorchStyle(w, content, [style], StyleConfig(size=size))
    evaluate = model.evaluator(content)
    step = model.lbfgs(content)[0]
    evaluate(), step(), step()
    return {"torch_eval": evaluate, "torch_step": step}


def optimizer_only(fun, carry: optimize.Carry, evaluation) -> Callable[[], float]:
    """A warmed-up timer of the optimizer's own work in a unit-step L-BFGS step (`make_advance`)
    from `carry`, given `evaluation`'s ((value, aux), grad); returns seconds, without the copy of
    the state each call consumes."""
    opt = optimize.make_optimizer("lbfgs")
    advance = jax.jit(optimize.make_advance(opt, lambda y: jnp.clip(y, 0, 1)), donate_argnums=0,
                      compiler_options=optimize.compiler_options())
    (value, aux), grad = evaluation
    copy = lambda c: jax.block_until_ready(jax.tree.map(lambda a: jnp.array(a, copy=True), c))
    carry = copy(carry)  # its stepper will donate the original

    def one() -> float:
        fresh = copy(carry)
        t = time.perf_counter()
        jax.block_until_ready(advance(fresh, fun, value, aux, grad))
        return time.perf_counter() - t

    one()
    return one


def stepper(fun, x, loop: str, chunk: int):
    """A compiled, warmed-up zero-argument function running one step (a chunk for "scan")."""
    opt = optimize.make_optimizer("lbfgs", linesearch="zoom" if loop == "zoom" else "none")
    step = optimize.make_step(opt, lambda y: jnp.clip(y, 0, 1))
    state = {"carry": optimize.init_carry(fun, opt, x)}
    if loop == "scan":
        run = optimize.make_chunk(step, chunk)
        call = lambda c: run(c, jnp.int32(chunk), fun)
    else:
        jstep = jax.jit(step, donate_argnums=0, compiler_options=optimize.compiler_options())
        call = lambda c: jstep(c, fun)

    def one():
        state["carry"] = jax.block_until_ready(call(state["carry"]))

    one(), one()  # compile, and fill L-BFGS's memory
    return one, state["carry"]
