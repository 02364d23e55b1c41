"""An option that takes one value, given twice with different values: click kept the last without a word
(`stylize ... -o a.png -o b.png` wrote b.png alone; `--style-weight 1 --style-weight 10` ran 10). Every command
refuses it now, naming both values (jaxart_cli.repeated); the same value twice, and a flag twice, are let be."""

import pytest
from PIL import Image

from jaxart import bench_suite

from conftest import run_main


@pytest.fixture
def pictures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, colour in (("a.png", (90, 140, 200)), ("b.png", (200, 120, 40))):
        Image.new("RGB", (32, 24), colour).save(tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("given, said", [
    (["-o", "x.png", "-o", "y.png"], "-o x.png and -o y.png"),
    (["--output", "x.png", "--output=y.png"], "x.png and y.png"),
    (["-o", "x.png", "--output", "y.png"], "-o x.png and --output y.png"),  # aliases are one option
    (["-qox.png", "--output", "y.png"], "-o x.png and --output y.png"),  # -q -o x.png, as click reads it
])
def test_stylize_refuses_an_output_given_twice_and_writes_nothing(given, said, pictures, monkeypatch, capsys):
    code, out, err = run_main(["stylize", "a.png", "b.png", *given, "--size", "32", "--steps", "1", "--dry-run"],
                              monkeypatch, capsys)
    assert (code, out, err) == (2, "", f"error: --output was given twice, {said}; --output takes one value: give it "
                                       "once")
    assert sorted(p.name for p in pictures.iterdir()) == ["a.png", "b.png"]


def test_stylize_names_sweep_for_a_swept_weight_given_twice(pictures, monkeypatch, capsys):
    code, _, err = run_main(["stylize", "a.png", "b.png", "--style-weight", "1", "--style-weight", "10",
                             "--dry-run"],
                            monkeypatch, capsys)
    assert (code, err) == (2, "error: --style-weight was given twice, 1 and 10; --style-weight takes one value: give "
                              "it once (`jaxart sweep` compares several: --style-weight 1,10)")


def test_the_same_value_twice_a_flag_twice_and_words_after_dashes_are_let_be(pictures, monkeypatch, capsys):
    """`1` and `1.0`, `o.png` and `./o.png` are one value; `-q --quiet` one switch; after `--` a `-o` is a file's
    name (here a painting's), not the option."""
    Image.new("RGB", (32, 24), (20, 200, 60)).save(pictures / "-o", format="PNG")
    code, out, err = run_main(["stylize", "--style-weight", "1", "--style-weight", "1.0", "-o", "o.png", "--output",
                               "./o.png", "-q", "--quiet", "--size", "32", "--steps", "1", "--dry-run",
                               "--", "a.png", "-o", "b.png"], monkeypatch, capsys)
    assert code == 0, err
    assert "would write o.png" in out + err


def test_sweep_refuses_a_one_value_option_given_twice_and_still_adds_its_swept_ones(pictures, monkeypatch, capsys):
    code, _, err = run_main(["sweep", "a.png", "b.png", "--size", "16", "--size", "24", "--dry-run"], monkeypatch,
                            capsys)
    assert (code, err) == (2, "error: --size was given twice, 16 and 24; --size takes one value in a sweep, which "
                              "compares values of --style-weight, --content-weight, --tv-weight, --seed or "
                              "--style-scale (comma-separated): run a sweep for each")
    code, out, err = run_main(["sweep", "a.png", "b.png", "--style-weight", "1", "--style-weight", "10", "--size",
                               "32", "--steps", "1", "--dry-run"], monkeypatch, capsys)
    assert code == 0, err
    assert "2 settings" in out + err


def test_bench_refuses_a_one_value_option_given_twice_before_measuring(monkeypatch, capsys):
    def run(*args, **kwargs):
        raise AssertionError("bench measured before refusing")

    monkeypatch.setattr(bench_suite, "run", run)
    code, _, err = run_main(["bench", "--sizes", "16", "--repeats", "1", "--repeats=2"], monkeypatch, capsys)
    assert (code, err) == (2, "error: --repeats was given twice, 1 and 2; --repeats takes one value: give it once")


def test_info_has_only_a_flag_and_given_twice_it_reads_as_once(pictures, monkeypatch, capsys):
    """info takes no option with a value: --command twice is --command, as every flag twice is."""
    once = run_main(["info", "a.png", "--command"], monkeypatch, capsys)
    assert once[0] != 0 and "run record" in once[2]
    assert run_main(["info", "a.png", "--command", "--command"], monkeypatch, capsys) == once


@pytest.mark.parametrize("argv, said", [
    (["weights", "convert", "v.h5", "--name", "mine", "--name", "yours"], "--name was given twice, mine and yours"),
    (["weights", "normalize", "--images", "gone.png", "--size", "16", "--size", "24"],
     "--size was given twice, 16 and 24"),
])
def test_weights_refuses_a_one_value_option_given_twice_and_installs_nothing(argv, said, pictures, monkeypatch,
                                                                             capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(pictures / "w"))
    (pictures / "v.h5").write_bytes(b"not weights")
    code, _, err = run_main(argv, monkeypatch, capsys)
    flag = said.split()[0]
    assert (code, err) == (2, f"error: {said}; {flag} takes one value: give it once")
    assert not (pictures / "w").exists()


def test_an_option_given_again_without_its_value_is_said_to_need_one(pictures, monkeypatch, capsys):
    """`-o x.png -o`: the second has no value to compare; click's line says what is missing."""
    code, _, err = run_main(["stylize", "a.png", "b.png", "-o", "x.png", "-o"], monkeypatch, capsys)
    assert (code, err) == (2, "error: Option -o requires an argument")
