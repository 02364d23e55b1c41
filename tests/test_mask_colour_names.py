"""A mask painted in pure green (#00ff00) with `--region-style green=...` was refused as "mask colour
'green' is not in mask.png; its colours are ..., #00ff00 (50%)": the colour name green is #008000
(#00ff00 is "lime"), which the message did not say, so it read as contradicting itself."""

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from jaxart import guided
from jaxart.errors import InputError


@pytest.fixture
def mask(tmp_path):
    m = np.zeros((30, 40, 3), np.uint8)
    m[:15] = (255, 0, 0)
    m[15:] = (0, 255, 0)
    Image.fromarray(m).save(tmp_path / "mask.png")
    return str(tmp_path / "mask.png")


def _refusal(mask, *colours):
    with pytest.raises(InputError) as e:
        guided.check_mask(SimpleNamespace(mask=mask, region_colors=colours), (30, 40, 3), len(colours))
    return str(e.value)


def test_a_named_colour_that_matches_nothing_says_its_value_and_the_mask_colour_to_give(mask):
    assert _refusal(mask, "red", "green") == (
        f"mask colour 'green' is not in {mask} (green is #008000); its colours are #00ff00 (50%), #ff0000 (50%); "
        "for its #00ff00 give --region-style '#00ff00'=PAINTING")
    assert _refusal(mask, "red", "0,128,0").startswith(f"mask colour '0,128,0' is not in {mask} (0,128,0 is #008000);")


def test_a_hex_colour_is_not_explained_and_a_fully_matched_mask_has_nothing_to_offer(mask):
    assert _refusal(mask, "red", "#008000") == (
        f"mask colour '#008000' is not in {mask}; its colours are #00ff00 (50%), #ff0000 (50%)")
    assert _refusal(mask, "red", "lime", "blue") == (
        f"mask colour 'blue' is not in {mask} (blue is #0000ff); its colours are #00ff00 (50%), #ff0000 (50%)")
    guided.check_mask(SimpleNamespace(mask=mask, region_colors=("red", "lime")), (30, 40, 3), 2)  # accepted
