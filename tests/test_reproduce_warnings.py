"""The one warning line `jaxart info --command` gives beside the command: an input or mask gone or changed,
weights not installed here, --conv auto computing otherwise here, an interrupted run. (Other weights at the
model's path: test_reproduce.py, beside the sweep tile's run whose compiled programs that test reuses.)"""

import shlex

import numpy as np

from jaxart.config import StyleConfig
from jaxart.output import save_image

from conftest import run_main, write_tiny_job
from test_reproduce import _install, _record


def test_a_gone_or_changed_input_is_named_in_one_warning(tmp_path, monkeypatch, capsys):
    from jaxart.checkpoint import digests

    d, _ = write_tiny_job(tmp_path)
    _install(d, monkeypatch)
    sums = digests([d / "photo.jpg", d / "paint.png"])
    save_image(d / "out.png", np.zeros((4, 4, 3)), _record(StyleConfig(), d, input_sha256=sums))
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    (d / "paint.png").write_bytes((d / "paint.png").read_bytes() + b"\0")
    (d / "photo.jpg").unlink()
    code, again, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and again == out  # still printed, unchanged
    assert err.count("\n") == 0 and err.startswith("warning: ")
    assert f"{d / 'photo.jpg'} is gone" in err and f"{d / 'paint.png'} has changed since the run" in err


def test_weights_not_installed_are_said_how_to_get(tmp_path, monkeypatch, capsys):
    from jaxart.weights import store

    d, model = write_tiny_job(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(d / "weights"))  # none installed
    save_image(d / "out.png", np.zeros((4, 4, 3)), _record(StyleConfig(), d))
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and shlex.split(out)[-2:] == ["--model", "vgg19"] and err.count("\n") == 0
    assert "vgg19 is not installed here: the command downloads it first" in err
    # Before records kept a --model file's path, they named its weights by the name inside it:
    # `--model tiny` finds nothing here, and the warning says which file to give instead.
    old = _record(StyleConfig(), d, model="tiny", weights_sha256=store.load(model).sha256)
    save_image(d / "old.png", np.zeros((4, 4, 3)), old)
    code, out, err = run_main(["info", str(d / "old.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and shlex.split(out)[-2:] == ["--model", "tiny"] and err.count("\n") == 0
    assert "weights 'tiny' are neither registered nor installed here" in err
    assert f"give that .safetensors file (sha256 {store.load(model).sha256[:12]}...) to --model" in err
    assert f"or copy it to {d / 'weights' / 'tiny.safetensors'}" in err
    _install(d, monkeypatch, "tiny")  # as the warning says: then the command runs, with the run's weights
    assert run_main(["info", str(d / "old.png"), "--command"], monkeypatch, capsys) == (0, out, "")


def test_conv_auto_computing_otherwise_here_is_said(tmp_path, monkeypatch, capsys):
    d, _ = write_tiny_job(tmp_path)
    _install(d, monkeypatch)
    for recorded, bf16_here, says in [("bfloat16", False, "Winograd products in bfloat16"),
                                      ("float32", True, "add --conv winograd"),
                                      ("bfloat16", True, None), ("float32", False, None)]:
        monkeypatch.setattr("jaxart.convs.bfloat16_pays", lambda: bf16_here)
        save_image(d / "out.png", np.zeros((256, 192, 3)), _record(StyleConfig(), d, gradient_products=recorded),
                   overwrite=True)
        code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
        assert code == 0 and "--conv" not in out  # the command keeps auto: see reproduce_checks._conv_here
        assert (says in err and err.count("\n") == 0) if says else err == ""


def test_a_gone_mask_or_model_file_is_named_once_and_an_interrupted_run_is_said(tmp_path):
    from jaxart import reproduce_checks

    d, _ = write_tiny_job(tmp_path)
    config = StyleConfig(mask=str(d / "mask.png"), region_colors=("red",))
    record = _record(config, d, model_path=str(d / "gone.safetensors"))
    inputs = reproduce_checks.changed_inputs(record)
    assert f"{d / 'mask.png'} is gone" in inputs and f"{d / 'gone.safetensors'} is gone" in inputs
    assert reproduce_checks.changed_weights(record) is None  # said once, by changed_inputs
    assert reproduce_checks.caveats(_record(StyleConfig(), d)) == []
    notes = reproduce_checks.caveats(_record(StyleConfig(), d, interrupted="SIGINT", step=3))
    assert len(notes) == 1 and "interrupted at step 3" in notes[0] and "runs every step" in notes[0]
    # with --tolerance the printed command stops where it converges, as the note says
    notes = reproduce_checks.caveats(_record(StyleConfig(), d, interrupted="SIGINT", step=3, tolerance=0.01))
    assert "runs until it converges or its last step" in notes[0]


def test_conv_auto_is_judged_at_the_size_the_network_saw_margin_included(tmp_path, monkeypatch):
    """A 56 px image is optimized at 88 px inside its 16 px margin: there stage 2's 44x44 px reach
    --conv auto's Winograd threshold (32x32), at 56 px its 28x28 would not."""
    from jaxart import reproduce_checks

    d, _ = write_tiny_job(tmp_path)
    monkeypatch.setattr("jaxart.convs.bfloat16_pays", lambda: True)
    record = _record(StyleConfig(), d, gradient_products="bfloat16")
    assert reproduce_checks.caveats(record, (56, 56)) == []
    assert "here --conv auto takes them in bfloat16" in reproduce_checks.caveats(
        _record(StyleConfig(), d, gradient_products="float32"), (56, 56))[0]



def _git(folder, *args) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_a_record_names_the_commit_jax_and_cpu_that_made_it(tmp_path, tiny_vgg16):
    """`jaxart.__version__` is the same at every commit: two sweeps of a checkout could not be told apart."""
    import shutil
    from pathlib import Path

    import jax
    import pytest

    from jaxart import provenance, run_record, transfer

    if shutil.which("git") is None:
        pytest.skip("no git here")
    repo = tmp_path / "repo"
    (repo / "jaxart").mkdir(parents=True)
    (repo / "jaxart" / "m.py").write_text("x = 1\n")
    (repo / "other").mkdir()
    assert provenance.source(repo / "jaxart") is None  # no repository yet
    _git(repo, "init", "-q")
    assert provenance.source(repo / "jaxart") is None  # no commit yet
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    head = _git(repo, "rev-parse", "HEAD")
    assert provenance.source(repo / "jaxart") == {"commit": head, "modified": False}
    (repo / "jaxart" / "m.py").write_text("x = 2\n")
    assert provenance.source(repo / "jaxart") == {"commit": head, "modified": True}
    (repo / "other" / "jaxart").mkdir()
    assert provenance.source(repo / "other" / "jaxart") is None  # vendored below another project's top
    outcome = transfer.Outcome(np.zeros((32, 32, 3)), {"total": 1.0}, 1, 0.5)
    record = run_record.record(StyleConfig(size=32, steps=1), tiny_vgg16, outcome, {})
    package = Path(run_record.__file__).resolve().parent
    here = provenance.source(package)
    assert record.get("source") == here and (here is None or here["commit"] == _git(package, "rev-parse", "HEAD"))
    assert record["machine"]["jax"] == jax.__version__ and record["machine"]["backend"] == jax.default_backend()


def test_a_record_says_when_it_was_made_in_utc(tiny_vgg16):
    """Records carried no date: results of one afternoon could not be told from a week-old sweep's."""
    import datetime

    from jaxart import run_record, transfer

    outcome = transfer.Outcome(np.zeros((32, 32, 3)), {"total": 1.0}, 1, 0.5)
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    made = datetime.datetime.fromisoformat(run_record.record(StyleConfig(size=32, steps=1), tiny_vgg16, outcome, {})
                                           ["finished"])
    assert made.utcoffset() == datetime.timedelta(0) and before <= made <= datetime.datetime.now(datetime.timezone.utc)


def test_info_command_says_when_another_commit_jax_or_cpu_runs_it(tmp_path, monkeypatch, capsys):
    d, _ = write_tiny_job(tmp_path)
    _install(d, monkeypatch)
    monkeypatch.setattr("jaxart.provenance.source", lambda: {"commit": "b" * 40, "modified": False})
    here = {"backend": "cpu", "cpu": "Intel Xeon", "jax": "0.11.2", "jaxlib": "0.11.2", "python": "3.12.1"}
    monkeypatch.setattr("jaxart.provenance.machine", lambda: here)
    old = {**here, "jax": "0.10.2", "jaxlib": "0.10.2"}
    for made, says in [({"source": {"commit": "a" * 40, "modified": True}},
                        "made with commit aaaaaaa (modified); here it is commit bbbbbbb, which may"),
                       ({"source": {"commit": "a" * 40}, "machine": {**old, "cpu": "AMD EPYC"}},
                        "made with commit aaaaaaa, jax 0.10.2, AMD EPYC; here it is commit bbbbbbb, jax 0.11.2, "
                        "Intel Xeon, which may give other pixels"),
                       ({"machine": {**here, "jaxlib": "0.11.1"}}, "made with jaxlib 0.11.1; here it is jaxlib 0.11.2"),
                       ({"machine": {**here, "backend": "gpu", "device": "NVIDIA H100"}}, "made with gpu; here it is cpu"),
                       ({"source": {"commit": "b" * 40, "modified": True}, "machine": here}, None), ({}, None)]:
        save_image(d / "out.png", np.zeros((4, 4, 3)), _record(StyleConfig(), d, **made), overwrite=True)
        code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
        assert code == 0 and out.startswith("jaxart stylize ")
        assert (says in err and err.count("\n") == 0) if says else err == "", err


def test_the_installed_jax_version_is_the_imported_ones_or_not_told(tmp_path, monkeypatch):
    """`info --command` reads it without importing JAX (provenance.machine); a jax that Python would import from
    elsewhere than its installed distribution (a source checkout on the path) leaves it to importing."""
    import importlib.machinery
    import importlib.util

    import jax
    import jaxlib

    from jaxart import provenance

    assert provenance.installed_versions() == {"jax": jax.__version__, "jaxlib": jaxlib.__version__}
    (tmp_path / "jax").mkdir()
    (tmp_path / "jax" / "__init__.py").write_text("__version__ = '0.0.1.dev'\n")
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: importlib.machinery.PathFinder.find_spec(name, [str(tmp_path)]))
    assert provenance.installed_versions() is None
