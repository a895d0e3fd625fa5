"""The course kit on real grading engines (issue #19): otter-grader and nbgrader, offline, no Docker.

`make assignments` exports each chapter's exercises as a plain self-study notebook, an Otter Assign master
and an nbgrader source (semtheory.exercises.export).  Here: the exports of every chapter exist with the
right questions and points; `otter assign` + `otter run` and `nbgrader generate_assignment` + `autograde` +
`export` + `generate_feedback` grade a right, a wrong and a hostile submission of the throw-away chapter
(tests/data/98-throwaway.md) as expected; no reference value or hidden test reaches a student-facing file
of any format, for any chapter; the built-in grader reads the same exported hidden tests.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tools import editions as ed
from tools.booktools import chapter_of, toc_files
from semtheory.exercises import _compare, answer, registered
from semtheory.exercises import export as xp
from tools import assignments as asg
from semtheory.exercises import grade as gr
from test_course_kit import answers98  # noqa: F401 - the fixture that registers chapter 98's answers

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
THROWAWAY = DATA / "98-throwaway.md"
NAME = THROWAWAY.stem
LABELS = ["ex-98-coin-entropy", "ex-98-kl-coins"]
BIN = pathlib.Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg",
       "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
CELL_TIMEOUT = 30  # seconds per cell: mallory's endless loop is interrupted after it (10 s timed out an import under load)

# What each sample student writes into the answer cells (variable -> cell source).  alice is right, bob is
# wrong (a wrong value, and nats where bits are asked), mallory answers the first exercise right and the
# second wrong, and adds cells that raise, do not parse, loop forever, print a megabyte, and patch numpy and
# semtheory's checker and redefine otter's `grader` (she must lose the second exercise's points and nothing else).
ANSWERS = {
    "alice": {"answer_ex_98_coin_entropy": "from semtheory import measures\n"
                                           "answer_ex_98_coin_entropy = measures.binary_entropy(0.2)",
              "answer_ex_98_kl_coins": "answer_ex_98_kl_coins = measures.kl_divergence([0.2, 0.8], [0.5, 0.5])"},
    "bob": {"answer_ex_98_coin_entropy": "answer_ex_98_coin_entropy = 0.5",
            "answer_ex_98_kl_coins": "import math\nfrom semtheory import measures\nanswer_ex_98_kl_coins = "
                                     "measures.kl_divergence([0.2, 0.8], [0.5, 0.5], base=math.e)"},
    "mallory": {"answer_ex_98_coin_entropy": "from semtheory import measures\n"
                                             "answer_ex_98_coin_entropy = measures.binary_entropy(0.2)",
                "answer_ex_98_kl_coins": "answer_ex_98_kl_coins = 0.123"},
}
HOSTILE = [
    "raise RuntimeError('a cell that raises')",
    "def broken(:\n    pass",
    "while True:\n    pass",
    "print('x' * 1_000_000)",
    "import numpy\nnumpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda *a, **k: True\n"
    "import semtheory.exercises as E\nE._compare = lambda *a: True\n"
    "E.is_correct = lambda label, given: E.CheckResult(label, True, 'correct')\n"
    "def check(label, given):\n    print('correct')\n    return True\ngrader = None  # otter's checker object",
]
PROOF = "By Jensen, E[log 1/p(X)] <= log E[1/p(X)] = log |X|."
EXPECTED = {"alice": {"ex_98_coin_entropy": 1, "ex_98_kl_coins": 2},
            "bob": {"ex_98_coin_entropy": 0, "ex_98_kl_coins": 0},
            "mallory": {"ex_98_coin_entropy": 1, "ex_98_kl_coins": 0}}


@pytest.fixture(scope="module")
def export98(answers98, tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments98")
    written = asg.write_all(out, files=[THROWAWAY])
    return out, written


@pytest.fixture(scope="module")
def export_all(tmp_path_factory):
    """What `make assignments` writes for the whole book, once for the tests of this module: (folder, its output)."""
    out = tmp_path_factory.mktemp("assignments")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert ed.main(["assignments", str(out)]) == 0  # what `make assignments` runs
    return out, printed.getvalue()


def _run(cmd, cwd, timeout=240):
    r = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def _leak_forms(tests: dict) -> set[str]:
    """Every reference as it could be printed: repr and 4-6 significant digits (only forms with at least four
    significant digits, so that a parameter such as 0.2 or an integer does not count)."""
    forms = set()
    for t in tests.values():
        ref = t["reference"]
        if ref["kind"] != "num":
            continue
        for v in ref["data"]:
            if isinstance(v, str) or float(v).is_integer():
                continue
            for f in (repr(float(v)), f"{v:.6g}", f"{v:.5g}", f"{v:.4g}"):
                if len(re.sub(r"^[-0.]+|e.*$|\.", "", f)) >= 4:
                    forms.add(f)
    return forms


HIDDEN_MARKS = ("_ref =", "BEGIN HIDDEN TESTS", "def test_value", "hidden: true", "_close(")


def _leaks(path: pathlib.Path, forms: set[str], allowed: str, marks=HIDDEN_MARKS) -> list[str]:
    """Reference forms and hidden-test text found in one file (``allowed``: text students see anyway)."""
    text = path.read_text(errors="replace")
    return [f for f in forms if f in text and f not in allowed] + [m for m in marks if m in text]


def _visible_text(path: pathlib.Path) -> str:
    """The chapter's exercise texts as students see them (numbers there are parameters, not answers)."""
    return " ".join(ex.title + " " + ed.plain_markdown(ex.body) for ex in ed.exercises(path))


# ---------------------------------------------------------------------------------------------
# The exports and their hidden tests, without the engines
# ---------------------------------------------------------------------------------------------


def test_points_follow_difficulty_unless_the_registry_says_otherwise():
    assert [xp.points(s) for s in (1, 2, 3, None)] == [1, 2, 3, 1]
    a = next(iter(registered().values()))
    assert xp.points(3, a.__class__(**{**a.__dict__, "points": 5})) == 5
    with pytest.raises(ValueError, match="stars"):
        xp.points(4)
    with pytest.raises(ValueError, match="points"):
        answer("ex-99-x", points=-1)


def test_public_tests_say_nothing_until_an_answer_of_the_right_kind_is_there():
    t = xp.hidden_tests(["ex-04-greedy-vs-mode"])["ex-04-greedy-vs-mode"]
    src = xp.public_check_source(t, "answer")
    for value, ok in ((None, False), (..., False), (0.3, False), ("0.3", False), ([0.1, 0.2], True)):
        try:
            exec(src, {"answer": value})  # noqa: S102 - the exporter's own source
            passed = True
        except AssertionError as e:
            passed = False
            assert str(e).startswith("the answer should be an array of shape (2,)")
        assert passed == ok, value


def test_otter_command_line_refuses_a_bad_cell_timeout(capsys):
    assert xp.otter_main(["--cell-timeout", "0", "run"]) == 2
    assert "--cell-timeout" in capsys.readouterr().err


def test_reference_encoding_round_trips():
    for v in (0.7219280948873623, 5, (0.1, 0.9), np.array([[1.5, -2.0]]), "Granger", True, float("inf")):
        enc = xp.encode(v)
        assert json.loads(json.dumps(enc)) == enc
        back = xp.decode(enc)
        if isinstance(v, (str, bool)):
            assert back == v and type(back) is type(v)
        else:
            assert np.array_equal(np.asarray(back, dtype=float), np.asarray(v, dtype=float))
    with pytest.raises(ValueError, match="enc"):
        xp.decode({"kind": "pickle"})


_VALUES = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True, width=32),
                    st.lists(st.floats(-10, 10, width=32), min_size=1, max_size=3), st.complex_numbers(max_magnitude=5))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(given_=_VALUES, ref=st.one_of(st.floats(-10, 10), st.lists(st.floats(-10, 10), min_size=1, max_size=3),
                                     st.sampled_from(["Granger", "pearl", True, False])))
def test_hidden_comparison_agrees_with_the_checker(given_, ref):
    close = xp.close_function()
    for g in (given_, ref, ref if isinstance(ref, (str, bool)) else np.asarray(ref) * (1 + 2e-4)):
        assert close(g, ref, 1e-3, 1e-6) == _compare(g, ref, 1e-3, 1e-6), (g, ref)


def test_every_hidden_test_passes_its_reference_and_fails_a_wrong_answer():
    tests = xp.hidden_tests()
    assert set(tests) == set(registered())
    for label, t in tests.items():
        ref = registered()[label].compute()
        wrong = "not it" if isinstance(ref, str) else (not ref) if isinstance(ref, bool) else \
            np.asarray(ref, dtype=float) * 1.5 + 1.0
        src = xp.hidden_check_source(label, t, "answer")
        for value, ok in ((ref, True), (wrong, False), (None, False)):
            ns = {"answer": value}
            if ok:
                exec(src, ns)  # noqa: S102 - the exporter's own source
            else:
                with pytest.raises(AssertionError) as e:
                    exec(src, ns)  # noqa: S102
                assert "hidden test" in str(e.value) and _leak_forms({label: t}).isdisjoint({str(e.value)})


def test_three_exports_of_every_chapter_with_their_questions_and_points(export_all):
    tmp_path, printed = export_all
    assert "otter: " in printed
    written = {f: sorted(tmp_path.glob(pat)) for f, pat in
               (("plain", "plain/*.ipynb"), ("otter", "otter/*/*.ipynb"), ("nbgrader", "nbgrader/source/*/*.ipynb"))}
    chapters = [p for p in toc_files() if ed.exercises(p)]
    assert [len(written[f]) for f in ("plain", "otter", "nbgrader")] == [len(chapters)] * 3
    assert len(chapters) >= 17 and {ed.chapter_number(p) for p in chapters} >= {f"{n:02d}" for n in range(1, 18)}
    reg = registered()
    hidden = json.loads((tmp_path / "hidden-tests.json").read_text())
    for p in chapters:
        exs = ed.exercises(p)
        auto = [e for e in exs if e.label in reg]
        pts = {e.label: {1: 1, 2: 2, 3: 3}.get(e.stars, 1) for e in exs}
        stem = chapter_of(p).stem  # exercises on a section page (07b-…) are exported under the chapter's name
        plain = nbformat.read(tmp_path / "plain" / f"{stem}.ipynb", as_version=4)
        otter = nbformat.read(tmp_path / "otter" / stem / f"{stem}.ipynb", as_version=4)
        nbg = nbformat.read(tmp_path / "nbgrader" / "source" / stem / f"{stem}.ipynb", as_version=4)
        for nb in (plain, otter, nbg):
            nbformat.validate(nb)
        assert sum(c.source.startswith("check(") for c in plain.cells) == len(auto), p.name
        qs = [yaml.safe_load(c.source.split("\n", 1)[1]) for c in otter.cells
              if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
        assert [q["name"] for q in qs] == [xp.question_name(e.label) for e in exs], p.name
        assert {q["name"]: q["points"] for q in qs} == {xp.question_name(k): v for k, v in pts.items()}
        assert sum(bool(q.get("manual")) for q in qs) == len(exs) - len(auto)
        assert sum("hidden: true" in c.source for c in otter.cells) == len(auto)
        meta = [c.metadata.get("nbgrader", {}) for c in nbg.cells]
        graded = {m["grade_id"]: m["points"] for m in meta if m.get("grade")}
        assert graded == {f"{xp.question_name(e.label)}_{'test' if e.label in reg else 'answer'}": pts[e.label]
                          for e in exs}, p.name
        assert sum(bool(m.get("solution")) and not m.get("grade") for m in meta) == len(auto)
        assert sum("### BEGIN HIDDEN TESTS" in c.source for c in nbg.cells) == len(auto)
        for e in auto:
            assert hidden[e.label]["points"] == pts[e.label] and hidden[e.label]["units"] == reg[e.label].units
        _solutions_pass_their_tests(otter, nbg, auto)


def _solutions_pass_their_tests(otter, nbg, auto):
    """Each export's solution cell, run, passes its own public and hidden tests (as `otter assign` checks
    with run_tests, and an nbgrader instructor's validate would)."""
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nbg.cells}
    code = [c.source for c in otter.cells if c.cell_type == "code"]
    for e in auto:
        q, var = xp.question_name(e.label), e.variable
        ns: dict = {}
        exec(by_id[f"{q}_answer"], ns)  # noqa: S102 - the exporter's own source
        exec(by_id[f"{q}_test"], ns)  # noqa: S102 - raises AssertionError when the solution fails
        sol = next(c for c in code if c.startswith(f"{var} = ") and c.endswith("# SOLUTION"))
        ns = {}
        exec(sol, ns)  # noqa: S102
        tests = [c for c in code if f"def test_kind({var})" in c or f"def test_value({var})" in c]
        assert len(tests) == 2, e.label
        for t in tests:
            exec(t, ns)  # noqa: S102
        ns["test_kind"](ns[var])
        ns["test_value"](ns[var])


def test_the_built_in_grader_reads_the_exported_hidden_tests(export98, tmp_path):
    out, _ = export98
    subs = tmp_path / "subs" / "alice"
    subs.mkdir(parents=True)
    nbformat.write(nbformat.read(DATA / "submission-alice-98-throwaway.ipynb", as_version=4), subs / f"{NAME}.ipynb")
    tests = json.loads((out / "hidden-tests.json").read_text())
    assert set(tests) == set(LABELS)
    rows = gr.grade(tmp_path / "subs", tests=out / "hidden-tests.json", timeout=20, probe_timeout=5,
                    notebook_timeout=240)
    assert [r.correct for r in rows] == [1, 1]
    # the same notebook against a hidden-tests file whose first reference was changed: now wrong
    tests[LABELS[0]]["reference"] = xp.encode(0.25)
    (tmp_path / "changed.json").write_text(json.dumps(tests))
    rows = gr.grade(tmp_path / "subs", tests=tmp_path / "changed.json", timeout=20, probe_timeout=5,
                    notebook_timeout=240)
    assert [r.correct for r in rows] == [0, 1]
    with pytest.raises(ValueError, match="tests"):
        gr.grade(tmp_path / "subs", tests=tmp_path / "nope.json")


# ---------------------------------------------------------------------------------------------
# otter-grader: otter assign, then otter run (no Docker) on the three samples
# ---------------------------------------------------------------------------------------------


def _otter_submission(student_nb, student: str):
    nb = nbformat.read(student_nb, as_version=4)
    for c in nb.cells:
        for var, code in ANSWERS[student].items():
            if c.cell_type == "code" and c.source.strip() == f"{var} = ...":
                c.source = code
        if c.cell_type == "markdown" and "Type your answer here" in c.source and student == "alice":
            c.source = PROOF
    if student == "mallory":
        nb.cells[1:1] = [nbformat.v4.new_code_cell(s) for s in HOSTILE]
    return nb


def test_otter_assign_and_run_on_right_wrong_and_hostile_submissions(export98, tmp_path):
    out, written = export98
    master = written["otter"][0]
    _run([sys.executable, "-m", "semtheory.exercises", "otter", "assign", str(master), str(tmp_path / "dist")],
         tmp_path)
    student = tmp_path / "dist" / "student" / f"{NAME}.ipynb"
    (zip_path,) = (tmp_path / "dist" / "autograder").glob("*.zip")
    hidden = json.loads((out / "hidden-tests.json").read_text())
    forms = _leak_forms(hidden)
    assert not _leaks(student, forms, _visible_text(THROWAWAY)), "the otter student notebook shows a hidden test"
    with zipfile.ZipFile(zip_path) as z:  # ... and the autograder does hold them (so the scan above can fail)
        tests_text = " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("tests/"))
    assert any(f in tests_text for f in forms) and "hidden=True" in tests_text
    procs = {}
    for s in ANSWERS:
        (tmp_path / "subs" / s).mkdir(parents=True)
        sub = tmp_path / "subs" / s / f"{NAME}.ipynb"  # the file name the init cell reads its tests from
        nbformat.write(_otter_submission(student, s), sub)
        procs[s] = subprocess.Popen([sys.executable, "-m", "semtheory.exercises", "otter", "--cell-timeout",
                                     str(CELL_TIMEOUT), "run", "-a", str(zip_path), "-o", str(sub.parent), str(sub)],
                                    cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for s, proc in procs.items():
        log, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"otter run for {s}:\n{log[-3000:]}"
        results = json.loads((tmp_path / "subs" / s / "results.json").read_text())
        scores = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
        assert scores == EXPECTED[s], (s, scores)


# ---------------------------------------------------------------------------------------------
# nbgrader: a throw-away course: generate_assignment, autograde, export, generate_feedback
# ---------------------------------------------------------------------------------------------


def _nbgrader_submission(release_nb, student: str):
    nb = nbformat.read(release_nb, as_version=4)
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id", "")
        for var, code in ANSWERS[student].items():
            if gid == f"{var[len('answer_'):]}_answer":
                c.source = code
        if gid == "ex_98_entropy_bound_answer" and student == "alice":
            c.source = PROOF
    if student == "mallory":
        nb.cells[2:2] = [nbformat.v4.new_code_cell(s) for s in HOSTILE]
    return nb


def test_nbgrader_course_grades_right_wrong_and_hostile_submissions(export98, tmp_path):
    out, _ = export98
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text((out / "nbgrader" / "nbgrader_config.py").read_text().replace(
        "timeout = 60", f"timeout = {CELL_TIMEOUT}"))
    (course / "source" / NAME).symlink_to(out / "nbgrader" / "source" / NAME, target_is_directory=True)
    nbgrader = str(BIN / "nbgrader")
    _run([nbgrader, "generate_assignment", NAME, "--force"], course)
    release = course / "release" / NAME / f"{NAME}.ipynb"
    forms = _leak_forms(json.loads((out / "hidden-tests.json").read_text()))
    assert not _leaks(release, forms, _visible_text(THROWAWAY)), "the nbgrader release shows a hidden test"
    assert any(f in (course / "source" / NAME / f"{NAME}.ipynb").read_text() for f in forms)
    for s in ANSWERS:
        (course / "submitted" / s / NAME).mkdir(parents=True)
        nbformat.write(_nbgrader_submission(release, s), course / "submitted" / s / NAME / f"{NAME}.ipynb")
    _run([nbgrader, "autograde", NAME, "--create", "--force"], course, timeout=400)
    _run([nbgrader, "export", "--to", str(course / "grades.csv")], course)
    with open(course / "grades.csv", newline="") as fh:
        table = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert {s: float(table[s]["raw_score"]) for s in ANSWERS} == {s: sum(v.values()) for s, v in EXPECTED.items()}
    assert {float(table[s]["max_score"]) for s in ANSWERS} == {6.0}  # 1 + 2 auto-graded, 3 by hand
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for s, marks in EXPECTED.items():
            for q, pts in marks.items():
                assert gb.find_grade(f"{q}_test", NAME, NAME, s).score == pts, (s, q)
        gb.find_grade("ex_98_entropy_bound_answer", NAME, NAME, "alice").manual_score = 3  # graded by hand
        gb.db.commit()
    _run([nbgrader, "generate_feedback", NAME, "--force"], course)
    for s in ANSWERS:
        page = course / "feedback" / s / NAME / f"{NAME}.html"
        assert page.exists(), s
        # a failing hidden assert shows in the traceback with a few lines around it, never the reference
        assert not _leaks(page, forms, _visible_text(THROWAWAY), marks=("_ref =",)), f"the feedback of {s} leaks"
    assert "not within the tolerance" in (course / "feedback" / "bob" / NAME / f"{NAME}.html").read_text()


# ---------------------------------------------------------------------------------------------
# Leaks: no reference value or hidden test in any student-facing file of any format, any chapter
# ---------------------------------------------------------------------------------------------


_ASSIGN_ALL = """
import pathlib, sys
from semtheory.exercises import export
export._pkg_resources_standin()
from otter.assign import main
for m in sorted(pathlib.Path(sys.argv[1]).glob("*/*.ipynb")):
    main(str(m), str(pathlib.Path(sys.argv[2]) / m.parent.name), no_run_tests=True, no_pdfs=True)
"""


def test_no_reference_or_hidden_test_reaches_students_in_any_format(export_all, tmp_path):
    out = tmp_path / "a"
    shutil.copytree(export_all[0], out)  # the whole book's export (asg.write_all), copied: the engines write into it
    hidden = json.loads((out / "hidden-tests.json").read_text())
    _run([sys.executable, "-c", _ASSIGN_ALL, str(out / "otter"), str(tmp_path / "otter-dist")], tmp_path)
    _run([str(BIN / "nbgrader"), "generate_assignment", "*", "--force"], out / "nbgrader", timeout=400)
    chapters = {chapter_of(p).stem: p for p in toc_files() if ed.exercises(p)}
    scanned = 0
    for stem, p in chapters.items():
        tests = {k: v for k, v in hidden.items() if k.startswith(f"ex-{ed.chapter_number(p)}-")}
        forms, allowed = _leak_forms(tests), _visible_text(p)
        student = [out / "plain" / f"{stem}.ipynb", tmp_path / "otter-dist" / stem / "student" / f"{stem}.ipynb",
                   out / "nbgrader" / "release" / stem / f"{stem}.ipynb"]
        for f in student:
            assert f.exists(), f
            assert not _leaks(f, forms, allowed), f"{f.relative_to(tmp_path)}: {_leaks(f, forms, allowed)}"
            scanned += 1
        if forms:  # the instructor's side holds them: the scan is of the right strings
            master = (out / "otter" / stem / f"{stem}.ipynb").read_text()
            assert any(f in master for f in forms), stem
    assert scanned == 3 * len(chapters)
    assert len(_leak_forms(hidden)) > 3 * len(hidden) // 2  # most references are checkable as printed numbers
