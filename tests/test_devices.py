"""jaxart/devices.py: the device count and platform a dry run says without importing JAX, where JAX could use only
the CPU, agree with what JAX itself says; where an accelerator may be there, JAX is asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from jaxart import devices

_ASKED = ("import json, sys\nfrom jaxart import devices\nsaid = [devices.cpu_only(), devices.local_device_count(), "
          "devices.platform(), 'jax' in sys.modules]\nimport jax\n"
          "print(json.dumps(said + [jax.local_device_count(), jax.default_backend()]))")


@pytest.mark.parametrize("env, expected", [
    ({}, 1),
    ({"JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_force_host_platform_device_count=3"}, 3),
    ({"XLA_FLAGS": "--xla_cpu_enable_fast_math=false --xla_force_host_platform_device_count=2"}, 2),
    ({"JAX_NUM_CPU_DEVICES": "2", "XLA_FLAGS": "--xla_force_host_platform_device_count=3"}, 2),
], ids=["plain", "forced 3", "forced 2 among flags", "JAX_NUM_CPU_DEVICES over XLA_FLAGS"])
def test_the_device_count_and_platform_said_without_jax_are_what_jax_says(env, expected):
    """A sweep's dry run said "a device" where JAX would split it (per_device) from jax.local_device_count(), which
    cost ~2 s of importing JAX; the count is now read from the flags JAX reads."""
    if not devices.cpu_only():
        pytest.skip("an accelerator plugin is installed here: JAX is asked, so there is nothing to compare")
    clean = {k: v for k, v in os.environ.items() if k not in ("JAX_PLATFORMS", "XLA_FLAGS", "JAX_NUM_CPU_DEVICES")}
    p = subprocess.run([sys.executable, "-c", _ASKED], capture_output=True, text=True, cwd=ROOT,
                       env={**clean, **env, "PYTHONPATH": str(ROOT)})
    cpu, count, platform, loaded, jax_count, jax_platform = json.loads(p.stdout.splitlines()[-1])
    assert (cpu, loaded) == (True, False), p.stderr
    assert (count, platform) == (jax_count, jax_platform) == (expected, "cpu")


@pytest.mark.parametrize("platforms, cpu", [
    ("cpu", True), ("CPU", True), ("cpu,", True), ("cuda", False), ("cpu,cuda", False), ("tpu", False),
])
def test_jax_platforms_decides_first(monkeypatch, platforms, cpu):
    monkeypatch.setenv("JAX_PLATFORMS", platforms)
    assert devices.cpu_only() is cpu


def test_an_installed_plugin_or_libtpu_path_means_jax_is_asked(monkeypatch):
    """A CUDA plugin installed (an entry point of the jax_plugins group, or its module) or TPU_LIBRARY_PATH: the GPU's
    or TPU's free memory and count are JAX's to say, not the host's."""
    monkeypatch.delenv("JAX_PLATFORMS", raising=False)
    monkeypatch.delenv("TPU_LIBRARY_PATH", raising=False)
    monkeypatch.setattr(devices, "_plugins_installed", lambda: True)
    assert not devices.cpu_only()
    monkeypatch.setattr(devices, "_plugins_installed", lambda: False)
    assert devices.cpu_only()
    monkeypatch.setenv("TPU_LIBRARY_PATH", "/opt/libtpu.so")
    assert not devices.cpu_only()




_LOOKS = ("import importlib.metadata, json, sys\nfrom jaxart import devices, footprint\nlooks = []\n"
          "devices._MODULES = ('jaxart_no_such_plugin',)\n"
          "importlib.metadata.entry_points = lambda group: looks.append(group) or ()\n"
          "shapes = {f'conv{b}_{i}': (256 >> b - 1, 256 >> b - 1, 64 << min(b - 1, 3))\n"
          "          for b in range(1, 6) for i in (1, 2)}\nfound = footprint.winograd_bytes(shapes, 'auto') > 0\n"
          "devices._MODULES = ('json',)  # a plugin, installed now\n"
          "print(json.dumps([found, len(looks), devices.cpu_only(), 'jax' in sys.modules]))")


def test_a_dry_run_looks_for_plugins_once_an_estimate_not_once_a_layer():
    """Without JAX each look reads the installed packages (2.2 ms of CPU, 7.6 ms at load 7.7 on 2 cores): the memory
    estimate asked once per convolution under `--conv auto` (22 looks in a stylize dry run), so the answer was cached
    for the process. Asked once an estimate (3 looks in a stylize dry run, 8 in a sweep's), nothing is kept: a plugin
    installed since is seen."""
    clean = {k: v for k, v in os.environ.items() if k not in ("JAX_PLATFORMS", "TPU_LIBRARY_PATH")}
    p = subprocess.run([sys.executable, "-c", _LOOKS], capture_output=True, text=True, cwd=ROOT,
                       env={**clean, "PYTHONPATH": str(ROOT)})
    assert json.loads(p.stdout.splitlines()[-1]) == [True, 1, False, False], p.stdout + p.stderr
