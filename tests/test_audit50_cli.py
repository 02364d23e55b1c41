"""An artist's first hour (audit of stop 50): the slips a newcomer makes, each answered with one line that says
what to type instead, exit 2, nothing written."""

import pytest

from conftest import run_main


@pytest.mark.parametrize(("argv", "line"), [
    (["stylise", "photo.jpg", "painting.jpg"],
     "`jaxart` has no command stylise (did you mean stylize?); see `jaxart --help`"),
    (["swep", "photo.jpg"], "`jaxart` has no command swep (did you mean sweep?); see `jaxart --help`"),
    (["weights", "lst"], "`jaxart weights` has no command lst (did you mean list?); see `jaxart weights --help`"),
    (["draw"], "`jaxart` has no command draw; see `jaxart --help` for its commands"),
])
def test_a_misspelt_command_is_named_with_its_close_spelling(argv, line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(argv, monkeypatch, capsys)
    # was "`jaxart` has no command stylise'. Did you mean 'stylize'?: give a command before the files; to paint a
    # photo: `jaxart stylize 'stylise'"'"'. Did you mean ..." (click's guess taken for a file's name); "foo" quoted
    assert (code, err) == (2, f"error: {line}"), err
    assert not list(tmp_path.iterdir())


def test_a_file_named_like_a_command_still_gets_the_stylize_to_type(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize.jpg", "starry.jpg"], monkeypatch, capsys)
    # click guessed 'stylize' for it, and the line was garbled as above
    assert (code, err) == (2, "error: `jaxart` has no command stylize.jpg: give a command before the files; to paint "
                              "a photo: `jaxart stylize stylize.jpg starry.jpg`; see `jaxart --help`"), err


@pytest.mark.parametrize(("name", "start"), [("vgg19_notop.h5", b"\x89HDF\r\n\x1a\n"),
                                             ("vgg19-dcbb9e9d.pth", b"PK\x03\x04")])
def test_a_downloaded_h5_or_pth_given_to_model_says_to_convert_it(name, start, tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    source = tmp_path / name
    source.write_bytes(start + bytes(4096))
    argv = stylize_argv(files, tmp_path / "o.png")
    code, _, err = run_main([*argv[:argv.index("--model") + 1], str(source), *argv[argv.index("--model") + 2:]],
                            monkeypatch, capsys)
    # was "... is not a readable safetensors file (Error while deserializing header: header too large); convert
    # it first: ...": a parser's complaint about a file the user never meant as safetensors
    assert (code, err) == (2, f"error: {source} is a {source.suffix} file, not converted weights; convert it first: "
                              f"jaxart weights convert {source} --name NAME"), err
    assert not (tmp_path / "o.png").exists()
