"""A file whose name starts with a dash, read by click as options (jaxart_cli/usage.py): the line names the file,
the option it was read as, and how to write it (./NAME, or `--` before the files); nothing is written."""

import pytest

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("dash_files"))


# -quiet.jpg: click took -q, then said "has no option -u" alone, which named no file.
@pytest.mark.parametrize("name, option", [("-dash.jpg", "-d"), ("--photo.jpg", "--photo.jpg"), ("-quiet.jpg", "-u")])
def test_a_file_whose_name_starts_with_a_dash_is_said_to_be_read_as_options(name, option, files, tmp_path,
                                                                             monkeypatch, capsys):
    """`jaxart stylize -dash.jpg paint.png` said "has no option -d", a letter never typed, nor why."""
    d, model = files
    (tmp_path / name).write_bytes((d / "photo.jpg").read_bytes())
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["stylize", name, str(d / "paint.png"), "--model", model, "-o", "o.png"], monkeypatch,
                              capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err == (f"error: `jaxart stylize` has no option {option}: {name}, a file here, was read as options; "
                   f"write it ./{name}, or put `--` before the files; see `jaxart stylize --help`"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_unknown_letter_is_not_blamed_on_a_file_whose_name_holds_it(files, monkeypatch, capsys):
    """`jaxart stylize photo.jpg paint.png -j 1` said "photo.jpg, a file here, was read as options": any file here
    whose name held the letter, where click reads only a word starting with "-" as options."""
    d, model = files
    monkeypatch.chdir(d)
    code, out, err = run_main(["stylize", "photo.jpg", "paint.png", "-j", "1", "--model", model], monkeypatch, capsys)
    assert code == 2 and err == "error: `jaxart stylize` has no option -j; see `jaxart stylize --help` for its options"


@pytest.mark.parametrize("name, read", [("-out.png", "-o ut.png"), ("-qout.png", "-o ut.png")])
def test_a_file_read_as_an_option_and_its_value_is_named(name, read, files, tmp_path, monkeypatch, capsys):
    """`jaxart stylize -out.png paint.png`: click took -o ut.png, and the line asked for a STYLE painting, naming no
    file, where other `-dash` names are said to be read as options."""
    d, model = files
    (tmp_path / name).write_bytes((d / "photo.jpg").read_bytes())
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["stylize", name, str(d / "paint.png"), "--model", model], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err == (f"error: `jaxart stylize`: {name}, a file here, was read as options ({read}); write it ./{name}, "
                   f"or put `--` before the files; see `jaxart stylize --help`"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_file_read_as_an_option_and_its_value_is_refused_where_the_inputs_still_add_up(command, files, tmp_path,
                                                                                         monkeypatch, capsys):
    """`jaxart stylize -out.png paint.png other.png` ran without a word and wrote ut.png (click read -o ut.png), its
    photo the first painting, where a file named -out.png here says it was meant. Without that file it runs as
    before, and `-o -out.png` names the output."""
    d, model = files
    monkeypatch.chdir(tmp_path)
    argv = [command, "-out.png", str(d / "paint.png"), str(d / "photo.jpg"), "--model", model, "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)  # no such file: -o ut.png, as click reads it
    assert code == 0 and "error" not in err and "would write ut.png" in out, err
    (tmp_path / "-out.png").write_bytes((d / "photo.jpg").read_bytes())
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err == (f"error: `jaxart {command}`: -out.png, a file here, was read as options (-o ut.png); write it "
                   f"./-out.png, or put `--` before the files; see `jaxart {command} --help`"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-out.png"]
    named = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", "-out.png", "--overwrite", "--model", model,
             "--dry-run"]
    code, out, err = run_main(named, monkeypatch, capsys)
    assert code == 0 and "error" not in err and "would write -out.png" in out and "replacing" in out, err
    # Another mistake beside it is told as itself: it said -out.png was read as -o ut.png, where -o took it whole.
    code, out, err = run_main([*named, "--size", "abc"], monkeypatch, capsys)
    assert code == 2 and err.startswith("error: Invalid value for --size") and "-out.png" not in err, err
