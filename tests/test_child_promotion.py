"""The CLI run as a child process holds the promotion rules the in-process tests hold (conftest), and they
change no pixel: strict promotion only refuses implicit promotions, so a user's standard run is the same run."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, stylize_argv, write_tiny_job

_SHOW = "import jax; print(jax.config.jax_numpy_dtype_promotion, jax.config.jax_numpy_rank_promotion)"


def test_a_child_process_runs_under_strict_dtype_and_raise_rank_promotion():
    """Every test's subprocess inherits os.environ (or extends it), so this is what `python cli.py` gets."""
    done = subprocess.run([sys.executable, "-c", _SHOW], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["strict", "raise"]


@pytest.mark.slow  # two CLI processes: 15 s of CPU
def test_the_cli_child_writes_the_same_pixels_under_strict_as_under_standard_promotion(tmp_path):
    files = write_tiny_job(tmp_path)
    standard = {**os.environ, "JAX_NUMPY_DTYPE_PROMOTION": "standard", "JAX_NUMPY_RANK_PROMOTION": "allow"}
    pixels = []
    for name, env in (("strict", os.environ), ("standard", standard)):
        out = tmp_path / f"{name}.png"
        argv = stylize_argv(files, out, "--colors", "luminance", "--linesearch", "zoom")
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), *argv], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        with Image.open(out) as img:
            pixels.append(np.asarray(img))
    np.testing.assert_array_equal(pixels[0], pixels[1])
