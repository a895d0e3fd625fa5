"""Alt texts and captions hold no typed numbers (issue #18); a static check, no build.

* An alt text holds no digit at all: it is plain text (no glue is possible there), so a number in it is
  either left out or described in words ("rising", "below the fixed-length line").
* A caption holds no digit outside ``$...$`` / ``$$...$$`` math and outside MyST roles (``{glue:text}``,
  ``{eval}``, ``{numref}``, ``{cite:p}`` ... are generated text, not typed numbers).
* Not numbers, and so allowed in both: a digit inside a name (``NAMES``: Mamba-2, float32, GPT-2) and a
  cross-reference to a chapter or part ("chapter 3", "chapter 8's", "Part 4").

Sources checked in every chapter of the toc: the mystnb YAML metadata of code cells (``mystnb.image.alt``,
``mystnb.figure.caption``, and the ``image``/``figure`` keys at top level), the ``:alt:`` option and the caption
body of ``{figure}``/``{image}`` directives, and markdown images ``![alt](src)``.

Run ``python tests/test_alttext.py`` to list the offenders, per file, with their line numbers.
"""

from __future__ import annotations

import pathlib
import re
import sys

import pytest
import yaml

from tools.booktools import toc_files

ROOT = pathlib.Path(__file__).resolve().parent.parent

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_ROLE = re.compile(r"\{[A-Za-z][\w:.-]*\}`[^`]*`")
_DIGIT = re.compile(r"\d")
NAMES = ("Mamba-2", "float16", "float32", "float64", "int64", "GPT-2", "bfloat16")
_XREF = re.compile(r"\b(?:[Cc]hapters?|Part)\s+\d+(?:'s)?(?:\s*(?:,|and|to|-|–)\s*\d+(?:'s)?)*")
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n", re.M | re.S)
_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{(figure|image)\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(")


def chapters() -> list[pathlib.Path]:
    """Every markdown file of the toc (chapters, section pages, appendices, front and back matter)."""
    return toc_files(ROOT)


def strip_generated(text: str) -> str:
    """The caption with its math, its roles, names and chapter references removed: what is left was typed."""
    return allowed(_ROLE.sub(" ", _MATH.sub(" ", text)))


def allowed(text: str) -> str:
    """The text with names that hold digits and chapter cross-references removed."""
    for name in NAMES:
        text = text.replace(name, " ")
    return _XREF.sub(" ", text)


def probe(kind: str, text: str) -> str:
    """What must be digit-free: the whole alt text (bar names), or the hand-typed part of a caption."""
    return allowed(text) if kind == "alt" else strip_generated(text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _texts(md: str):
    """Yield (line, kind, text) for every alt text and caption of one chapter's source."""
    for m in _CELL.finditer(md):
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError:  # pragma: no cover - a broken cell fails the build anyway
            continue
        if not isinstance(meta, dict):
            continue
        line = _line(md, m.start(1))
        block = m.group(1).splitlines()
        for holder in (meta.get("mystnb") or {}, meta):
            if not isinstance(holder, dict):
                continue
            for section, key, kind in (("image", "alt", "alt"), ("figure", "caption", "caption")):
                value = (holder.get(section) or {}).get(key) if isinstance(holder.get(section), dict) else None
                if isinstance(value, str):
                    at = next((i for i, s in enumerate(block) if s.strip().startswith(key + ":")), 0)
                    yield line + at, kind, " ".join(value.split())
    for m in _DIRECTIVE.finditer(md):
        body, line = m.group(3), _line(md, m.start(3))
        lines = body.splitlines()
        opts = [i for i, s in enumerate(lines) if s.startswith(":") and not s.startswith(":::")]
        for i in opts:
            if lines[i].startswith(":alt:"):
                yield line + i, "alt", lines[i][len(":alt:"):].strip()
        caption = "\n".join(lines[max(opts) + 1 if opts else 0:]).strip()
        if m.group(2) == "figure" and caption:
            yield line + (max(opts) + 1 if opts else 0), "caption", " ".join(caption.split())
    for m in _MD_IMAGE.finditer(md):
        yield _line(md, m.start()), "alt", m.group(1)


def offenders(path: pathlib.Path) -> list[tuple[int, str, str]]:
    """(line, kind, text) of every alt text with a digit and every caption with a typed digit."""
    bad = []
    for line, kind, text in _texts(path.read_text()):
        if _DIGIT.search(probe(kind, text)):
            bad.append((line, kind, text))
    return bad


def _report(path: pathlib.Path, bad) -> str:
    rows = [f"{path.relative_to(ROOT)}:"]
    for line, kind, text in bad:
        digits = sorted({w for w in re.findall(r"\S*\d\S*", probe(kind, text))})
        rows.append(f"  line {line} ({kind}): typed {', '.join(digits)}\n    {text}")
    return "\n".join(rows)


@pytest.mark.parametrize("path", chapters(), ids=lambda p: p.name)
def test_no_typed_numbers_in_alt_texts_and_captions(path):
    bad = offenders(path)
    assert not bad, "typed numbers in alt text / caption (glue them or leave them out):\n" + _report(path, bad)


def test_the_check_can_fail():
    """The scanner sees alt texts and captions of every kind it claims to check."""
    md = (
        "```{code-cell} ipython3\n---\nmystnb:\n  image:\n    alt: A curve rising to 8 bits.\n"
        "  figure:\n    caption: At $n = 4$ the rate is {glue:text}`r:.2f`, in 3 rounds.\n    name: fig-x\n---\n"
        "x = 1\n```\n\n```{figure} a.png\n:alt: two curves\n:name: fig-y\n\nCaption with 12 typed.\n```\n"
        "\n![alt 5](b.png)\n"
    )
    got = list(_texts(md))
    assert [k for _, k, _ in got] == ["alt", "caption", "alt", "caption", "alt"]
    assert [bool(_DIGIT.search(probe(k, t))) for _, k, t in got] == [True, True, False, True, True]
    assert strip_generated("At $n = 4$ the rate is {glue:text}`r:.2f`.") == "At   the rate is  ."
    assert not _DIGIT.search(probe("alt", "Mamba-2 curves, as in chapter 3 and chapter 8's figure"))
    assert _DIGIT.search(probe("alt", "Mamba-2 curves at 3 sizes"))


if __name__ == "__main__":
    found = [(p, offenders(p)) for p in chapters()]
    found = [(p, b) for p, b in found if b]
    for p, b in found:
        print(_report(p, b))
    print(f"{sum(len(b) for _, b in found)} offending alt texts/captions in {len(found)} files")
    sys.exit(1 if found else 0)
