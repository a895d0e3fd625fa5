"""The course kit: exercises read from the chapters, assignment notebooks, grading, generated appendices,
citations and macros, and the student edition's leak test.

Works on whatever chapters ``_toc.yml`` lists, and on a throw-away chapter (``tests/data/98-throwaway.md``,
answers in ``tests/data/ch98_answers.py``) with three sample submissions (right, wrong, hostile).  The
tests marked ``book`` read the built editions (``make book`` + ``make student``) or build a small test book.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import pathlib
import re
import shutil

import nbformat
import numpy as np
import pytest
import yaml

from tools import editions as ed
import bookext as sx
from semtheory import macros
from tools.booktools import toc_files
from tools.macrosync import MARK_BEGIN
from semtheory.exercises import _REGISTRY, is_correct, registered
from semtheory.exercises import grade as gr

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
THROWAWAY = DATA / "98-throwaway.md"
LABELS = ["ex-98-coin-entropy", "ex-98-kl-coins"]
STUDENTS = ("alice", "bob", "mallory")
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


@pytest.fixture(scope="module")
def answers98():
    """Register the throw-away chapter's answers for this module only (the registry is process-wide)."""
    spec = importlib.util.spec_from_file_location("ch98_answers", DATA / "ch98_answers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    yield registered()
    for label in LABELS:
        _REGISTRY.pop(label, None)


# ---------------------------------------------------------------------------------------------
# Reading exercises
# ---------------------------------------------------------------------------------------------


def test_exercises_are_read_with_titles_difficulty_and_solutions():
    exs = ed.exercises(THROWAWAY)
    assert [e.label for e in exs] == LABELS + ["ex-98-entropy-bound"]
    assert [e.stars for e in exs] == [1, 2, 3]
    assert exs[0].title == "A biased coin" and exs[0].difficulty == "★☆☆"
    assert all(e.chapter == "98" and e.solution for e in exs)
    assert "marmalade" in exs[0].solution and "marmalade" not in exs[0].body
    assert exs[1].variable == "answer_ex_98_kl_coins"
    assert ed.chapter_title(THROWAWAY) == "A throw-away chapter for the course-kit tests"


def test_every_toc_chapter_parses_and_every_exercise_has_a_solution():
    for p in toc_files():
        for ex in ed.exercises(p):
            assert re.fullmatch(r"ex-\d{2}-[\w-]+", ex.label), ex.label
            assert ex.label[3:5] == ed.chapter_number(p), f"{p.name}: {ex.label} is numbered for another chapter"
            assert ex.solution is not None, f"{p.name}: {ex.label} has no solution"


def test_plain_markdown_rewrites_roles_for_jupyter():
    out = ed.plain_markdown("By {prf:ref}`thm-03-x`, {cite:p}`a,b` and {cite:t}`c`; see {numref}`fig-1`, "
                            "{ref}`the table <tab-1>` and {glue:text}`h:.2f`. $\\H(X)$ stays.")
    assert "{" not in out.replace("$\\H(X)$", "")
    assert "theorem *thm-03-x*" in out and "(a, b)" in out and "the table" in out and "$\\H(X)$ stays" in out


# ---------------------------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------------------------


def _strings(nb) -> str:
    return ed.normalise(" ".join(ed._json_strings(json.loads(nbformat.writes(nb)))))


def test_assignment_has_text_answer_and_check_cells_and_no_solution(answers98):
    nb = ed.assignment(THROWAWAY)
    nbformat.validate(nb)
    src = [c.source for c in nb.cells]
    assert nb.cells[0].source.startswith(MARK_BEGIN) and macros.newcommands() in nb.cells[0].source
    assert "from semtheory.exercises import check" in src
    for label in LABELS:
        var = ed.answer_variable(label)
        assert f"{var} = None" in "\n".join(src)
        assert f'check("{label}", {var})' in src
    assert any("answer_ex_98_entropy_bound = None" in s for s in src)
    assert any("not auto-checked" in s for s in src)
    assert not any("check(\"ex-98-entropy-bound\"" in s for s in src)
    text = _strings(nb)
    for ex in ed.exercises(THROWAWAY):
        for snip in ed.solution_snippets(ex.solution):
            if snip not in ed.normalise(ed._without_solutions(THROWAWAY.read_text())):
                assert snip not in text, f"solution text of {ex.label} in the assignment: {snip!r}"
    for word in ("marmalade", "gooseberry", "platypus", "zebra", "quokka"):
        assert word not in text
    assert nbformat.writes(ed.assignment(THROWAWAY)) == nbformat.writes(nb), "not deterministic"


def test_assignments_of_the_book_hold_no_solution(tmp_path):
    written = ed.write_assignments(tmp_path)
    chapters = [p for p in toc_files() if ed.exercises(p)]
    assert len(written) == len(chapters)
    for p, nbfile in zip(chapters, written):
        nb = nbformat.read(nbfile, as_version=4)
        nbformat.validate(nb)
        text = _strings(nb)
        rest = ed.normalise(ed._without_solutions(p.read_text()))
        for ex in ed.exercises(p):
            assert f"{ex.variable} = None" in text
            for snip in ed.solution_snippets(ex.solution or ""):
                assert snip in rest or snip not in text, f"{nbfile.name}: solution text of {ex.label}: {snip!r}"


def test_sample_submissions_were_made_from_the_assignment(answers98):
    base = [c.source for c in ed.assignment(THROWAWAY).cells if c.cell_type == "markdown"]
    for s in STUDENTS:
        nb = nbformat.read(DATA / f"submission-{s}-98-throwaway.ipynb", as_version=4)
        md = [c.source for c in nb.cells if c.cell_type == "markdown"]
        assert md == base, f"sample {s} is out of date: regenerate it from the assignment"


# ---------------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------------


def test_verdict_agrees_with_is_correct():
    for label, a in registered().items():
        ref = a.compute()
        assert gr.verdict(a, ref, ref)[0] and is_correct(label, ref).correct
        assert not gr.verdict(a, ref, None)[0]
        if not isinstance(ref, (str, bool)):
            bumped = np.asarray(ref, dtype=float) * 1.5 + 1.0
            assert gr.verdict(a, ref, bumped)[0] == is_correct(label, bumped).correct


def test_decode_plain_payloads():
    assert gr._decode({"kind": "none"}) is None
    assert gr._decode({"kind": "num", "shape": [], "data": [0.5]}) == 0.5
    assert gr._decode({"kind": "num", "shape": [2], "data": [1, 2]}).tolist() == [1.0, 2.0]
    assert gr._decode({"kind": "str", "value": "Granger"}) == "Granger"
    with pytest.raises(ValueError, match="kind"):
        gr._decode({"kind": "pickle"})


def test_grading_right_wrong_and_hostile_submissions(answers98, tmp_path):
    subs = tmp_path / "submissions"
    for s in STUDENTS:
        (subs / s).mkdir(parents=True)
        shutil.copy(DATA / f"submission-{s}-98-throwaway.ipynb", subs / s / "98-throwaway.ipynb")
    # trudy kills the process that runs her kernel; eve hands in a file that is not a notebook;
    # zoe hands in nothing for chapter 98.
    trudy = nbformat.read(DATA / "submission-alice-98-throwaway.ipynb", as_version=4)
    trudy.cells.insert(3, nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    (subs / "trudy").mkdir()
    nbformat.write(trudy, subs / "trudy" / "98-throwaway.ipynb")
    (subs / "eve").mkdir()
    (subs / "eve" / "98-throwaway.ipynb").write_text("{ not json")
    (subs / "zoe").mkdir()
    # carol answers with a complex number whose real part is right, and with a tensor that refuses numpy
    # until detached, as a torch tensor with requires_grad does (right; importing torch would outlast the
    # 4 s cell limit); she also hands in her notes, which are not a notebook.
    carol = nbformat.read(DATA / "submission-alice-98-throwaway.ipynb", as_version=4)
    carol.cells.append(nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "class Grad:\n"
        "    def __init__(self, v): self.v = v\n"
        "    def __array__(self, *a, **k): raise RuntimeError('call detach() first')\n"
        "    def detach(self): return self\n"
        "    def cpu(self): return self\n"
        "    def numpy(self): return np.asarray(self.v)\n"
        "answer_ex_98_coin_entropy = np.complex128(answer_ex_98_coin_entropy + 1e-9j)\n"
        "answer_ex_98_kl_coins = Grad(float(answer_ex_98_kl_coins))"))
    (subs / "carol").mkdir()
    nbformat.write(carol, subs / "carol" / "98-throwaway.ipynb")
    (subs / "carol" / "notes.txt").write_text("my working")
    out = tmp_path / "grades.csv"
    log = io.StringIO()
    rows = gr.grade(subs, out, timeout=4, probe_timeout=2, notebook_timeout=240, jobs=5, log=log)
    got = {(r.student, r.exercise): (r.correct, r.message) for r in rows}
    assert len(rows) == 7 * len(LABELS)
    assert {r.chapter for r in rows} == {"98-throwaway"}
    expected = {"alice": (1, 1), "bob": (0, 0), "mallory": (1, 0), "trudy": (0, 0), "eve": (0, 0), "zoe": (0, 0),
                "carol": (0, 1)}
    for s, marks in expected.items():
        assert tuple(got[(s, lab)][0] for lab in LABELS) == marks, (s, [got[(s, lab)] for lab in LABELS])
    assert "wrong: got 0.5" in got[("bob", "ex-98-coin-entropy")][1]
    assert "crashed" in got[("trudy", LABELS[0])][1]
    assert "cannot be read" in got[("eve", LABELS[0])][1]
    assert "no notebook" in got[("zoe", LABELS[0])][1]
    # the grader's own words come through whole (its filename filter once turned commas into "?")
    assert got[("carol", LABELS[0])][1] == ("the answer is complex; a real number (or an array of real numbers) "
                                            "is expected")
    assert "carol/notes.txt: not a notebook" in log.getvalue()
    with open(out, newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["student", "chapter", "exercise", "correct", "message"]
    assert len(table) == 1 + len(rows)
    # The grader's own checker is untouched by mallory's monkeypatching (it ran in her kernel only).
    assert not is_correct("ex-98-kl-coins", 0.123).correct


def test_grade_cli_rejects_a_missing_folder(tmp_path, capsys):
    assert gr.main([str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Generated appendices
# ---------------------------------------------------------------------------------------------


def test_appendices_are_up_to_date():
    for path, text in ed.appendix_texts(ROOT).items():
        assert path.exists() and path.read_text() == text, f"{path.name} is stale: run `make appendices`"


def test_appendices_are_in_the_toc_before_the_back_matter():
    toc = (ROOT / "_toc.yml").read_text()
    names = [f"book/appendix/{a}" for a in ed.APPENDIX]
    assert all(n in toc for n in names)
    assert toc.index("caption: Appendices") < toc.index("caption: Back matter")


def test_exercise_index_page_lists_every_exercise(answers98, tmp_path):
    root = ed.mini_book(tmp_path / "book", [THROWAWAY], appendices=False)
    page = ed.exercises_page(root)
    reg = registered()
    for ex in ed.exercises(THROWAWAY):
        row = re.search(r"\* - %d\n  - \{ref\}`%s`: [^\n]*\n  - ([^\n]*)\n  - ([^\n]*)\n" % (ex.number, ex.label), page)
        assert row, ex.label
        assert row.group(1) == ex.difficulty
        assert row.group(2).startswith("yes") == (ex.label in reg)
    assert "3 exercises; 2 of them are auto-checked" in page
    real = ed.exercises_page(ROOT)
    for ex in ed.book_exercises(ROOT):
        assert "{ref}`" + ex.label + "`" in real


def test_notation_page_matches_the_macro_dict_and_config():
    page = ed.notation_page()
    config = CONFIG["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    for name, (definition, nargs, _) in macros.MACROS.items():
        usage = "\\" + name + "".join("{#%d}" % (i + 1) for i in range(nargs))
        assert f"`{usage}`" in page and f"`{definition}`" in page, name
        assert config[name] == (definition if nargs == 0 else [definition, nargs])


def _mathjax_knows(cmd: str, _cache={}) -> bool:
    if "src" not in _cache:
        es5 = sx.source_dir()
        _cache["src"] = (es5 / "tex-chtml.js").read_text() + "".join(
            p.read_text() for p in sorted((es5 / "input" / "tex" / "extensions").glob("*.js")))
    return re.search(r"(?<![\w$])[\"']?%s[\"']?\s*:" % re.escape(cmd), _cache["src"]) is not None


def test_every_macro_a_chapter_uses_is_defined_and_listed():
    listed = ed.notation_page()
    for md in toc_files() + [THROWAWAY]:
        for cmd in sorted({c for f in ed.math_fragments(md.read_text()) for c in re.findall(r"\\([A-Za-z]+)", f)}):
            if cmd in macros.MACROS:
                assert f"`\\{cmd}" in listed, f"{md.name}: \\{cmd} is not in the notation appendix"
            else:
                assert _mathjax_knows(cmd), f"{md.name} uses \\{cmd}: neither a book macro nor known to MathJax"
    assert not _mathjax_knows("notacommand")


def test_derivations_page_lists_every_registered_derivation():
    from semtheory.symbolic import registry

    page = ed.derivations_page(ROOT)
    for key in registry():
        topic, fn = key.split(".", 1)
        assert f"## `semtheory.symbolic.{topic}`" in page and f"`{fn}()`" in page, key


def test_generated_appendices_hold_no_template_text():
    """A generator string without its f-prefix shows its Python expression on the page (it once did)."""
    from semtheory.symbolic import registry

    for path, text in ed.appendix_texts(ROOT).items():
        # MyST roles, code spans and math may hold braces; what is left is prose
        prose = re.sub(r"\{[\w:-]+\}`[^`\n]*`|`[^`\n]*`|\$[^$\n]*\$", "", text)
        leftover = re.findall(r"\{[A-Za-z_][\w.]*\(|\{[A-Za-z_]\w*\}|\{[^{}\n]* for [^{}\n]*\}", prose)
        assert not leftover, f"{path.name}: template text {leftover[:3]}"
    page = ed.derivations_page(ROOT)
    assert f"There are {len(registry())} derivations in " in page


def test_notation_appendix_resolves_letters_that_change_meaning():
    """Every listed clash names real chapters, and the page prints each meaning of each letter."""
    page = ed.notation_page()
    have = {int(ed.chapter_number(p)) for p in ed.book_chapters(ROOT)}
    for sym, uses in ed.SYMBOLS:
        assert len(uses) >= 1, sym
        for chapters, meaning in uses:
            nums = {int(n) for a, b in re.findall(r"(\d+)(?:-(\d+))?", chapters)
                    for n in range(int(a), int(b or a) + 1)}
            assert chapters == "all" or (nums and nums <= have), (sym, chapters)
            assert ed._md_escape(meaning) in page, (sym, meaning)
    for clash in ("N", "P", "A", "L"):  # the letters chapters 13-16 use in different senses
        assert len(dict(ed.SYMBOLS)[clash]) >= 3, clash


def test_every_citation_key_exists():
    bib = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "book" / "references.bib").read_text(), re.M))
    files = sorted((ROOT / "book").rglob("*.md")) + [THROWAWAY]
    for md in files:
        for role, keys in re.findall(r"\{(cite(?::\w+)?)\}`([^`]+)`", md.read_text()):
            for key in keys.split(","):
                assert key.strip() in bib, f"{md.relative_to(ROOT)} cites {key.strip()!r} ({role}), not in references.bib"


# ---------------------------------------------------------------------------------------------
# Editions and the offline MathJax
# ---------------------------------------------------------------------------------------------


def test_edition_configs_share_the_cache_and_hide_solutions_only_for_students():
    st, ins = ed.edition_config("student", ROOT), ed.edition_config("instructor", ROOT)
    cache = str((ROOT / CONFIG["execute"]["cache"]).resolve())
    assert st["execute"]["cache"] == ins["execute"]["cache"] == cache
    assert st["sphinx"]["config"]["hide_solutions"] is True
    assert st["sphinx"]["config"]["html_copy_source"] is False
    assert st["html"]["use_repository_button"] is False and not st["launch_buttons"]["binderhub_url"]
    assert "hide_solutions" not in ins["sphinx"]["config"]
    assert ":not(.solution)" in ins["sphinx"]["config"]["togglebutton_selector"]
    for c in (st, ins):
        assert c["sphinx"]["config"]["mathjax3_config"] == CONFIG["sphinx"]["config"]["mathjax3_config"]
    with pytest.raises(ValueError, match="kind"):
        ed.edition_config("teacher", ROOT)


def test_strip_solution_blocks_removes_nested_divs_only():
    html = ('<p>keep</p><div class="solution dropdown admonition" id="s"><div class="x"><p>drop</p></div>'
            '<p>drop2</p></div><div class="exercise"><p>keep2</p></div>')
    out = ed.strip_solution_blocks(html)
    assert "keep" in out and "keep2" in out and "drop" not in out


def test_mathjax_is_served_locally():
    assert CONFIG["sphinx"]["config"]["mathjax_path"] == f"mathjax/{sx.ENTRY}"
    assert CONFIG["sphinx"]["local_extensions"]["bookext"] == "book/_ext"
    files = {f.as_posix() for f in sx.files_to_copy()}
    assert sx.ENTRY in files
    assert any(f.startswith("output/chtml/fonts/woff-v2/") for f in files)
    assert "input/tex/extensions/ams.js" in files


def test_source_downloads_are_dropped_without_copied_sources():
    class App:
        class config:
            html_copy_source = False

    group = {"label": "download-buttons", "buttons": [{"label": "download-source-button"},
                                                       {"label": "download-notebook-button"},
                                                       {"label": "download-pdf-button"}]}
    ctx = {"header_buttons": [group, {"label": "launch"}]}
    sx._drop_source_downloads(App, "p", "page.html", ctx, None)
    assert [b["label"] for b in ctx["header_buttons"][0]["buttons"]] == ["download-pdf-button"]
    App.config.html_copy_source = True
    ctx = {"header_buttons": [group]}
    sx._drop_source_downloads(App, "p", "page.html", ctx, None)
    assert len(ctx["header_buttons"][0]["buttons"]) == 3


def test_duplicate_inline_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript

    ctx = {"script_files": [_JavaScript(None, body="const A = 1"), _JavaScript("", body="const A = 1"),
                            _JavaScript("_static/x.js"), _JavaScript("_static/x.js", defer="defer")]}
    sx._dedupe_scripts(None, "p", "page.html", ctx, None)
    assert len(ctx["script_files"]) == 3


def test_leak_scan_finds_a_planted_snippet_in_one_pass(tmp_path):
    """find_leaks reads each file once and agrees with searching every snippet in every text of every file."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "01-a.html").write_text(
        "<p>The <em>secret</em> answer is forty&nbsp;two, says the solution.</p>")
    (tmp_path / "searchindex.json").write_text(json.dumps({"docs": ["a tiny code line: x = np.arange(10)"]}))
    (tmp_path / "notes.txt").write_text("the secretive answer is elsewhere; xyzzyplughfoo_barbaz_quux")
    snippets = {"ex-leaked": ["The secret answer is forty two", "x = np.arange(10)", "never written in this tree"],
                "ex-kept": ["the secret answer is forty", "and nothing of this one is here either"],
                "ex-word-inside": ["zzyplughfoo_barbaz_qu"]}  # no interior word: searched everywhere
    leaks = ed.find_leaks(tmp_path, snippets)
    assert leaks == [("book/01-a.html", "ex-leaked", "The secret answer is forty two"),
                     ("notes.txt", "ex-word-inside", "zzyplughfoo_barbaz_qu"),
                     ("searchindex.json", "ex-leaked", "x = np.arange(10)")]
    naive = [(f.relative_to(tmp_path).as_posix(), lab, s) for f in sorted(p for p in tmp_path.rglob("*") if p.is_file())
             for lab, snips in snippets.items() for s in snips if any(s in t for t in ed.file_texts(f))]
    assert leaks == naive
    assert ed.find_leaks(tmp_path, {"ex-kept": snippets["ex-kept"]}) == []


# ---------------------------------------------------------------------------------------------
# The student edition leaks nothing (needs builds: marked `book`)
# ---------------------------------------------------------------------------------------------


def _assert_no_leaks(student: pathlib.Path, reader_html: pathlib.Path, root: pathlib.Path, require_all: bool):
    snippets = ed.distinctive_snippets(reader_html, root)
    without = [lab for lab, s in snippets.items() if not s]
    if require_all:
        assert not without, f"no distinctive text found in the reader's build for {without}"
    print(f"\nleak scan: {sum(map(len, snippets.values()))} snippets of {len(snippets)} solutions "
          f"({len(without)} without text of their own) over {sum(1 for p in student.rglob('*') if p.is_file())} files")
    leaks = ed.find_leaks(student, snippets)
    assert not leaks, "solution text in the student edition:\n" + "\n".join(f"  {f}: {l}: {s!r}" for f, l, s in leaks[:20])
    assert not ed.index_leaks(student / "html", root), "solution-only terms in the student search index"
    files = [p.relative_to(student).as_posix() for p in student.rglob("*") if p.is_file()]
    assert not [f for f in files if f.endswith((".ipynb", ".md")) or "/_sources/" in f]
    for page in (student / "html").rglob("*.html"):
        assert not re.search(r'href="[^"]*(_sources/|\.ipynb")', page.read_text()), page
    return snippets


@pytest.mark.book
def test_student_edition_of_the_book_has_no_solution_text():
    student, reader = ROOT / "_build" / "student", ROOT / "_build" / "html"
    if not (student / "html" / "index.html").exists() or not (reader / "index.html").exists():
        pytest.fail("build the book and the student edition first: `make book student`")
    snippets = _assert_no_leaks(student, reader, ROOT, require_all=False)
    # The scan is not vacuous: the reader's edition shows every solution's snippets (one scan of it).
    found = {lab for _, lab, _ in ed.find_leaks(reader, snippets)}
    assert all(not s or lab in found for lab, s in snippets.items())


@pytest.mark.book
def test_student_edition_of_a_test_book(answers98, tmp_path):
    """Build a small book (preface + throw-away chapter + appendices) in all three editions; scan them."""
    root = ed.mini_book(tmp_path / "book", [THROWAWAY])
    reader = ed.build_reader(root)
    student = ed.build_edition("student", root).parent
    snippets = _assert_no_leaks(student, reader, root, require_all=True)
    assert ed.find_leaks(reader, snippets), "the scan finds nothing even where the solutions are"
    only = ed.solution_only_stems(root)["book/98-throwaway"]
    assert {"marmalad", "platypu"} <= only & set(ed.search_index_terms(reader))
    assert (student / "_config.yml").exists()
    instructor = ed.build_edition("instructor", root)
    assert ed.find_leaks(instructor.parent, snippets)
    assert "togglebuttonSelector = '.toggle, .admonition.dropdown:not(.solution)'" in (
        instructor / "book" / "98-throwaway.html").read_text()
