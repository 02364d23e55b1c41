"""Several values given to an option that takes one (`sweep --optimizer lbfgs,adam`, a researcher comparing
optimizers): refused as a list, saying which options a sweep compares, not with a guess at one of the values."""

import pytest

from conftest import run_main

SWEEPS = ("takes one value in a sweep, which compares values of --style-weight, --content-weight, --tv-weight, "
          "--seed or --style-scale (comma-separated): run a sweep for each")


@pytest.mark.parametrize("argv, said", [
    # was "'lbfgs,adam' is not one of lbfgs, adam (did you mean lbfgs?)": as if lbfgs alone were meant
    (["sweep", "a.jpg", "b.jpg", "--optimizer", "lbfgs,adam"], f"--optimizer: 'lbfgs,adam' is a list; --optimizer "
     f"{SWEEPS}"),
    (["sweep", "a.jpg", "b.jpg", "--colors", "keep,style"], f"--colors: 'keep,style' is a list; --colors {SWEEPS}"),
    # was "--init 'content,random' does not exist (did you mean content?); give content or random, or the path ..."
    (["sweep", "a.jpg", "b.jpg", "--init", "content,random"], f"--init: 'content,random' is a list; --init {SWEEPS}"),
    (["stylize", "a.jpg", "b.jpg", "--optimizer", "adam,lbfgs"], "--optimizer: 'adam,lbfgs' is a list; --optimizer "
     "takes one value: run stylize once for each"),
    (["stylize", "a.jpg", "b.jpg", "--init", "random,content"], "--init: 'random,content' is a list; --init takes "
     "one value: run stylize once for each"),
    # was "unknown model 'vgg16-hed,vgg19' (did you mean vgg16-hed?); known models are ...", once the run began
    (["stylize", "a.jpg", "b.jpg", "--model", "vgg16-hed,vgg19"], "--model: 'vgg16-hed,vgg19' is a list; --model "
     "takes one value: run stylize once for each"),
    (["sweep", "a.jpg", "b.jpg", "--model", "auto,vgg19"], f"--model: 'auto,vgg19' is a list; --model {SWEEPS}"),
    # a list with a misspelt item: was "unknown model 'vgg16-hed,vgg91' (did you mean vgg16-hed?)", and "'Adam,lbfgs'
    # is not one of lbfgs, adam (did you mean lbfgs?)", a guess at one of the values
    (["stylize", "a.jpg", "b.jpg", "--model", "vgg16-hed,vgg91"], "--model: 'vgg16-hed,vgg91' is a list; --model "
     "takes one value: run stylize once for each"),
    (["stylize", "a.jpg", "b.jpg", "--optimizer", "Adam,lbfgs"], "--optimizer: 'Adam,lbfgs' is a list; --optimizer "
     "takes one value: run stylize once for each"),
    (["sweep", "a.jpg", "b.jpg", "--init", "content,randm"], f"--init: 'content,randm' is a list; --init {SWEEPS}"),
])
def test_a_list_given_to_an_option_of_one_value_is_refused_as_a_list(argv, said, monkeypatch, capsys):
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1 and said in err, err
    assert "did you mean" not in err and "does not exist" not in err


def test_a_list_with_a_value_no_choice_takes_is_still_named_as_not_one_of_them(monkeypatch, capsys):
    """`lbfgs,sgd` is no list of optimizers: the choices are listed, as for any other word, and the item none of them
    is named, as a list option names its bad item; it ended "(did you mean lbfgs?)", a guess at the whole."""
    code, _, err = run_main(["sweep", "a.jpg", "b.jpg", "--optimizer", "lbfgs,sgd"], monkeypatch, capsys)
    assert code == 2 and err == ("error: Invalid value for --optimizer: 'lbfgs,sgd' is not one of lbfgs, adam (item 2 "
                                 "of 2, 'sgd', is none of them; give one value)"), err
    code, _, err = run_main(["sweep", "a.jpg", "b.jpg", "--optimizer", "lbfgs, sgd"], monkeypatch, capsys)
    assert code == 2 and err.endswith("(item 2 of 2, 'sgd', is none of them; give one value)"), err  # was ' sgd'
    code, _, err = run_main(["stylize", "a.jpg", "b.jpg", "--pooling", "sgd,max"], monkeypatch, capsys)
    assert code == 2 and err.endswith("'sgd,max' is not one of max, avg (item 1 of 2, 'sgd', is none of them; give "
                                      "one value)"), err


def test_an_init_file_whose_name_has_a_comma_is_read_as_a_file(tmp_path, monkeypatch, capsys):
    """A file named `content,random` is what `--init content,random` names there, as `--init Random` reads one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content,random").write_bytes(b"")
    code, _, err = run_main(["sweep", "a.jpg", "b.jpg", "--init", "content,random"], monkeypatch, capsys)
    assert code == 2 and "is a list" not in err, err


@pytest.mark.parametrize("argv, said", [
    (["stylize", "a.jpg", "b.jpg", "--init", "content,foo"], "--init: 'content,foo' is not content, random or an "
     "image file's path (item 2 of 2, 'foo', is none of them; give one value)"),
    (["sweep", "a.jpg", "b.jpg", "--init", "foo,random"], "--init: 'foo,random' is not content, random or an image "
     "file's path (item 1 of 2, 'foo', is none of them; give one value)"),
    (["stylize", "a.jpg", "b.jpg", "--model", "vgg16-hed,foo"], "--model: 'vgg16-hed,foo' is not auto, a model name "
     "or a .safetensors path (item 2 of 2, 'foo', is none of them; give one value)"),
])
def test_a_word_list_with_an_item_none_of_them_names_that_item(argv, said, monkeypatch, capsys):
    """`--init content,foo` names its unknown item, as `--optimizer lbfgs,sgd` does; it was "--init 'content,foo' does
    not exist (did you mean content?)", a guess at the whole, and `--model vgg16-hed,foo` "unknown model ... (did you
    mean vgg16-hed?)"."""
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and err == f"error: Invalid value for {said}", err
