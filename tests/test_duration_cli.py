"""How long a run will take, as the CLI says it: `stylize --dry-run` and `sweep --dry-run` from this machine's
earlier runs, and a run at its start; kept in the cache folder, never with JAXART_CACHE_DIR=off, and a damaged
timings file only a warning (the estimate itself: test_duration.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run_main, stylize_argv, write_tiny_job
from jaxart import duration, timings

NO_TIMING = "; no timing yet of such a run on this machine; would write"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("timed"), "vgg16")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own (conftest turns it off for every other test)."""
    monkeypatch.setenv("JAXART_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / timings.NAME


def _sweep_argv(files, out, *extra):
    return ["sweep", *stylize_argv(files, out, *extra)[1:]]  # its --steps in `extra` replaces the 2 steps


def _kept(files, size: int, per_step: float, compile_s: float, rows: int = 1) -> dict:
    return {"host": timings.host(), "device": "cpu", "model": str(Path(files[1]).resolve()), "conv": "auto",
            "optimizer": "lbfgs", "rows": rows, "size": size, "per_step": per_step, "steps": 20, "compile": compile_s,
            "at": 1, **duration.ALIKE}


def test_a_dry_run_says_how_long_from_the_runs_on_this_machine_and_nothing_made_up_before(files, tmp_path, cache,
                                                                                        monkeypatch, capsys):
    """An artist about to start a long run wanted "about 25 minutes" before starting, not only the bar's ETA."""
    out = tmp_path / "out.png"
    code, printed, err = run_main(stylize_argv(files, out, "--steps", "300", "--dry-run"), monkeypatch, capsys)
    assert (code, err) == (0, "") and NO_TIMING in printed, printed
    # Its process started 100 s before the command's call (Python's own start and imports: `timings.started`).
    monkeypatch.setattr(timings, "started", lambda called: called - 100.0, raising=False)
    code, _, err = run_main(stylize_argv(files, out, "--steps", "4"), monkeypatch, capsys)  # a run keeps its times
    kept = json.loads(cache.read_text())["runs"]
    assert code == 0 and [(r["size"], r["model"], r["rows"], r["steps"]) for r in kept] == [
        (32, str(Path(files[1]).resolve()), 1, 3)] and kept[0]["per_step"] > 0 and kept[0]["compile"] >= 0, err
    assert 100 <= kept[0]["start"] < 160, kept  # from the process's start to the bar: Python, the inputs, the weights
    code, printed, err = run_main(stylize_argv(files, out, "--steps", "4", "--overwrite", "--dry-run"), monkeypatch,
                                  capsys)
    # Its seconds are this machine's (a loaded one compiles slower): the words, not the number, are fixed.
    said = re.search(r"; about \d+ (s|min) \(from your runs on this machine\); would write", printed)
    assert code == 0 and said, printed
    # Scaled as the bar's model says (the 16 px margin on every side counted): 16 px steps of 1 s and a 10 s compile
    # make 300 steps at 32 px 1.096 s each and 14 s of compile, and a step each of targets and of the final loss and
    # write (345 s); 600 steps 674 s; a sweep of 6 settings 6 x the steps.
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, 16, 1.0, 10.0)]}))
    for steps, said in (("300", "about 6 min"), ("600", "about 11 min")):
        code, printed, err = run_main(stylize_argv(files, out, "--steps", steps, "--overwrite", "--dry-run"),
                                      monkeypatch, capsys)
        assert (code, err) == (0, "") and f"; {said} (from your runs on this machine); would" in printed, printed
    # The command's start before the run (JAX, the inputs, the weights), kept by the run: 345 s and 120 s.
    cache.write_text(json.dumps({"version": 1, "runs": [{**_kept(files, 16, 1.0, 10.0), "start": 120.0}]}))
    code, printed, err = run_main(stylize_argv(files, out, "--steps", "300", "--overwrite", "--dry-run"),
                                  monkeypatch, capsys)
    assert (code, err) == (0, "") and "; about 8 min (from your runs on this machine); would" in printed, printed
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, 16, 1.0, 10.0)]}))
    code, printed, err = run_main(_sweep_argv(files, tmp_path / "g.png", "--steps", "300", "--style-weight",
                                              "1,10,100", "--tv-weight", "0,1", "--dry-run"), monkeypatch, capsys)
    assert (code, err) == (0, "") and "; about 33 min (from your runs on this machine); would" in printed, printed
    code, printed, err = run_main(stylize_argv(files, out, "--conv", "direct", "--overwrite", "--dry-run"),
                                  monkeypatch, capsys)  # timed with --conv auto only
    assert code == 0 and NO_TIMING in printed, printed


def test_a_run_says_how_long_it_should_take_as_it_starts(files, tmp_path, cache, monkeypatch, capsys):
    argv = stylize_argv(files, tmp_path / "out.png", "--steps", "300", "--overwrite")
    argv.remove("--quiet")
    cache.parent.mkdir()
    # Its start (60 s) is behind it: not in what it says.
    cache.write_text(json.dumps({"version": 1, "runs": [{**_kept(files, 16, 0.001, 0.0), "start": 60.0}]}))
    monkeypatch.setattr("jaxart.job.stylize_files", _stopped)  # not the run itself: what it says as it starts
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.splitlines()[0] == "stylize: about 5 s (from your runs on this machine)", err
    cache.write_text(json.dumps({"version": 1, "runs": []}))
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and "stylize:" not in err, err  # no timing yet: nothing said



def test_a_resumed_dry_run_says_how_long_the_steps_left_take(files, tmp_path, cache, monkeypatch, capsys, signal_at):
    """Resumed at step 10 of 20, the 10 steps left and a compile: 10 x 10.96 s + 14 s + two steps, of targets and of
    the final loss and write (146 s), not the whole run's 255 s (the estimate as above, from 16 px steps of 10 s and
    a 10 s compile). A resumed sweep's dry run said the whole sweep's time."""
    signal_at(10)
    code, _, err = run_main(stylize_argv(files, tmp_path / "out.png", "--steps", "20"), monkeypatch, capsys)
    assert code == 143, err
    dry = ["stylize", "--resume", str(tmp_path / "out.ckpt.npz"), "--dry-run"]
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and "; 10 steps left, no timing yet of such a run on this machine; would" in printed
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, 16, 10.0, 10.0)]}))
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and "; 10 steps left, about 2 min (from your runs on this machine); would" in printed
    sweep = _sweep_argv(files, tmp_path / "g.png", "--steps", "20", "--style-weight", "1,10")
    signal_at(10)
    code, _, err = run_main(sweep, monkeypatch, capsys)
    assert code == 143, err
    code, printed, err = run_main(["sweep", "--resume", str(tmp_path / "g.ckpt.npz"), "--dry-run"], monkeypatch, capsys)
    # 2 tiles, a batch of 2 rows, each a tile's time on a CPU (32 px steps of 10.96 s): 12 steps of 21.9 s and 14 s
    # of compile, 277 s, where it said the whole sweep's 8 min.
    assert (code, err) == (0, "") and "; 10 steps left, about 5 min (from your runs on this machine); would" in printed

def test_a_dry_run_of_auto_before_vgg19_is_installed_says_how_long_with_each_set_it_may_take(files, tmp_path, cache,
                                                                                           monkeypatch, capsys):
    """It said nothing of the time: a run tries to download vgg19, else takes vgg16-hed (offline, always), so each
    one's estimate is said, named (16 px steps of 1 s and of 2 s, a 10 s compile: 329 s and 642 s, as above)."""
    hed = tmp_path / "weights" / "vgg16-hed.safetensors"
    hed.parent.mkdir()
    hed.write_bytes(Path(files[1]).read_bytes())
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(hed.parent))
    argv = stylize_argv(files, tmp_path / "out.png", "--steps", "300", "--model", "auto", "--dry-run")
    code, printed, err = run_main(argv, monkeypatch, capsys)
    assert (code, err) == (0, "") and NO_TIMING in printed, printed
    cache.parent.mkdir(exist_ok=True)
    kept = [{**_kept(files, 16, 1.0, 10.0), "model": str(hed.resolve())}]
    vgg19 = {**kept[0], "per_step": 2.0, "model": str(hed.resolve().with_name("vgg19.safetensors"))}  # removed since
    for runs, said in ((kept, "no timing yet with vgg19, about 6 min with vgg16-hed"),
                       ([*kept, vgg19], "about 11 min with vgg19, about 6 min with vgg16-hed")):
        cache.write_text(json.dumps({"version": 1, "runs": runs}))
        code, printed, err = run_main(argv, monkeypatch, capsys)
        assert (code, err) == (0, "") and f"; {said} (from your runs on this machine); would" in printed, printed


def _stopped(*a, **k):
    from jaxart.errors import InputError

    raise InputError("stopped here")


@pytest.mark.parametrize("damage", ["{\"version\": 1, \"runs\": [", "folder"])
def test_a_damaged_or_unreadable_timings_file_changes_nothing_but_one_warning(files, tmp_path, cache, damage,
                                                                             monkeypatch, capsys):
    cache.parent.mkdir()
    cache.mkdir() if damage == "folder" else cache.write_text(damage)
    out = tmp_path / "out.png"
    code, printed, err = run_main(stylize_argv(files, out, "--dry-run"), monkeypatch, capsys)
    assert code == 0 and "from your runs" not in printed and "no timing" not in printed, printed
    assert len(err.splitlines()) == 1 and err.startswith(f"warning: timings file {cache} "), err
    code, printed, err = run_main(stylize_argv(files, out, "--steps", "4"), monkeypatch, capsys)
    assert code == 0 and out.exists() and len(err.splitlines()) == 1 and "timings file" in err, err
    if damage == "folder":
        assert cache.is_dir()
    else:  # started afresh with this run's times
        assert [r["size"] for r in json.loads(cache.read_text())["runs"]] == [32]


def test_cache_off_keeps_no_timings_anywhere(files, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    out = tmp_path / "out" / "out.png"
    for extra in (("--steps", "4"), ("--overwrite", "--dry-run")):
        code, printed, err = run_main(stylize_argv(files, out, *extra), monkeypatch, capsys)
        assert (code, err) == (0, "") and "from your runs" not in printed and "no timing" not in printed, printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and out.exists()


def test_a_weight_set_is_timed_as_one_whether_named_or_given_by_its_path(files, tmp_path, cache, monkeypatch,
                                                                         capsys):
    """`--model tiny` (installed) and its file's path, relative, through a link or with `~`, are one weight set: a
    run's timings were kept under the name and looked up under the path, so no estimate was said. The same name in
    another JAXART_WEIGHTS_DIR may be another network: its timings are its own."""
    d, model = files
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(d))
    monkeypatch.setenv("HOME", str(d.parent))
    out = tmp_path / "out.png"
    argv = stylize_argv(files, out, "--steps", "4")
    argv[argv.index("--model") + 1] = "tiny"
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and cache.is_file(), err
    (tmp_path / "link.safetensors").symlink_to(model)
    monkeypatch.chdir(d)
    for given in (model, "tiny.safetensors", str(tmp_path / "link.safetensors"), f"~/{d.name}/tiny.safetensors"):
        argv = stylize_argv(files, out, "--overwrite", "--dry-run")
        argv[argv.index("--model") + 1] = given
        code, printed, err = run_main(argv, monkeypatch, capsys)
        assert code == 0 and "(from your runs on this machine)" in printed, (given, printed)
    (tmp_path / "other").mkdir()
    other = write_tiny_job(tmp_path / "other", "vgg19")[0]
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(other))
    argv[argv.index("--model") + 1] = "tiny"
    code, printed, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and NO_TIMING in printed, printed


def test_a_remat_run_is_timed_apart_and_a_tolerance_makes_it_at_most(files, tmp_path, cache, monkeypatch, capsys):
    """--remat's step recomputes VGG's forward pass (1.3-1.5x a plain step's): plain runs' timings said its time,
    and its own moved theirs. --tolerance may stop a run at any tenth step of its last scale: the estimate is of all
    its steps."""
    out = tmp_path / "out.png"
    cache.parent.mkdir()
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, 16, 1.0, 10.0)]}))  # a plain run's
    code, printed, err = run_main(stylize_argv(files, out, "--steps", "300", "--tolerance", "0.001", "--dry-run"),
                                  monkeypatch, capsys)
    assert (code, err) == (0, "") and "; at most about 6 min (from your runs on this machine); would" in printed
    code, printed, err = run_main(_sweep_argv(files, tmp_path / "g.png", "--steps", "300", "--tolerance", "0.001",
                                              "--style-weight", "1,10", "--dry-run"), monkeypatch, capsys)
    assert (code, err) == (0, "") and "; at most about 11 min (from your runs on this machine); would" in printed
    code, printed, err = run_main(stylize_argv(files, out, "--remat", "--dry-run"), monkeypatch, capsys)
    assert code == 0 and NO_TIMING in printed, printed
    code, _, err = run_main(stylize_argv(files, out, "--remat", "--steps", "4"), monkeypatch, capsys)
    kept = json.loads(cache.read_text())["runs"]
    assert code == 0 and [r["remat"] for r in kept] == [False, True] and kept[1]["load"] >= 0, err
    code, printed, err = run_main(stylize_argv(files, out, "--remat", "--overwrite", "--dry-run"), monkeypatch, capsys)
    assert code == 0 and "(from your runs on this machine)" in printed, printed


def test_a_zoom_run_is_timed_apart_from_plain_runs(files, tmp_path, cache, monkeypatch, capsys):
    """--linesearch zoom's step took 2.5-4.4x a plain one's, --loop scan's 2.5-3.3x on a CPU, one to relu3_2 0.2-0.4x,
    --margin 0 0.78x the FLOPs (BENCHMARKS.md, "What the time estimate leaves out"): plain runs' timings said their
    time, and theirs plain runs'. A plain run's timing (16 px steps of 1 s, a 10 s compile: 329 s) says a plain
    run's alone."""
    out = tmp_path / "out.png"
    cache.parent.mkdir()
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, 16, 1.0, 10.0)]}))
    plain = stylize_argv(files, out, "--steps", "300", "--overwrite", "--dry-run")
    for extra in ((), ("--linesearch", "zoom"), ("--loop", "scan"), ("--style-layers", "relu1_1"), ("--margin", "0")):
        code, printed, err = run_main([*plain, *extra], monkeypatch, capsys)
        said = NO_TIMING if extra else "; about 6 min (from your runs on this machine); would"
        assert (code, err) == (0, "") and said in printed, (extra, printed)
    code, _, err = run_main(stylize_argv(files, out, "--linesearch", "zoom", "--steps", "4"), monkeypatch, capsys)
    kept = json.loads(cache.read_text())["runs"]
    assert code == 0 and [(r["linesearch"], r["loop"]) for r in kept] == [("none", "auto"), ("zoom", "auto")], err
    code, printed, err = run_main(plain, monkeypatch, capsys)  # its 32 px timing, nearer in size, is not a plain run's
    assert (code, err) == (0, "") and "; about 6 min (from your runs on this machine); would" in printed, printed
    code, printed, err = run_main([*plain, "--linesearch", "zoom"], monkeypatch, capsys)
    assert (code, err) == (0, "") and "(from your runs on this machine)" in printed, printed
