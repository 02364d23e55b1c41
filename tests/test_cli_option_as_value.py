"""An option typed without its value before another option: click took that option for the value, and the line
said something of the value (`--output --quiet`: "output --quiet has no suffix"), not of the value left out."""

import pytest

from conftest import run_main


@pytest.mark.parametrize("argv, flag, after", [
    (["stylize", "a.jpg", "b.jpg", "--output", "--quiet"], "--output", "--quiet"),  # was "has no suffix"
    (["stylize", "a.jpg", "b.jpg", "--size", "--steps", "5"], "--size", "--steps"),  # was "give a whole number"
    (["sweep", "a.jpg", "b.jpg", "--model", "-q"], "--model", "-q"),  # was "unknown model '-q'"
    (["bench", "--sizes", "--quality-evals", "3"], "--sizes", "--quality-evals"),
])
def test_an_option_given_no_value_before_another_says_so(argv, flag, after, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out, err) == (2, "", f"error: Option {flag} requires an argument: it took {after}, the option after "
                                       f"it, as its value; give the value right after {flag}")
    assert list(tmp_path.iterdir()) == []


def test_a_file_named_as_an_option_is_still_a_value(tmp_path, monkeypatch, capsys):
    """`--init --quiet` where a file --quiet is here: click reads it as the value, and so is it read here."""
    from PIL import Image

    monkeypatch.chdir(tmp_path)
    (tmp_path / "--quiet").write_bytes(b"not an image")
    for name in ("a.png", "b.png"):
        Image.new("RGB", (32, 24), (90, 140, 200)).save(tmp_path / name)
    code, _, err = run_main(["stylize", "a.png", "b.png", "--init", "--quiet", "--dry-run"], monkeypatch, capsys)
    # the file was read as the --init image, as click reads it, not refused as a value left out
    assert (code, err) == (2, "error: --quiet is not in an image format Pillow can read; convert it to PNG or JPEG")
