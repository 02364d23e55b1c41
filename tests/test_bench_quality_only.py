"""`jaxart bench --sizes none --quality-evals N`: time to quality alone, without first waiting for the rows per size
(256 and 512 px by default), which a user after time to quality alone could not skip."""

import json

import pytest

from jaxart import bench, bench_checks, bench_machine, bench_suite

from conftest import run_main


def test_sizes_none_times_only_time_to_quality(monkeypatch, capsys, tmp_path):
    def measured(size, **kwargs):
        raise AssertionError(f"bench timed a {size} px row")

    quality = {"target": 1.0, "single": {"steps": 2}}
    monkeypatch.setattr(bench, "measure", measured)
    monkeypatch.setattr(bench_machine, "matmul_peak", lambda dtype: 1.0)
    monkeypatch.setattr(bench_checks, "_check_memory", lambda config, flag, sweep: None)
    monkeypatch.setattr(bench_suite, "_time_to_quality", lambda **kwargs: dict(quality))
    out = tmp_path / "b.json"
    code, _, err = run_main(["bench", "--sizes", "none", "--quality-evals", "2", "--quality-size", "16", "--json",
                             str(out)], monkeypatch, capsys)
    assert code == 0, err
    report = json.loads(out.read_text())
    assert report["options"]["sizes"] == [] and report["results"] == [] and report["quality"] == quality


@pytest.mark.parametrize("extra, said", [
    ([], "error: Invalid value for --sizes: none leaves nothing to time; give --quality-evals N to time only time "
         "to quality"),
    (["--quality-evals", "2", "--memory"], "error: Invalid value for --memory: it only applies to the rows per size, "
                                           "which --sizes none leaves out; give sizes, or leave it out"),
    (["--quality-evals", "2", "--sweep", "3"], "error: Invalid value for --sweep: it only applies to the rows per "
                                               "size, which --sizes none leaves out; give sizes, or leave it out"),
])
def test_sizes_none_refuses_what_it_leaves_nothing_for(extra, said, monkeypatch, capsys, tmp_path):
    def measured(*args, **kwargs):
        raise AssertionError("bench measured before refusing")

    monkeypatch.setattr(bench_suite, "_rows", measured)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["bench", "--sizes", "none", *extra], monkeypatch, capsys)
    assert (code, out, err) == (2, "", said)


def test_sizes_none_in_another_case_is_told_the_word(monkeypatch, capsys, tmp_path):
    """`--sizes None` was "'None' is not a comma-separated list of whole numbers", not a word of none, which it takes."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["bench", "--sizes", "None", "--quality-evals", "2"], monkeypatch, capsys)
    assert (code, out, err) == (2, "", "error: Invalid value for --sizes: 'None' is not a comma-separated list of whole "
                                       "numbers (did you mean none?)")


def test_the_quality_images_help_names_the_pictures_written_and_that_torch_writes_none(monkeypatch):
    """It said "the time-to-quality runs' last images", though PyTorch's run (--baseline torch) writes none: the
    help now names the jaxart runs' files, those bench_checks.quality_pictures says a run writes."""
    from pathlib import Path

    from typer.testing import CliRunner

    import cli

    monkeypatch.setenv("COLUMNS", "200")
    shown = " ".join(CliRunner().invoke(cli.app, ["bench", "--help"]).output.split())
    assert "--quality-images <path> Write the jaxart time-to-quality runs' last images" in shown
    for picture in bench_checks.quality_pictures(Path("q"), 1):
        assert picture.name in shown
    assert "(--baseline torch's run writes none)" in shown
