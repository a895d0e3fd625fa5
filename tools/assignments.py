r"""Exercises of a chapter in three formats: plain (self-study), Otter Assign and nbgrader (book tooling).

``make assignments`` (``python -m tools.editions assignments OUT``) writes, from the same registry
(:mod:`semtheory.exercises`) and the same chapter texts::

    OUT/plain/NN-name.ipynb                       self-study: answer cells and check() cells
    OUT/otter/NN-name/NN-name.ipynb               Otter Assign master (otter assign -> student + autograder zip)
    OUT/nbgrader/source/NN-name/NN-name.ipynb     nbgrader source (nbgrader generate_assignment NN-name)
    OUT/nbgrader/nbgrader_config.py               a course configuration to start from
    OUT/hidden-tests.json                         the reference values (instructor side; the built-in grader's)

The chapter texts are read through :mod:`tools.editions`; the reference values, points and checks come from
:mod:`semtheory.exercises.export`, the part that runs where the grading runs.  Every exercise without a
registered answer becomes a manually graded question ("discussed in class").

The self-study format is not for grading: the package in every student's kernel can compute every reference
answer (``registered()[label].compute()``).
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

from semtheory.exercises import Answer, registered
from semtheory.exercises.export import (CELL_TIMEOUT, SELF_CHECK, hidden_check_source, hidden_tests, points,
                                        public_check_source, question_name, reference_literal)

__all__ = ["Item", "items", "otter_master", "nbgrader_source", "plain_notebook", "write_all"]


@dataclass(frozen=True)
class Item:
    """One exercise of a chapter as a graded question: its text (a :class:`tools.editions.Exercise`), its registered
    answer (None: discussed in class, graded by hand) and its points."""

    exercise: object
    answer: Answer | None
    points: int

    @property
    def label(self) -> str:
        return self.exercise.label

    @property
    def auto(self) -> bool:
        return self.answer is not None


def items(path, registry: dict | None = None) -> list[Item]:
    """The exercises of one chapter file as graded questions, in order."""
    from tools.editions import exercises

    reg = registered() if registry is None else registry
    out = []
    for ex in exercises(pathlib.Path(path)):
        a = reg.get(ex.label)
        out.append(Item(ex, a, points(ex.stars, a)))
    return out


# ----------------------------------------------------------------------------------------------
# The three formats
# ----------------------------------------------------------------------------------------------


def plain_notebook(path, registry: dict | None = None):
    """The self-study notebook (:func:`tools.editions.assignment`): answer cells and ``check()`` cells."""
    from tools.editions import assignment

    return assignment(pathlib.Path(path), registry)


def _chapter_page(path: pathlib.Path) -> pathlib.Path:
    """The chapter page of ``path`` (a section page ``NNb-*.md`` belongs to ``NN-*.md``); else ``path``."""
    from tools.booktools import chapter_of

    chap = chapter_of(path)
    return pathlib.Path(path) if chap.resolve() == pathlib.Path(path).resolve() else chap


def _head(nn: str, title: str, path: pathlib.Path, how: str) -> str:
    from tools.editions import plain_markdown

    return (f"# Assignment — Chapter {int(nn) if nn else ''}: {plain_markdown(title)}\n\n{how}\n\n"
            f"Hand in this notebook as `{path.stem}.ipynb`.")


def _text(it: Item) -> str:
    from tools.editions import plain_markdown

    ex = it.exercise
    stars = f"({ex.difficulty}) " if ex.stars else ""
    pts = f"*{it.points} point{'s' if it.points != 1 else ''}"
    pts += (", auto-graded*" if it.auto else ", graded by hand (discussed in class)*")
    unit = f" in {it.answer.units}" if it.auto and it.answer.units else ""
    where = (f"\n\nPut your answer{unit} into `{ex.variable}`." if it.auto else "")
    return f"## Exercise {ex.number} {stars}{plain_markdown(ex.title)}\n\n`{ex.label}` — {pts}\n\n" \
           f"{plain_markdown(ex.body)}{where}"


def _notebook(cells, meta: dict):
    import nbformat
    from nbformat.v4 import new_notebook

    for i, c in enumerate(cells):  # deterministic ids: the same sources give the same file
        c["id"] = f"cell-{i:03d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, "semtheory": meta})
    nbformat.validate(nb)
    return nb


def _meta(path: pathlib.Path, its: list[Item], fmt: str) -> dict:
    from tools.editions import chapter_number

    return {"chapter": chapter_number(path), "source": path.name, "format": fmt,
            "exercises": [i.label for i in its], "auto_checked": [i.label for i in its if i.auto],
            "points": {i.label: i.points for i in its}}


def _macro_cell():
    from nbformat.v4 import new_markdown_cell

    from semtheory import macros
    from tools.macrosync import MARK_BEGIN

    return new_markdown_cell(MARK_BEGIN + "\n$$\n" + macros.newcommands() + "\n$$",
                             metadata={"tags": ["semtheory-macros"]})


def _yaml(d: dict) -> str:
    import yaml

    return yaml.safe_dump(d, sort_keys=False, default_flow_style=False).strip()


def otter_master(path, registry: dict | None = None, tests: dict | None = None):
    """The Otter Assign (v1 format) master notebook of one chapter, or None when it has no exercises.

    Each auto-checked exercise is a question with its points: a solution cell (the reference, between
    ``# BEGIN SOLUTION`` and ``# END SOLUTION``), a public test worth 0 points (an answer of the right kind)
    and a hidden test worth all the points (the reference, within the registered tolerance).  Every other
    exercise is a manual question (``manual: true``) with a markdown answer cell.
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

    from tools.editions import chapter_number, chapter_title

    path = pathlib.Path(path)
    its = items(path, registry)
    if not its:
        return None
    tests = hidden_tests([i.label for i in its if i.auto], registry) if tests is None else tests
    chap = _chapter_page(path)
    config = {"name": chap.stem, "init_cell": True, "check_all_cell": False, "export_cell": False,
              "run_tests": True, "solutions_pdf": False, "generate": True,
              "tests": {"files": False, "ok_format": False}}
    how = ("Write each answer into its variable `answer_ex_…` (replace `...`), then run the cell "
           "`grader.check(...)` below it: it runs the public test only (an answer of the right kind is there); "
           "the value is graded by hidden tests after you hand in. Exercises discussed in class are graded by hand. "
           + SELF_CHECK)
    cells = [new_raw_cell("# ASSIGNMENT CONFIG\n" + _yaml(config)), _macro_cell(),
             new_markdown_cell(_head(chapter_number(chap), chapter_title(chap), chap, how))]
    for it in its:
        q = {"name": question_name(it.label), "points": it.points}
        if not it.auto:
            q["manual"] = True
        cells.append(new_raw_cell("# BEGIN QUESTION\n" + _yaml(q)))
        cells.append(new_markdown_cell(_text(it)))
        var = it.exercise.variable
        if it.auto:
            t = tests[it.label]
            cells.append(new_raw_cell("# BEGIN SOLUTION"))
            cells.append(new_code_cell(f"{var} = {reference_literal(t['reference'])}  # SOLUTION".replace(
                "numpy.array", "__import__('numpy').array")))
            cells.append(new_raw_cell("# END SOLUTION"))
            cells.append(new_raw_cell("# BEGIN TESTS"))
            pub = public_check_source(t, var).replace("\n", "\n    ")
            cells.append(new_code_cell('""" # BEGIN TEST CONFIG\npoints: 0\nhidden: false\n""" # END TEST CONFIG\n'
                                       f"def test_kind({var}):\n    {pub}"))
            cells.append(new_code_cell('""" # BEGIN TEST CONFIG\n'
                                       f"points: {it.points}\nhidden: true\n"
                                       '""" # END TEST CONFIG\n'
                                       f"def test_value({var}):\n"
                                       + hidden_check_source(it.label, t, var, indent="    ")))
            cells.append(new_raw_cell("# END TESTS"))
        else:
            cells.append(new_raw_cell("# BEGIN SOLUTION"))
            cells.append(new_markdown_cell("**SOLUTION:** discussed in class (see the instructor's edition)."))
            cells.append(new_raw_cell("# END SOLUTION"))
        cells.append(new_raw_cell("# END QUESTION"))
    return _notebook(cells, _meta(path, its, "otter"))


def nbgrader_source(path, registry: dict | None = None, tests: dict | None = None):
    """The nbgrader source notebook of one chapter, or None when it has no exercises.

    Per auto-checked exercise: a solution cell (``### BEGIN SOLUTION`` … ``### END SOLUTION``) and an
    autograded, locked test cell with the exercise's points: a public assert (an answer of the right kind)
    and the reference check between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.  Per exercise
    discussed in class: a manually graded markdown answer cell with its points.
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from tools.editions import chapter_number, chapter_title

    path = pathlib.Path(path)
    its = items(path, registry)
    if not its:
        return None
    tests = hidden_tests([i.label for i in its if i.auto], registry) if tests is None else tests

    def nbg(grade_id, *, solution=False, grade=False, locked=False, pts=None):
        d = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
        if pts is not None:
            d["points"] = pts
        return {"nbgrader": d}

    how = ("Replace each `raise NotImplementedError()` with your answer in its variable `answer_ex_…`, and run "
           "the test cell below it: its visible part says whether an answer of the right kind is there; the "
           "value is graded by hidden tests after you hand in. Exercises discussed in class are answered in "
           "the text cell below them and graded by hand. " + SELF_CHECK)
    chap = _chapter_page(path)
    cells = [_macro_cell(), new_markdown_cell(_head(chapter_number(chap), chapter_title(chap), chap, how),
                                              metadata=nbg("intro", locked=True))]
    for it in its:
        q = question_name(it.label)
        cells.append(new_markdown_cell(_text(it), metadata=nbg(f"{q}_text", locked=True)))
        var = it.exercise.variable
        if it.auto:
            t = tests[it.label]
            cells.append(new_code_cell(f"### BEGIN SOLUTION\n{var} = {reference_literal(t['reference'])}\n### END SOLUTION"
                                       .replace("numpy.array", "__import__('numpy').array"),
                                       metadata=nbg(f"{q}_answer", solution=True)))
            cells.append(new_code_cell(f"# {it.label}: {it.points} point(s)\n{public_check_source(t, var)}\n"
                                       f"### BEGIN HIDDEN TESTS\n{hidden_check_source(it.label, t, var)}\n"
                                       "### END HIDDEN TESTS",
                                       metadata=nbg(f"{q}_test", grade=True, locked=True, pts=it.points)))
        else:
            cells.append(new_markdown_cell("YOUR ANSWER HERE", metadata=nbg(f"{q}_answer", solution=True, grade=True,
                                                                             pts=it.points)))
    return _notebook(cells, _meta(path, its, "nbgrader"))


NBGRADER_CONFIG = '''\
# nbgrader configuration of the semtheory course kit (written by `make assignments`).
c = get_config()  # noqa: F821
c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "semtheory"
c.ExecutePreprocessor.timeout = {timeout}        # seconds per cell: a loop is interrupted, not waited for
c.ExecutePreprocessor.interrupt_on_timeout = True
# feedback without the hidden tests' sources (a failing hidden assert names the exercise only)
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "nbgrader.preprocessors.ClearHiddenTests",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
'''


def write_all(out, root=None, files=None, registry: dict | None = None) -> dict[str, list[pathlib.Path]]:
    """Write the three formats of every toc chapter (or ``files``) that has exercises under ``out``, and
    ``out/hidden-tests.json``.  Returns ``{"plain": [...], "otter": [...], "nbgrader": [...]}``."""
    import nbformat

    from tools.booktools import ROOT, toc_files

    out = pathlib.Path(out)
    root = ROOT if root is None else pathlib.Path(root)
    reg = registered() if registry is None else registry
    paths = [pathlib.Path(p) for p in (toc_files(root) if files is None else files)]
    written: dict[str, list[pathlib.Path]] = {"plain": [], "otter": [], "nbgrader": []}
    all_tests: dict[str, dict] = {}
    for p in paths:
        its = items(p, reg)
        if not its:
            continue
        tests = hidden_tests([i.label for i in its if i.auto], reg)
        for lab, t in tests.items():
            t["points"] = next(i.points for i in its if i.label == lab)
        all_tests.update(tests)
        name = _chapter_page(p).stem  # a chapter's exercises sit on its last page; the files carry its name
        for fmt, nb, dest in (("plain", plain_notebook(p, reg), out / "plain" / f"{name}.ipynb"),
                              ("otter", otter_master(p, reg, tests), out / "otter" / name / f"{name}.ipynb"),
                              ("nbgrader", nbgrader_source(p, reg, tests),
                               out / "nbgrader" / "source" / name / f"{name}.ipynb")):
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
            written[fmt].append(dest)
    if written["nbgrader"]:
        (out / "nbgrader" / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(timeout=CELL_TIMEOUT))
    out.mkdir(parents=True, exist_ok=True)
    (out / "hidden-tests.json").write_text(json.dumps(all_tests, indent=1, sort_keys=True) + "\n")
    return written
