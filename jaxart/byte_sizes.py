"""A byte count as a person reads it, said one way wherever jaxart says one: a memory refusal, a download, the
weights list, a dry run, a damaged file. Units are powers of 1024 named as such (KiB, MiB, GiB), as free(1),
XLA and the README's memory figures count; a file's exact size, where it matters, is said in bytes instead."""

from __future__ import annotations


def amount(n: float) -> str:
    """`n` bytes (n >= 0) as "700 bytes", "23 KiB", "548 MiB", "1.7 GiB", or "1.9e+16 GiB" where the figure would
    run to many digits: whole KiB and MiB, GiB to a tenth (the memory free, where a tenth is 100 MiB)."""
    if round(n) < 1024:
        return f"{n:,.0f} byte{'' if round(n) == 1 else 's'}"
    for power, unit in enumerate(("KiB", "MiB"), 1):
        if round(n / 1024**power) < 1024:
            return f"{n / 1024**power:.0f} {unit}"
    gib = n / 2**30
    return f"{gib:.1f} GiB" if gib < 10_000 else f"{gib:.2g} GiB"


def rate(n: float) -> str:
    """`n` bytes a second (n >= 0) as a download bar says it: `amount`'s units, to a tenth below 10 KiB or MiB
    ("1.4 MiB/s", "5.0 KiB/s"; whole, 1.4 MiB/s read "1 MiB/s", a third off), whole from 10 ("12 MiB/s")."""
    said = amount(n)
    power = {"KiB": 1, "MiB": 2}.get(unit := said.rpartition(" ")[2])
    if power and n / 1024**power < 9.95:
        said = f"{n / 1024**power:.1f} {unit}"
    return f"{said}/s"
