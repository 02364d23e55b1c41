"""README.md's own links: the Contents line names every section in order, and each in-page link (`](#anchor)`) or
reference by name (`see "Offline" below`, `"Sweeps" under Research use`) lands on a heading or bold paragraph title
that README has, so a reader who follows one is not left searching for a part that was renamed or moved."""

import re

from conftest import ROOT


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but hyphens dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_contents_line_names_every_section_in_order():
    text = _readme()
    sections = re.findall(r"^## (.*)$", text, re.M)
    contents = re.search(r"^Contents:(.*?)\n\n", text, re.M | re.S)
    assert contents, "README.md has no Contents: line"
    listed = re.findall(r"\[([^\]]+)\]\(#([^)]+)\)", contents.group(1))
    assert [name for name, _ in listed] == sections
    assert [anchor for _, anchor in listed] == [_slug(s) for s in sections]


def test_every_in_page_link_lands_on_a_heading():
    text = _readme()
    anchors = {_slug(h) for h in re.findall(r"^#+ (.*)$", text, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) >= 8 and sorted(set(links) - anchors) == [], "README links to sections it has not"


def test_every_part_the_readme_sends_a_reader_to_by_name_exists():
    text = " ".join(_readme().split())
    titles = {" ".join(t.split()).rstrip(".:") for t in re.findall(r"\*\*([^*]+)\*\*", _readme())}
    titles |= set(re.findall(r"^#+ (.*)$", _readme(), re.M))
    named = re.findall(r'\bsee "([A-Z][^"]+)"', text)
    named += re.findall(r'"([A-Z][^"]+)" (?:below|above|under\b|in [A-Z])', text)  # "Sweeps" in Research use
    missing = [n for n in named if not any(t == n or t.startswith(n) for t in titles)]
    assert len(named) >= 5 and missing == [], f"README sends readers to parts it has not: {missing}"


def test_a_part_said_to_be_below_or_above_is_there():
    """`see "Offline" below` sends the reader down the page: a paragraph moved past its reference would leave them
    searching the wrong way."""
    text = " ".join(_readme().split())
    starts = {}
    for found in re.finditer(r"\*\*([^*]+)\*\*", text):
        title = found.group(1).rstrip(".:")
        starts.setdefault(title, []).append(found.start())
    wrong = []
    for found in re.finditer(r'"([A-Z][^"]+)" (below|above)\b', text):
        places = [p for title, at in starts.items() if title.startswith(found.group(1)) for p in at]
        if not any((p > found.start()) == (found.group(2) == "below") for p in places):
            wrong.append(f'"{found.group(1)}" {found.group(2)}')
    assert len(starts) > 50 and wrong == [], f"README points the wrong way to: {wrong}"
