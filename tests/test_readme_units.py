"""README's prose says sizes as jaxart prints them (`byte_sizes.amount`: KiB, MiB, GiB): it said vgg19 was "80 MB"
beside a table of "76 MiB", and "575 MB", "5 KB/s", "0.15 MB" where the tool says MiB and KiB; weights/README.md's
table gave vgg16-hed as "59 MB" (56 MiB). Quoted output (in backticks or an indented block) may show another
program's units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("readme", ["README.md", "weights/README.md"])
def test_readme_prose_sizes_are_in_binary_units(readme):
    lines = [line for line in (ROOT / readme).read_text().splitlines() if not line.startswith("    ")]
    prose = re.sub(r"`[^`]*`", "", "\n".join(lines))  # a quote may run on to the next line
    decimal = re.findall(r"\b\d[\d.,]*\s?[kKMGT]B\b", prose)
    assert decimal == [], decimal
