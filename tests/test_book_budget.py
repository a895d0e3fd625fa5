"""After `make book`: every chapter executed, and within the 60 s budget (read from the execution cache).

Marked `book`: `make test` runs these after the build (`pytest -m book`); a plain `pytest` deselects them.
"""

import pathlib

import pytest

from tools.booktools import notebooks, times

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
BUDGET_S = 60.0

pytestmark = pytest.mark.book


def test_every_chapter_executed_within_budget():
    assert CACHE.exists(), "no execution cache: run `make book` first"
    t = times(CACHE)
    print("\nchapter execution seconds (from the cache):")
    for name, secs in sorted(t.items()):
        print(f"  {name:45s} {secs:6.1f} s")
    missing = [p.name for p in notebooks() if p.name not in t]
    assert not missing, f"chapters without a cached execution: {missing}"
    over = {k: v for k, v in t.items() if not v < BUDGET_S}
    assert not over, f"chapters over the {BUDGET_S:.0f} s budget: {over}"


def test_html_built_for_every_toc_page():
    html = ROOT / "_build" / "html"
    for p in notebooks():
        page = html / p.relative_to(ROOT).with_suffix(".html")
        assert page.exists(), f"{page} was not built"
