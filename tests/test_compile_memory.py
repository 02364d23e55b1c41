"""A run hands back the memory its compiles leave free before the compiled program runs: a 512 px `jaxart stylize`
that compiled held ~180 MiB more through its steps (1094 MiB) than one that loaded its programs (912 MiB)."""

import platform

import jax
import jax.numpy as jnp
import numpy as np

from jaxart import compile_cache, compile_memory

_SIN = jax.jit(jnp.sin)


def _compile_one(size: int) -> None:
    _SIN(np.ones(size, np.float32)).block_until_ready()  # a new shape: one compile, none for the same again


def test_a_long_compile_is_trimmed_and_only_within():
    trims = []
    with compile_memory.trimming(lambda: trims.append(1), min_seconds=0.0):
        _compile_one(5)
        assert len(trims) == 1  # when the compile ended, before the call returned
        done = 1
        _compile_one(5)  # already compiled: nothing freed, nothing trimmed
        assert len(trims) == done
    _compile_one(6)
    assert len(trims) == done  # the listener is gone after the block


def test_short_compiles_are_not_trimmed():
    """Each trim walks the heap (~20 ms at 512 px): the run's many small programs are left alone."""
    trims = []
    with compile_memory.trimming(lambda: trims.append(1), min_seconds=60.0):
        _compile_one(7)
    assert trims == []


def test_the_cli_compiles_within_trimming(monkeypatch):
    """`compile_cache.use`, which every compiling CLI command runs within, trims after compiles, the cache off too."""
    trims = []
    monkeypatch.setattr(compile_memory, "_glibc_trim", lambda: lambda: trims.append(1))
    monkeypatch.setattr(compile_memory, "MIN_SECONDS", 0.0)
    with compile_cache.use(print, environ={compile_cache.ENV: "off"}):
        _compile_one(8)
    assert trims


def test_glibc_trim_runs_here():
    """Under glibc (Linux's usual C library) the trim is found and runs: None there left a run's compiles untrimmed."""
    trim = compile_memory._glibc_trim()
    assert trim is not None or platform.libc_ver()[0] != "glibc"  # macOS and musl have no malloc_trim
    assert trim is None or trim() in (0, 1)  # malloc_trim: 1 if memory was handed back, else 0
