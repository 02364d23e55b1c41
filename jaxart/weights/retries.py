"""When a failed download attempt is tried again, how long it waits first, and the line that says so.

An attempt that keeps a speed window's worth of bytes (`Speed`: 1 KB/s for 60 s, so 60 KB) has made headway, and
another attempt resumes after it (`wget -c --tries=0` resumes for ever): hotel Wi-Fi that drops every 10 minutes
brings megabytes each time, yet failed after its third drop, with the user left to run the fetch again. `attempts`
in a row without headway end the fetch, as all attempts did before: a server that refuses, stalls, trickles or
drops the connection after a few bytes. MOST_ATTEMPTS in all end it too, so that one sending 60 KB a time, then
dropping the connection, cannot hold a fetch for hours.
"""

from __future__ import annotations

from typing import NamedTuple

from jaxart.weights.range_get import Speed

# 5 KB/s Wi-Fi (README's worst hotel) that drops every 10 minutes keeps 3 MB an attempt: vgg19-torchvision's 575 MB
# in 188 attempts, vgg19's 80 MB in 27. A server dropping each connection after 60 KB ends after 12 MB.
MOST_ATTEMPTS = 200


class Tries(NamedTuple):
    """A download's failed attempts so far: `made` in all, `idle` the last of them in a row that made no headway."""
    made: int = 0
    idle: int = 0


def least(speed: Speed) -> float:
    """The bytes an attempt keeps to have made headway: what `speed` asks of a window (at least one)."""
    return max(speed.min_rate * speed.window, 1.0)


def after(tries: Tries, added: int, speed: Speed) -> Tries:
    """`tries` once one more attempt failed, having kept `added` more bytes (fewer than none where it lost some)."""
    return Tries(tries.made + 1, 0 if added >= least(speed) else tries.idle + 1)


def last(tries: Tries, attempts: int) -> int:
    """The number of the attempt that ends the fetch if it fails, unless one before it makes headway."""
    return min(tries.made + max(attempts, 1) - tries.idle, MOST_ATTEMPTS)


def over(tries: Tries, attempts: int) -> bool:
    """Whether the fetch ends after `tries`: `attempts` in a row without headway, or MOST_ATTEMPTS in all."""
    return tries.made >= last(tries, attempts)


def wait(tries: Tries, backoff: float, asked: float) -> float:
    """Seconds before the next attempt: `backoff`, doubled for each attempt in a row past the first without
    headway, or `asked`, a busy server's Retry-After, where longer."""
    return max(backoff * 2 ** max(tries.idle - 1, 0), asked)


def notice(reason: object, asked: float, wait: float, tries: Tries, attempts: int) -> str:
    """The line said before the next attempt, after `wait` s (`asked`: the server's Retry-After)."""
    then = f"attempt {tries.made + 1} of {last(tries, attempts)}"
    if asked and asked >= wait:
        return f"the server asks to wait {asked:,.0f} s ({reason}); waiting, then {then}"
    return f"the download stopped ({reason}); {then}" + (f" in {wait:,.3g} s" if wait else "") + ", resuming"


def ended(reason: object, tries: Tries, attempts: int, speed: Speed) -> str:
    """Why the fetch ended after `tries` (`over` them), the last of which failed for `reason`."""
    made = f"{reason}, after {tries.made} attempt{'' if tries.made == 1 else 's'}"
    if tries.idle == tries.made:  # none made headway: the line as before headway counted
        return made
    if tries.idle < max(attempts, 1):
        return f"{made}, the most a fetch makes"
    amount = least(speed)
    amount = f"{amount / 1024:,.0f} KB" if amount >= 1024 else f"{amount:,.0f} bytes"
    return f"{made}, the last {tries.idle} in a row keeping under {amount} each"
