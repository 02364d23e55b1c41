"""Small refusals an audit found saying more, or less, than the user typed."""

import pytest

import jaxart
from jaxart import sweep

CONFIG = jaxart.StyleConfig(size=16, steps=4, init="random")


def test_a_setting_listed_twice_is_named_in_words():
    """It read "the setting Setting(style_weight=10, ...) is listed twice": Python's repr, not the words the other
    sweep refusals use."""
    twice = [sweep.Setting(10, 1, 10), sweep.Setting(1, 1, 10), sweep.Setting(10, 1, 10)]
    with pytest.raises(jaxart.InputError) as e:
        sweep.check(CONFIG, twice)
    assert str(e.value) == ("the setting style 10, content 1, tv 10 is listed twice, which would give two identical "
                            "images; list each setting once")


def test_a_refused_setting_names_a_seed_only_where_one_was_swept():
    """It read "the setting style -1, content 1, tv 10, seed 0: ...": a seed the user never gave."""
    with pytest.raises(jaxart.InputError, match=r"^the setting style -1, content 1, tv 10: style-weight must"):
        sweep.check(CONFIG, [sweep.Setting(-1, 1, 10)])
    with pytest.raises(jaxart.InputError, match=r"^the setting style -1, content 1, tv 10, seed 0: style-weight must"):
        sweep.check(CONFIG, [sweep.Setting(-1, 1, 10), sweep.Setting(-1, 1, 10, 1)])
