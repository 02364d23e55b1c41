"""The line said before a retry: "attempt k of N" promises N attempts unless one makes headway, yet attempts whose
headway is too little for the file to come end the fetch sooner (retries.hopeless), and the line said nothing of it."""

from __future__ import annotations

import itertools

from jaxart.weights import retries
from jaxart.weights.range_get import Speed

SIZE = 574_710_816  # vgg19-torchvision's file
WINDOW = 61_440  # what Speed() asks of a window: headway


def _ends(tries: retries.Tries, attempts: int, left: int, keeps: tuple[int, ...]) -> tuple[int, bool]:
    """The attempt after which the fetch ends (fetch._download's loop) if the next attempts keep `keeps` bytes, and
    whether it ends as hopeless; (0, False) where it goes on past them."""
    for added in keeps:
        tries, left = retries.after(tries, added, Speed()), left - added
        if retries.over(tries, attempts, left):
            return tries.made, retries.hopeless(tries, left)
    return 0, False


def test_the_line_says_fewer_exactly_where_the_fetch_may_end_before_the_attempt_it_names():
    """Over attempts made so far (1-10, up to 2 of the last without headway) keeping 1 KB-3 MB each, and every way
    the next three may go (none, half a window, a window, 3 MB): where one ends the fetch as hopeless before the N
    the line named, the line said fewer; where the line says fewer, one way does."""
    said = {True: 0, False: 0}
    for made, idle, each in itertools.product(range(1, 11), range(3), (1_000, WINDOW, 300_000, 3 << 20)):
        if idle > made:
            continue
        tries = retries.Tries(made, idle, made * each)
        left = SIZE - tries.kept
        line = retries.notice("cut", 0, 1, tries, 3, left, Speed())
        fewer = line.endswith("of {} (fewer where attempts keep too little for the file to come) in 1 s, resuming"
                              .format(retries.last(tries, 3)))
        assert fewer or line.endswith(f"attempt {made + 1} of {retries.last(tries, 3)} in 1 s, resuming"), line
        said[fewer] += 1
        early = set()
        for keeps in itertools.product((0, WINDOW // 2, WINDOW, 3 << 20), repeat=3):
            end, hopeless = _ends(tries, 3, left, keeps)
            early.add(hopeless and end < retries.last(tries, 3))
        assert (True in early) == fewer, (tries, line)
    assert said[True] and said[False]  # both kinds of line were judged


def test_the_words_of_each_line():
    healthy = retries.Tries(4, 0, 4 * (3 << 20))  # hotel Wi-Fi: 3 MB an attempt, the file in 190
    dropping = retries.Tries(4, 0, 4 * WINDOW)  # a proxy that drops every connection after 60 KB: 9,350
    assert (retries.notice("cut", 0, 1, healthy, 3, SIZE - healthy.kept, Speed())
            == "the download stopped (cut); attempt 5 of 7 in 1 s, resuming")
    assert (retries.notice("HTTP 503", 45, 1, dropping, 3, SIZE - dropping.kept, Speed())
            == "the server asks to wait 45 s (HTTP 503); waiting, then attempt 5 of 7 (fewer where attempts keep too "
               "little for the file to come)")
