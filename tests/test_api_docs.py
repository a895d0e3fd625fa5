"""The API reference part (issue #18): one generated page per public module, linked from the chapters.

Static tests (no build): the pages and the toc part are what ``tools/apidocs.py`` writes, every public
module (found by importing the package, independently of the generator's file scan) has a page, the part
sits between the appendices and the back matter, the docstrings that the pages show hold no solution text,
and the chapter-link extension ``book/_ext/apilinks.py`` finds where each module is first used.  Tests marked
``book`` read the built HTML (``make book``; ``SEMTHEORY_HTML=path`` for another build, e.g. the mini-book of
``python tools/apidocs.py --build book/02-information-measures.md`` at ``_build/apicheck/_build/html``).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import pathlib
import pkgutil
import re

import pytest
import yaml

import semtheory
import apilinks as al
from tools import editions as ed

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("apidocs", ROOT / "tools" / "apidocs.py")
apidocs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(apidocs)


def _imported_public_modules() -> set[str]:
    out = {"semtheory"}
    for info in pkgutil.walk_packages(semtheory.__path__, "semtheory."):
        if not any(p.startswith("_") for p in info.name.split(".")):
            out.add(info.name)
    return out


def test_pages_and_toc_part_are_up_to_date():
    stale = [str(p.relative_to(ROOT)) for p in apidocs.stale()]
    assert not stale, f"stale API pages (run `python tools/apidocs.py`): {stale}"


def test_one_page_per_public_module_and_none_for_private_ones():
    mods = set(apidocs.public_modules())
    assert mods == _imported_public_modules()
    assert {"semtheory.measures", "semtheory.exercises", "semtheory.exercises.grade",
            "semtheory.symbolic", "semtheory.symbolic.measures"} <= mods
    assert not [m for m in mods if "._" in m]
    for m in mods:
        text = (ROOT / (apidocs.docname(m) + ".md")).read_text()
        assert f".. automodule:: {m}\n" in text


def test_api_part_sits_between_appendices_and_back_matter():
    parts = yaml.safe_load((ROOT / "_toc.yml").read_text())["parts"]
    captions = [p["caption"] for p in parts]
    k = captions.index("API reference")
    assert captions[k - 1] == "Appendices" and captions[k + 1] == "Back matter"
    files = []
    for ch in parts[k]["chapters"]:
        files += [ch["file"]] + [s["file"] for s in ch.get("sections", [])]
    assert sorted(files) == sorted(apidocs.docname(m) for m in apidocs.public_modules())
    assert all(al.api_docname(m) == apidocs.docname(m) for m in apidocs.public_modules())  # links hit pages
    assert al.api_docname("semtheory.symbolic.flow") == "book/api/symbolic/flow"
    assert al.api_docname("semtheory.exercises") == "book/api/exercises/index"


def test_config_loads_autodoc_numpydoc_and_the_link_extension():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]
    ext = cfg["extra_extensions"]
    assert {"sphinx.ext.autodoc", "numpydoc"} <= set(ext)
    assert cfg["local_extensions"]["apilinks"] == "book/_ext"  # the book's own extension, not in the package
    assert ext.index("sphinx.ext.autodoc") < ext.index("numpydoc")
    # strict for our own objects: no ignore pattern may swallow a reference to a public semtheory object
    for _, target in cfg["config"]["nitpick_ignore_regex"]:
        assert not re.fullmatch(target, "semtheory.measures.entropy")
        assert not re.fullmatch(target, "entropy")


def _shown_docstrings(module: str) -> str:
    """The docstrings an API page renders: the module's and its public members' (methods included)."""
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None) or [n for n, v in vars(mod).items() if not n.startswith("_")
                                              and getattr(v, "__module__", None) == module]
    texts = [mod.__doc__ or ""]
    for n in names:
        obj = getattr(mod, n, None)
        texts.append(inspect.getdoc(obj) or "")
        if inspect.isclass(obj):
            texts += [inspect.getdoc(v) or "" for k, v in vars(obj).items() if not k.startswith("_")]
    return ed.normalise("\n".join(texts))


def test_api_pages_hold_no_solution_text():
    """No docstring repeats a piece of a solution that the book shows only inside the solution."""
    rest = ed.normalise("\n".join(ed._without_solutions(p.read_text()) for p in ed.toc_files(ROOT)))
    # runs of six words or more (short runs like "is the same for every" are common English; formulas of a
    # solution are often the definitions a docstring states). The built check is the student edition's
    # leak test (tests/test_course_kit.py), which scans the API pages with every other page.
    snippets = {label: [s for s in ss if s not in rest and len(s.split()) >= 6 and "\\" not in s]
                for label, ss in ed.solutions_of_book(ROOT).items()}
    assert sum(map(len, snippets.values())) > 100, "the scan below must have something to look for"
    for m in apidocs.public_modules():
        shown = _shown_docstrings(m)
        hits = [(label, s) for label, ss in snippets.items() for s in ss if ed.normalise(s) in shown]
        assert not hits, f"{m}: docstrings repeat solution text {hits[:3]}"


# ---- where a chapter links to a module's page (book/_ext/apilinks.py) ------------------------------------

SETUP = "from myst_nb import glue\nfrom semtheory import measures, _validate\nfrom semtheory.plotting import figure\n" \
        "from semtheory.symbolic import measures as sym\nimport semtheory.sources as src\n"


def test_imports_bind_names_to_public_modules_only():
    got = al.imports(SETUP + "from semtheory.exercises import check\n%matplotlib inline\n")
    assert got == {"measures": "semtheory.measures", "figure": "semtheory.plotting",
                   "sym": "semtheory.symbolic.measures", "src": "semtheory.sources", "check": "semtheory.exercises"}
    assert al.imports("x = (") == {}


def test_links_go_after_the_first_visible_use():
    cells = [SETUP, "p = measures.entropy([0.5, 0.5])", "fig = figure(1)", "q = measures.entropy([1])", "x = 1",
             "from semtheory import ratedistortion as rd\n", "from semtheory.exercises import check\ncheck('a', 1)"]
    visible = [(k, c) for k, c in enumerate(cells) if k not in (0, 5)]  # the set-up cell and cell 5 are hidden
    got = al.first_uses(cells, visible)
    # visible positions: 0 -> cell 1, 1 -> cell 2, 2 -> cell 3, 3 -> cell 4, 4 -> cell 6
    # imported in the hidden set-up cell and never used (sym, src): after the first visible cell
    assert got[0] == ["semtheory.measures", "semtheory.sources", "semtheory.symbolic.measures"]
    assert got[1] == ["semtheory.plotting"]
    assert got[4] == ["semtheory.exercises", "semtheory.ratedistortion"]  # imported hidden: the next visible cell
    assert set(got) == {0, 1, 4}


def test_names_bound_later_do_not_count_earlier():
    cells = ["figure = 3", "y = figure", "from semtheory.plotting import figure"]
    got = al.first_uses(cells, [(0, cells[0]), (1, cells[1]), (2, cells[2])])
    assert got == {2: ["semtheory.plotting"]}


def test_torch_docstrings_are_not_shown_as_ours(monkeypatch):
    transformer = pytest.importorskip("semtheory.transformer")
    import torch

    from semtheory import channel, sources

    def forward(self, x):  # no docstring of its own: it would inherit torch.nn.Module.forward's
        return x

    probe = type("Probe", (torch.nn.Module,), {"forward": forward})
    monkeypatch.setattr(transformer, "Probe", probe, raising=False)
    assert al.foreign_docstring("semtheory.transformer.Probe.forward", probe.forward)
    assert not al.foreign_docstring("semtheory.transformer.Block.forward", transformer.Block.forward)  # its own
    assert not al.foreign_docstring("semtheory.sources.MarkovSource.entropy_rate", sources.MarkovSource.entropy_rate)
    assert not al.foreign_docstring("semtheory.channel.LanguageModel.sample", channel.LanguageModel.sample)


def test_notebook_code_indices_are_myst_nb_cell_indices():
    md = (ROOT / "book" / "02-information-measures.md").read_text()
    code = al.notebook_code(md)
    assert len(code) == md.count("```{code-cell}")
    first = code[min(code)]
    assert "from semtheory import measures" in first


def test_no_docstring_holds_a_substitution_reference():
    """``|X|`` in a docstring is reStructuredText's substitution syntax: Sphinx stops on it (an error with -W).
    Outside math, write ``|X|`` as a literal (double backquotes) or :math:`|\\mathcal X|`."""
    pat = re.compile(r"(?<![`|\w])\|[A-Za-z][\w^{}]*\|(?![`|\w])")
    bad = []
    for f in sorted((ROOT / "semtheory").rglob("*.py")):
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            doc = ast.get_docstring(node, clean=False) if isinstance(
                node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
            for line in (doc or "").splitlines():
                if line.lstrip().startswith(".. math::"):
                    continue
                masked = re.sub(r":math:`[^`]*`|``[^`]*``|`[^`]*`", "", line)
                if pat.search(masked):
                    bad.append(f"{f.relative_to(ROOT)}: {line.strip()[:80]}")
    assert not bad, f"{len(bad)} docstring lines with |...| outside math or literals: {bad[:8]}"


# ---- the built HTML ---------------------------------------------------------------------------------

HTML = pathlib.Path(os.environ.get("SEMTHEORY_HTML", ROOT / "_build" / "html")).resolve()


@pytest.mark.book
def test_chapter_links_to_the_api_page_of_a_module_it_imports():
    page = HTML / "book" / "02-information-measures.html"
    if not page.exists():
        pytest.fail(f"no built chapter at {page}: run `make book` first")
    html = page.read_text()
    links = re.findall(r'<p class="semtheory-api-links">(.*?)</p>', html, re.S)
    assert links, "chapter 2 shows no API-reference line"
    hrefs = re.findall(r'href="([^"#]+)', " ".join(links))
    assert "api/measures/index.html" in hrefs
    assert (page.parent / "api" / "measures" / "index.html").exists()


@pytest.mark.book
def test_api_page_shows_a_docstring_with_its_formula():
    page = HTML / "book" / "api" / "measures" / "index.html"
    if not page.exists():
        pytest.fail(f"no API page at {page}: run `make book` first")
    html = page.read_text()
    m = re.search(r'<dt class="sig sig-object py" id="semtheory\.measures\.entropy">(.*?)</dd>', html, re.S)
    assert m, "semtheory.measures.entropy is not documented on its page"
    body = m.group(1)
    # the docstring's formula, as math for MathJax: H(X_A) = -sum p log p
    formula = re.search(r'<span class="math notranslate nohighlight">\\\((.*?)\\\)</span>', body)
    assert formula and "H(X_A)" in formula.group(1) and "\\sum" in formula.group(1) and "\\log" in formula.group(1)
