r"""The book's chapters as data: what each one computes, what it builds on, and suggested course paths.

The preface draws its concept map from :data:`CHAPTERS` (:func:`plot_concept_map`) and checks its course
paths against the prerequisites (:func:`check_path`), so the map and the paths cannot drift from each
other; ``tests/test_chapters.py`` checks the titles and modules against the book's files.  No units.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping, NamedTuple, Sequence

if TYPE_CHECKING:
    import os

    from matplotlib.axes import Axes

__all__ = ["Chapter", "CHAPTERS", "COURSE_PATHS", "chapter", "prerequisites", "check_path", "concept_edges",
           "plot_concept_map", "reading_minutes", "count_exercises", "study_tables", "semester_plan",
           "semester_table"]


class Chapter(NamedTuple):
    """One chapter: its number, short title, package modules, central objects and direct prerequisites.

    ``requires`` lists every earlier chapter from Chapter 3 on whose definitions, theorems or package
    functions the chapter uses directly (an import of its module, or a result it builds on), including those
    already implied by another listed chapter; a pointer ("chapter 5 discusses ...") is not a use. The
    toolkit of Chapters 1 and 2, used almost everywhere, is listed only where it is the main prerequisite.
    A chapter may also call a *later* chapter's function (chapter 5 uses chapter 9's information-bottleneck
    solver); the map cannot draw that, since prerequisites point backwards.

    Attributes
    ----------
    number : int
        The chapter number, 1 to 17.
    title : str
        Its short title.
    modules : tuple of str
        The package modules it introduces or uses most.
    objects : str
        Its central objects, in words.
    requires : tuple of int
        Its direct prerequisites (chapter numbers).
    part : str
        The part of the book it belongs to.
    """

    number: int
    title: str
    modules: tuple[str, ...]
    objects: str
    requires: tuple[int, ...]
    part: str


#: The book's chapters, in order (one :class:`Chapter` each).
CHAPTERS: tuple[Chapter, ...] = (
    Chapter(1, "From bits to tokens", ("tokens", "sources"), "tokens, bits per byte, entropy rate", (), "I"),
    Chapter(2, "The information toolkit", ("measures",), "entropy, mutual information, KL", (1,), "I"),
    Chapter(3, "Directed information", ("directed", "gaussian", "diestimate"),
            "directed information, causal conditioning", (2,), "I"),
    Chapter(4, "The probabilistic model of an LLM", ("channel",), "the LLM as a channel, Boltzmann laws",
            (1, 3), "II"),
    Chapter(5, "Pre-training", ("ratedistortion",), "directed rate-distortion", (3, 4), "II"),
    Chapter(6, "Post-training", ("ratereward",), "directed rate-reward", (3, 4, 5), "II"),
    Chapter(7, "Inference", ("flow",), "information flow, a sub-martingale", (3, 4), "II"),
    Chapter(8, "Granger and Pearl", ("granger",), "Granger causality, transfer entropy, the ladder", (3, 4, 7),
            "II"),
    Chapter(9, "Token embedding", ("embedding",), "PMI, InfoNCE, the information bottleneck", (2, 4), "III"),
    Chapter(10, "The AR-LLM and the Transformer", ("energy", "transformer"), "Hopfield energy, attention",
            (4, 8, 9), "IV"),
    Chapter(11, "The ELBO", ("elbo",), "evidence lower bound", (2, 3, 5, 10), "IV"),
    Chapter(12, "Generalisation", ("generalization",), "information-theoretic bounds", (2, 10), "IV"),
    Chapter(13, "Memory capacity", ("capacity",), "Cover, Gardner, Hopfield", (10,), "IV"),
    Chapter(14, "Semantic measures", ("semantic",), "measures of a trained Transformer", (3, 4, 7, 10),
            "IV"),
    Chapter(15, "Mamba", ("ssm",), "selective state spaces, finite-state channels", (4, 10), "V"),
    Chapter(16, "LLaDA", ("diffusion",), "masked diffusion, any-order ELBO", (3, 4, 10, 11),
            "V"),
    Chapter(17, "Conclusion", ("synthesis",), "limits of token-level reasoning",
            (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), "V"),
)

#: Suggested paths through the book: name -> chapters in reading order.
COURSE_PATHS: dict[str, tuple[int, ...]] = {
    "one-semester course": tuple(range(1, 18)),
    "short course on directed information and feedback": (1, 2, 3, 4, 7, 8),
    "reading path for machine-learning readers": (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 15, 16),
}


def chapter(number: int) -> Chapter:
    """The chapter numbered ``number`` (1 to 17).

    Parameters
    ----------
    number : int
        A chapter number, 1 to 17.

    Returns
    -------
    Chapter
        Its record.

    Examples
    --------
    >>> chapter(3).number
    3
    """
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f"number must be an int, got {number!r}")
    for c in CHAPTERS:
        if c.number == number:
            return c
    raise ValueError(f"number must be a chapter number 1 to {len(CHAPTERS)}, got {number}")


def prerequisites(number: int) -> tuple[int, ...]:
    """Every chapter that chapter ``number`` builds on, directly or through others, in increasing order.

    Parameters
    ----------
    number : int
        A chapter number, 1 to 17.

    Returns
    -------
    tuple of int
        The transitive prerequisites, in increasing order.
    """
    seen: set[int] = set()
    todo = list(chapter(number).requires)
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(chapter(c).requires)
    return tuple(sorted(seen))


def check_path(path: Sequence[int]) -> tuple[int, ...]:
    """The chapters that ``path`` (a sequence of chapter numbers) needs but does not contain.

    Raises ``ValueError`` if a chapter comes before one of its prerequisites in the path.

    Parameters
    ----------
    path : sequence of int
        Chapter numbers in reading order.

    Returns
    -------
    tuple of int
        The prerequisites that the path lacks (empty when it is self-contained).
    """
    path = tuple(chapter(int(n)).number for n in path)
    where = {n: i for i, n in enumerate(path)}
    missing: set[int] = set()
    for i, n in enumerate(path):
        for r in prerequisites(n):
            if r not in where:
                missing.add(r)
            elif where[r] > i:
                raise ValueError(f"path reads chapter {n} before its prerequisite {r}")
    return tuple(sorted(missing))


def concept_edges() -> list[tuple[int, int]]:
    """The direct dependencies ``(prerequisite, chapter)`` of the concept map.

    Returns
    -------
    list of (int, int)
        ``(prerequisite, chapter)`` pairs.
    """
    return [(r, c.number) for c in CHAPTERS for r in c.requires]


def _positions() -> dict[int, tuple[float, float]]:
    """One row per part (Part I on top), chapters left to right in reading order, rows centred."""
    rows: dict[str, list[int]] = {}
    for c in CHAPTERS:
        rows.setdefault(c.part, []).append(c.number)
    pos = {}
    for i, (part, members) in enumerate(rows.items()):
        for k, n in enumerate(members):
            pos[n] = (k - (len(members) - 1) / 2, -float(i))
    return pos


def plot_concept_map(ax: Axes | None = None) -> Axes:
    """Draw the concept map: one box per chapter (number, title, central objects), arrows for ``requires``.

    One row per part, chapters in reading order. Needs matplotlib (``plot`` extra). Returns the axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import textwrap

    from .plotting import COLORS, figure

    if ax is None:
        _, ax = figure(width=6.4, height=5.0)
    pos = _positions()
    part_colour = {"I": COLORS["entropy"], "II": COLORS["di"], "III": COLORS["accent"], "IV": COLORS["mi"],
                   "V": COLORS["reverse"]}
    for r, n in concept_edges():
        (x0, y0), (x1, y1) = pos[r], pos[n]
        bend = 0.0 if y0 != y1 else (0.35 if abs(x1 - x0) > 1 else 0.0)
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=COLORS["bound"], lw=0.6, alpha=0.55,
                                    shrinkA=17, shrinkB=17, connectionstyle=f"arc3,rad={bend}"))
    for c in CHAPTERS:
        x, y = pos[c.number]
        label = "\n".join(textwrap.wrap(f"{c.number}. {c.title}", 20) + textwrap.wrap(c.objects, 22))
        ax.text(x, y, label, ha="center", va="center", fontsize=5.6, linespacing=1.1,
                bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=part_colour[c.part], lw=1.1))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set(xlim=(min(xs) - 0.55, max(xs) + 0.55), ylim=(min(ys) - 0.45, max(ys) + 0.45))
    ax.axis("off")
    for part, col in part_colour.items():
        ax.plot([], [], "s", color=col, label=f"Part {part}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=5, fontsize=7)
    return ax


_CODE = re.compile(r"^```\{code-cell\}.*?^```|^---\n.*?^---\n|^\$\$.*?^\$\$", re.S | re.M)
#: An exercise or solution block, up to the closing fence of the same length (a solution's inner code fences
#: are shorter, so they do not close it).
_EXERCISE = re.compile(r"^(`{3,}|:{3,})\{(?:exercise|solution)\}.*?^\1[ \t]*$", re.S | re.M)


def reading_minutes(text: str, *, words_per_minute: int = 200) -> float:
    """Minutes to read the prose of a MyST chapter ``text``: words outside code cells, front matter,
    display math, exercises and their solutions, at ``words_per_minute`` (200, myst-parser's default).

    Parameters
    ----------
    text : str
        The source of a MyST chapter.
    words_per_minute : int, keyword-only, default 200
        Reading speed.

    Returns
    -------
    float
        Reading time, in minutes.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if isinstance(words_per_minute, bool) or not isinstance(words_per_minute, int) or words_per_minute <= 0:
        raise ValueError(f"words_per_minute must be a positive int, got {words_per_minute!r}")
    return len(_CODE.sub(" ", _EXERCISE.sub(" ", text)).split()) / words_per_minute


def count_exercises(text: str) -> int:
    """The number of ``exercise`` blocks in a MyST chapter ``text``.

    Parameters
    ----------
    text : str
        The source of a MyST chapter.

    Returns
    -------
    int
        The number of exercises.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    return len(re.findall(r"^`{3,}\{exercise\}", text, re.M))


def _chapter_texts(folder) -> dict[int, str]:
    """Chapter number -> the text of its files ``NN-*.md`` and section pages ``NNb-*.md`` in ``folder``."""
    import pathlib

    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder must be a directory, got {str(folder)!r}")
    texts = {}
    for c in CHAPTERS:
        found = sorted(folder.glob(f"{c.number:02d}-*.md")) + sorted(folder.glob(f"{c.number:02d}[b-z]-*.md"))
        texts[c.number] = "\n".join(f.read_text() for f in found)  # the chapter page and its section pages
    return texts


def semester_plan(minutes: Mapping[int, float], weeks: int) -> list[tuple[int, ...]]:
    r"""Split the one-semester path into ``weeks`` consecutive groups of chapters, one group a week.

    Among all splits of the path, in reading order, into ``weeks`` non-empty groups :math:`G_1, \dots, G_w`,
    returns one that minimises the longest week :math:`\max_i \sum_{c \in G_i} m_c` (dynamic programming
    over the cut points). Used by the preface.

    Parameters
    ----------
    minutes : mapping
        Chapter number -> reading minutes :math:`m_c` (finite, non-negative), e.g. from :func:`reading_minutes`.
    weeks : int
        Number of weeks, from 1 to the number of chapters of the path.

    Returns
    -------
    list of tuple of int
        The chapters of each week, in order.
    """
    path = COURSE_PATHS["one-semester course"]
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= len(path):
        raise ValueError(f"weeks must be an int from 1 to {len(path)}, got {weeks!r}")
    try:
        m = [float(minutes[n]) for n in path]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"minutes must map every chapter 1 to {len(path)} to a number: {exc}") from None
    if any(not x >= 0 or x == float("inf") for x in m):
        raise ValueError("minutes must be finite and non-negative")
    n, inf = len(m), float("inf")
    best = [[inf] * (n + 1) for _ in range(weeks + 1)]   # best[w][i]: longest week, first i chapters in w weeks
    cut = [[0] * (n + 1) for _ in range(weeks + 1)]
    best[0][0] = 0.0
    for w in range(1, weeks + 1):
        for i in range(w, n + 1):
            for j in range(w - 1, i):
                cost = max(best[w - 1][j], sum(m[j:i]))
                if cost < best[w][i]:
                    best[w][i], cut[w][i] = cost, j
    groups, i = [], n
    for w in range(weeks, 0, -1):
        groups.append(path[cut[w][i]:i])
        i = cut[w][i]
    return groups[::-1]


def semester_table(folder: str | os.PathLike[str] = ".", weeks: int = 14) -> str:
    """A Markdown table of :func:`semester_plan` for the chapter files in ``folder``.

    Parameters
    ----------
    folder : path-like
        The folder holding the chapter files ``NN-*.md`` (and section pages ``NNb-*.md``).
    weeks : int
        Number of weeks (default 14).

    Returns
    -------
    str
        One row per week: its number, its chapters and their reading time in minutes.
    """
    texts = _chapter_texts(folder)
    minutes = {n: reading_minutes(t) for n, t in texts.items()}
    rows = ["| week | chapters | reading (min) |", "|---|---|---|"]
    for w, group in enumerate(semester_plan(minutes, weeks), start=1):
        rows.append(f"| {w} | {', '.join(map(str, group))} | {sum(minutes[c] for c in group):.0f} |")
    return "\n".join(rows)


def study_tables(folder: str | os.PathLike[str] = ".") -> tuple[str, str]:
    """Two Markdown tables for the preface, from the chapter files ``NN-*.md`` found in ``folder``.

    The first has one row per course path (chapters, reading hours, exercises, missing prerequisites), the
    second one row per chapter (reading minutes, exercises). Chapters without a file count zero.

    Parameters
    ----------
    folder : path-like, default "."
        The folder holding the chapter files.

    Returns
    -------
    paths : str
        The course-path table (Markdown).
    chapters : str
        The per-chapter table (Markdown).
    """
    texts = _chapter_texts(folder)
    minutes = {n: reading_minutes(t) for n, t in texts.items()}
    exercises = {n: count_exercises(t) for n, t in texts.items()}
    paths = ["| path | chapters | reading time | exercises | missing prerequisites |", "|---|---|---|---|---|"]
    for name, path in COURSE_PATHS.items():
        missing = ", ".join(map(str, check_path(path))) or "none"
        paths.append(f"| {name} | {', '.join(map(str, path))} | {sum(minutes[n] for n in path) / 60:.0f} h | "
                     f"{sum(exercises[n] for n in path)} | {missing} |")
    rows = ["| chapter | reading (min) | exercises |", "|---|---|---|"]
    rows += [f"| {c.number}. {c.title} | {minutes[c.number]:.0f} | {exercises[c.number]} |" for c in CHAPTERS]
    return "\n".join(paths), "\n".join(rows)
