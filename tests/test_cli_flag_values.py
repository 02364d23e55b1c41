"""A word meaning on or off typed after an on/off flag (`--overwrite yes`) in every command, and the command line's
checks as the words click was given read them: called from Python (`cli.app([...])`, typer's CliRunner), where
sys.argv is another program's."""

import pytest

from conftest import run_main, stylize_argv, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("flag_values"))


@pytest.mark.parametrize(("typed", "line"), [
    # was "`jaxart bench` takes no arguments, but was given 'yes'", no word of the flag
    (["bench", "--overwrite", "yes"], "yes after --overwrite was taken for an argument; --overwrite takes no value: "
     "give --overwrite or --no-overwrite alone"),
    # was "`jaxart info` takes only IMAGE, but was also given 'yes'"
    (["info", "{photo}", "--command", "yes"], "yes after --command was taken for a file; --command takes no value: "
     "give --command alone"),
    # was "yes does not exist; check the path and the current folder"
    (["info", "--command", "On", "{photo}"], "On after --command was taken for a file; --command takes no value: "
     "give --command alone"),
])
def test_every_command_names_the_flag_given_a_value(typed, line, files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = [w.format(photo=files[0] / "photo.jpg") for w in typed]
    assert run_main(argv, monkeypatch, capsys) == (2, "", f"error: {line}")
    assert list(tmp_path.iterdir()) == []


def test_a_file_named_like_a_switch_is_still_a_file(files, tmp_path, monkeypatch, capsys):
    (tmp_path / "yes").write_bytes((files[0] / "photo.jpg").read_bytes())
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["info", "--command", "yes"], monkeypatch, capsys)
    assert (code, err) == (2, "error: yes has no jaxart run record; was it written by jaxart?")


def _invoked(args: list[str]):
    """`cli.app(args)` through typer's CliRunner, with sys.argv left as pytest's."""
    from typer.testing import CliRunner

    import cli

    return CliRunner().invoke(cli.app, args)


def test_a_flag_given_a_value_is_named_from_python(files, tmp_path, monkeypatch):
    """The check read sys.argv (pytest's here): `yes` went on as the photo, "yes does not exist"."""
    monkeypatch.chdir(tmp_path)
    argv = stylize_argv(files, "o.png")
    result = _invoked([argv[0], "--overwrite", "yes", *argv[1:]])
    assert result.exit_code == 2
    assert "yes after --overwrite was taken for a file; --overwrite takes no value" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_a_file_read_as_an_option_and_its_value_is_named_from_python(files, tmp_path, monkeypatch):
    """`-out.png paint.png other.png` reads as -o ut.png: the check read sys.argv (pytest's here), so the run went on,
    paint.png painted into ut.png."""
    d, model = files
    (tmp_path / "-out.png").write_bytes((d / "photo.jpg").read_bytes())
    (tmp_path / "other.png").write_bytes((d / "paint.png").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = _invoked(["stylize", "-out.png", str(d / "paint.png"), "other.png", "--model", model, "--size", "32",
                       "--steps", "1", "--quiet"])
    assert result.exit_code == 2
    assert "-out.png, a file here, was read as options (-o ut.png)" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-out.png", "other.png"]
