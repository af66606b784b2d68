"""What a printed PDF says: its pages' text as pypdfium2 extracts it (a test extra: missing must fail)."""
from __future__ import annotations

import re

import pypdfium2 as pdfium


def pages(pdf_path) -> list[str]:
    """The text of each page, with runs of spaces and line ends as single spaces."""
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def page_numbers(texts: list[str]) -> list[tuple[int, int]]:
    """The (N, M) of each page's "Page N of M"."""
    found = []
    for text in texts:
        numbers = re.findall(r"Page (\d+) of (\d+)", text)
        assert len(numbers) == 1, f"one page number on each page, not {numbers} in {text[:80]!r}"
        found.append((int(numbers[0][0]), int(numbers[0][1])))
    return found


def assert_paged(texts: list[str], title: str, heading: str, library: str = "Test Library") -> None:
    """A document of more than one page, numbered "Page N of M", with the library's name, its title
    and its table's heading row on every page."""
    assert len(texts) > 1
    assert page_numbers(texts) == [(n, len(texts)) for n in range(1, len(texts) + 1)]
    for text in texts:
        assert library in text and title in text and heading in text, text[:200]
