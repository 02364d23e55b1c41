"""When a failed download attempt is tried again, how long it waits first, and the line that says so.

An attempt that keeps a speed window's worth of bytes (`Speed`: 1 KB/s for 60 s, so 60 KB) has made headway, and
another attempt resumes after it (`wget -c --tries=0` resumes for ever): hotel Wi-Fi that drops every 10 minutes
brings megabytes each time, yet failed after its third drop, with the user left to run the fetch again. `attempts`
in a row without headway end the fetch, as all attempts did before: a server that refuses, stalls, trickles or
drops the connection after a few bytes. MOST_ATTEMPTS in all end it too, and it ends early where the file is
`hopeless`: once JUDGED attempts have kept so little on average that the rest would take more than HOPELESS more,
as a server or proxy that drops every connection after 60 KB does with a 550 MB file (9,000 attempts). It was
asked 200 times for 12 MB, under a bar that crept on, and the next fetch the same.
"""

from __future__ import annotations

from typing import NamedTuple

from jaxart.byte_sizes import amount
from jaxart.weights.attempt_ends import Speed

# 5 KB/s Wi-Fi (README's worst hotel) that drops every 10 minutes keeps 3 MB an attempt: vgg19-torchvision's 575 MB
# in 188 attempts, vgg19's 80 MB in 27. A server dropping each connection after 60 KB ends vgg19 after 12 MB.
MOST_ATTEMPTS = 200
# Ten fetches of MOST_ATTEMPTS: a link that needs more would be fetched again over ten times (575 MB at under 280 KB
# an attempt), so it is told at once; one needing fewer goes on, each fetch resuming the last.
HOPELESS = 10 * MOST_ATTEMPTS
JUDGED = 5  # attempts before the average is trusted: a first attempt may be cut short by chance


class Tries(NamedTuple):
    """A download's failed attempts so far: `made` in all, `idle` the last of them in a row that made no headway,
    `kept` the bytes they kept in all (fewer where a server that ignored a Range dropped some)."""
    made: int = 0
    idle: int = 0
    kept: int = 0


def least(speed: Speed) -> float:
    """The bytes an attempt keeps to have made headway: what `speed` asks of a window (at least one)."""
    return max(speed.min_rate * speed.window, 1.0)


def after(tries: Tries, added: int, speed: Speed) -> Tries:
    """`tries` once one more attempt failed, having kept `added` more bytes (fewer than none where it lost some)."""
    return Tries(tries.made + 1, 0 if added >= least(speed) else tries.idle + 1, tries.kept + added)


def needed(tries: Tries, left: int) -> float:
    """The attempts the `left` bytes of the file would take at the average `tries` kept (inf where they kept none)."""
    return left * tries.made / tries.kept if tries.kept > 0 else float("inf")


def hopeless(tries: Tries, left: int) -> bool:
    """Whether `tries`, JUDGED or more, kept so little on average that the `left` bytes would take over HOPELESS more,
    while attempts still keep some: where they keep none, `attempts` in a row without headway end the fetch."""
    return tries.made >= JUDGED and tries.idle == 0 and needed(tries, left) > HOPELESS


def last(tries: Tries, attempts: int) -> int:
    """The number of the attempt that ends the fetch if it fails, unless one before it makes headway."""
    return min(tries.made + max(attempts, 1) - tries.idle, MOST_ATTEMPTS)


def sooner(tries: Tries, attempts: int, left: int, speed: Speed) -> bool:
    """Whether the fetch may end before the `last` attempt, as `hopeless`, with `left` bytes of the file to go: after
    an attempt that makes headway, if the next ones keep nothing and the one before the last the least that counts
    (where the average is lowest), the rest would take over HOPELESS more."""
    before = last(tries, attempts) - 1
    kept = least(speed)
    return before >= max(tries.made + 1, JUDGED) and hopeless(Tries(before, 0, tries.kept + kept), left - kept)


def over(tries: Tries, attempts: int, left: int) -> bool:
    """Whether the fetch ends after `tries`, with `left` bytes of the file to go: `attempts` in a row without headway,
    MOST_ATTEMPTS in all, or attempts whose headway is `hopeless`."""
    return tries.made >= last(tries, attempts) or hopeless(tries, left)


def wait(tries: Tries, backoff: float, asked: float) -> float:
    """Seconds before the next attempt: `backoff`, doubled for each attempt in a row past the first without
    headway, or `asked`, a busy server's Retry-After, where longer."""
    return max(backoff * 2 ** max(tries.idle - 1, 0), asked)


def notice(reason: object, asked: float, wait: float, tries: Tries, attempts: int, left: int, speed: Speed,
           resumes: bool = True) -> str:
    """The line said before the next attempt, after `wait` s (`asked`: the server's Retry-After), with `left` bytes of
    the file to go: "attempt k of N", N the `last`, and where the fetch may end `sooner`, that it may; "resuming"
    only where it `resumes` bytes kept (it was said after a refused connect, and after "starting afresh")."""
    then = f"attempt {tries.made + 1} of {last(tries, attempts)}"
    if sooner(tries, attempts, left, speed):
        then += " (fewer where attempts keep too little for the file to come)"
    if asked and asked >= wait:
        return f"the server asks to wait {asked:,.0f} s ({reason}); waiting, then {then}"
    return f"the download stopped ({reason}); {then}" + (f" in {wait:,.3g} s" if wait else "") + ", resuming" * resumes


def ended(reason: object, tries: Tries, attempts: int, speed: Speed, left: int) -> str:
    """Why the fetch ended after `tries` (`over` them, with `left` bytes to go), the last of which failed for
    `reason`."""
    made = f"{reason}, after {tries.made} attempt{'' if tries.made == 1 else 's'}"
    if tries.idle == tries.made:  # none made headway: the line as before headway counted
        return made
    if hopeless(tries, left):
        return (f"{made} that kept {amount(tries.kept / tries.made)} each on average, at which the "
                f"{amount(left)} left would take {needed(tries, left):,.0f} more attempts (ten fetches make "
                f"{HOPELESS:,})")
    if tries.idle < max(attempts, 1):
        return f"{made}, the most a fetch makes"
    return f"{made}, the last {tries.idle} in a row keeping under {amount(least(speed))} each"
