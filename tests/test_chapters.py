"""The chapter map of the preface (semtheory.chapters) against the book's own files."""

import importlib
import pathlib
import re

import pytest

from semtheory import chapters

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _text(n):
    """The chapter's text: its page ``NN-*.md`` and its section pages ``NNb-*.md``, ``NNc-*.md`` ..."""
    (path,) = sorted((ROOT / "book").glob(f"{n:02d}-*.md"))
    return "\n".join(f.read_text() for f in [path, *sorted((ROOT / "book").glob(f"{n:02d}[b-z]-*.md"))])


def test_every_chapter_of_the_book_is_in_the_map_and_uses_its_modules():
    assert [c.number for c in chapters.CHAPTERS] == list(range(1, 18))
    for c in chapters.CHAPTERS:
        text = _text(c.number)
        for m in c.modules:
            importlib.import_module(f"semtheory.{m}")
            assert re.search(rf"\bimport\b.*\b{m}\b", text), f"chapter {c.number} does not import semtheory.{m}"


def test_prerequisites_point_backwards_and_are_transitive():
    for c in chapters.CHAPTERS:
        assert all(r < c.number for r in c.requires), c
    assert chapters.prerequisites(1) == ()
    assert set(chapters.prerequisites(5)) == {1, 2, 3, 4}
    assert set(chapters.prerequisites(16)) >= {1, 2, 3, 4, 9, 10, 11}


def test_course_paths_respect_the_prerequisites():
    for name, path in chapters.COURSE_PATHS.items():
        assert chapters.check_path(path) == (), name
    assert chapters.check_path((1, 2, 3, 7)) == (4,)
    with pytest.raises(ValueError, match="before its prerequisite 2"):
        chapters.check_path((1, 3, 2))
    with pytest.raises(ValueError, match="number"):
        chapters.chapter(18)
    with pytest.raises(ValueError, match="number"):
        chapters.chapter("3")


def test_concept_map_draws_one_box_per_chapter_and_one_arrow_per_dependency():
    import matplotlib

    matplotlib.use("Agg")
    ax = chapters.plot_concept_map()
    arrows = [t for t in ax.texts if type(t).__name__ == "Annotation"]
    assert len(ax.texts) - len(arrows) == len(chapters.CHAPTERS)
    assert len(arrows) == len(chapters.concept_edges())


def test_study_tables_count_prose_words_and_exercises(tmp_path):
    words = " ".join(["word"] * 400)
    (tmp_path / "01-a.md").write_text(
        f"---\njupytext: x\n---\n# A\n\n{words}\n\n```{{code-cell}} ipython3\nnot = counted\n```\n\n"
        "```{exercise} (★) One\n:label: ex-01-one\nDo it.\n```\n"
    )
    paths, per_chapter = chapters.study_tables(tmp_path)
    assert "| 1. From bits to tokens | 2 | 1 |" in per_chapter  # (2 + 400 + 5) words / 200 per minute
    assert "| 2. The information toolkit | 0 | 0 |" in per_chapter  # no file: zero
    assert paths.count("\n") == 1 + len(chapters.COURSE_PATHS)
    assert chapters.reading_minutes(words) == 2.0
    with pytest.raises(ValueError, match="folder"):
        chapters.study_tables(tmp_path / "missing")


def test_reading_time_leaves_out_exercises_and_solutions():
    text = ("Five words of prose here.\n\n```{exercise} (★☆☆) A title\n:label: ex-01-a\nMany words " + "w " * 300
            + "\n```\n\n````{solution} ex-01-a\n:class: dropdown\n\nMore " + "s " * 300
            + "\n\n```python\nx = 1\n```\nstill the solution\n````\n\nTwo more.\n")
    assert chapters.reading_minutes(text, words_per_minute=1) == 7  # 5 + 2 words outside the blocks
    assert chapters.count_exercises(text) == 1


def test_semester_plan_is_consecutive_and_minimises_the_longest_week():
    import itertools

    path = chapters.COURSE_PATHS["one-semester course"]
    minutes = {n: float((7 * n) % 11 + 5) for n in path}
    for weeks in (1, 3, 14, len(path)):
        plan = chapters.semester_plan(minutes, weeks)
        assert len(plan) == weeks and tuple(c for g in plan for c in g) == path
        longest = max(sum(minutes[c] for c in g) for g in plan)
        if weeks in (1, len(path)):
            assert longest == (sum(minutes.values()) if weeks == 1 else max(minutes.values()))
        if weeks == 3:  # brute force over every split into three consecutive groups
            brute = min(max(sum(minutes[c] for c in path[a:b]) for a, b in ((0, i), (i, j), (j, len(path))))
                        for i, j in itertools.combinations(range(1, len(path)), 2))
            assert longest == brute
    with pytest.raises(ValueError, match="weeks"):
        chapters.semester_plan(minutes, 0)
    with pytest.raises(ValueError, match="minutes"):
        chapters.semester_plan({1: 3.0}, 2)
    with pytest.raises(ValueError, match="minutes"):
        chapters.semester_plan({**minutes, 3: -1.0}, 2)


def test_concept_map_caption_claims():
    """The preface's caption: chapters 3 and 4 feed every later chapter; chapter 10 feeds exactly Parts IV and V."""
    later = [c.number for c in chapters.CHAPTERS if c.number > 4]
    assert all({3, 4} <= set(chapters.prerequisites(n)) for n in later)
    fed_by_10 = {c.number for c in chapters.CHAPTERS if 10 in chapters.prerequisites(c.number)}
    assert fed_by_10 == {c.number for c in chapters.CHAPTERS if c.part in ("IV", "V") and c.number > 10}


def _code_cells(path):
    """(line, code lines) of each code cell of a chapter page: its YAML header, ``:key:`` options, blank lines,
    comment lines and import lines left out."""
    text = path.read_text()
    for m in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S):
        body = m.group(1)
        if body.startswith("---\n"):
            body = body[4:].split("---\n", 1)[1]
        code = [ln for ln in body.split("\n") if ln.strip() and not ln.startswith(":")
                and not ln.lstrip().startswith(("#", "import ", "from "))]
        yield text[:m.start()].count("\n") + 1, code


def test_code_cells_are_at_most_ten_lines():
    """DEVELOPERS.md: cells of at most 10 lines; longer logic lives in the package, where it is tested."""
    long = [f"{p.name}:{line} ({len(code)} lines)" for p in sorted((ROOT / "book").glob("[0-9][0-9]*.md"))
            for line, code in _code_cells(p) if len(code) > 10]
    assert not long, long
