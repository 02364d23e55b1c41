"""Byte counts said one way: vgg19's download read "80 MB" in `weights list` and "76 MiB" in a dry run, a damaged
JPEG's size "8.3 MB" (10**6 bytes), a slow download's "60 KB" (1024 bytes) and memory "0.0 GiB is free" (a MiB)."""

import pytest

from jaxart import model_choice
from jaxart.byte_sizes import amount, rate
from jaxart.weights import catalog


@pytest.mark.parametrize("n,said", [(0, "0 bytes"), (1, "1 byte"), (1023, "1,023 bytes"), (1024, "1 KiB"),
                                    (60 * 1024, "60 KiB"), (2**20 - 1, "1 MiB"), (80_134_624, "76 MiB"),
                                    (2**30 - 1, "1.0 GiB"), (1.75 * 2**30, "1.8 GiB"), (2e22, "1.9e+13 GiB")])
def test_a_byte_count_is_said_in_powers_of_1024_named_as_such(n, said):
    assert amount(n) == said


@pytest.mark.parametrize("n,said", [(700, "700 bytes/s"), (5 * 1024, "5.0 KiB/s"), (1.4 * 2**20, "1.4 MiB/s"),
                                    (9.96 * 2**20, "10 MiB/s"), (12.4 * 2**20, "12 MiB/s"),
                                    (1023.9 * 1024, "1.0 MiB/s")])
def test_a_download_s_speed_is_said_to_a_tenth_below_10_of_its_unit(n, said):
    """The download bar said 1.4 MiB/s as "1 MiB/s" (`amount`'s whole MiB, which a size keeps: "76 MiB")."""
    assert rate(n) == said


def test_a_download_reads_the_same_in_the_weights_list_as_in_a_dry_run(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    listed = next(line for line in catalog.format_entries(catalog.entries()) if line.startswith("vgg19 "))
    assert "not installed (76 MiB download)" in listed
    assert "so a run would first download it (76 MiB)" in model_choice.first_download("vgg19")
