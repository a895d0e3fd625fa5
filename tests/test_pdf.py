"""The printable edition (``make pdf``): one PDF of the whole book, opened and read back with pypdf.

Needs ``_build/pdf/book.pdf`` (``make test`` builds it after the book); marked ``book``.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PDF = pathlib.Path(os.environ.get("SEMTHEORY_PDF", ROOT / "_build" / "pdf" / "book.pdf"))

pytestmark = pytest.mark.book


def _tool():
    spec = importlib.util.spec_from_file_location("semtheory_pdf_tool", ROOT / "tools" / "pdf.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def reader():
    pypdf = pytest.importorskip("pypdf")
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` first")
    return pypdf.PdfReader(str(PDF))


def _read_pages(path: str, start: int, stop: int) -> list[tuple[str, bool]]:
    """Pages ``start`` .. ``stop - 1`` of the PDF as pypdf reads them: (its text, whether it carries an image)."""
    import pypdf

    pages = pypdf.PdfReader(path).pages
    return [(pages[i].extract_text() or "", len(pages[i].images) > 0) for i in range(start, stop)]


@pytest.fixture(scope="module")
def read_back(reader):
    """Every page's text and whether it carries an image, read by pypdf in worker processes (a slice each)."""
    n, workers = len(reader.pages), max(1, min(8, os.cpu_count() or 1))
    bounds = [(n * k // workers, n * (k + 1) // workers) for k in range(workers)]
    if workers == 1:
        return _read_pages(str(PDF), 0, n)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        parts = pool.map(_read_pages, [str(PDF)] * workers, *zip(*bounds))
        return [page for part in parts for page in part]


@pytest.fixture(scope="module")
def texts(read_back):
    return [text for text, _ in read_back]


def test_title_page_contents_and_one_bookmark_per_page_of_the_toc(reader, texts):
    import yaml

    title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    assert title.split("—")[0].strip() in " ".join(texts[0].split())
    assert "Contents" in texts[1]
    pages = _tool().toc_pages(ROOT)
    assert len(reader.outline) == len(pages)
    assert any(o.title.startswith("1. ") for o in reader.outline), "chapters are not numbered as on the web"
    assert len(reader.pages) > 3 * len(pages)
    # the contents give page numbers that exist, in increasing order
    first = int(re.findall(r"(\d+)\s*$", texts[1], re.M)[0])  # the contents fill pages 2 .. first - 1
    assert first >= 3 and all("Contents" not in t for t in texts[2:first - 1])
    starts = [int(n) for t in texts[1:first - 1] for n in re.findall(r"(\d+)\s*$", t, re.M)]
    assert starts == sorted(starts) and starts[-1] <= len(reader.pages) and len(starts) >= len(pages) - 2
    # the numbers are right: each bookmark's page is the page its contents row gives
    marks = [reader.get_destination_page_number(o) + 1 for o in reader.outline]
    assert marks[0] == first == starts[0] and set(starts) <= set(marks), (starts[:5], marks[:5])


def test_chapters_numbered_as_on_the_web_with_theorems_figures_and_references(reader, texts, read_back):
    joined = "\n".join(texts)
    assert re.search(r"Theorem 3\.\d+", joined), "no 'Theorem 3.x' in the PDF"
    assert re.search(r"Fig\. 5\.\d+", joined), "no 'Fig. 5.x' in the PDF"
    with_images = sum(1 for _, image in read_back if image)
    assert with_images >= 17, f"only {with_images} pages carry an image"
    refs = next(o for o in reader.outline if o.title == "References")
    start = reader.get_destination_page_number(refs)
    assert any("Massey" in t for t in texts[start:start + 15]), "the bibliography has no Massey"
    assert "$$" not in joined and "\\begin{" not in joined, "raw TeX in the PDF"


def test_first_chapter_page_as_a_screenshot(reader):
    """The PDF's first chapter page, rendered to ``_build/screenshots/pdf-chapter.png`` (pypdfium2): not blank."""
    pdfium = pytest.importorskip("pypdfium2")
    import numpy as np

    first = next(o for o in reader.outline if o.title.startswith("1. "))
    index = reader.get_destination_page_number(first)
    doc = pdfium.PdfDocument(str(PDF))
    image = doc[index].render(scale=1.5).to_pil().convert("L")
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    image.save(shots / "pdf-chapter.png")
    ink = (np.asarray(image) < 128).mean()
    assert 0.005 < ink < 0.5, f"the page is blank or black ({ink:.3f} of its pixels are dark)"
