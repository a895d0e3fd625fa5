"""Rewrite chapters from myst-nb's glue role to the form that also renders in JupyterLab (issue #18).

    python tools/glue_to_eval.py book/11-elbo.md [more.md ...]      # rewrite in place
    python tools/glue_to_eval.py --check book/*.md                  # exit 1 if any would change

- ``{glue:text}`name:fmt``` and ``{glue:text}`name``` -> ``{eval}`glued("name:fmt")``` / ``{eval}`glued("name")```
  in markdown and in code-cell metadata (captions), never inside the code of a code cell;
- the import ``from myst_nb import glue`` (a whole line of code) -> ``from semtheory.glue import glue, glued``.

The web build pastes the same value with the same format (``EvalGlued`` in ``book/_ext/bookext.py``); in JupyterLab
jupyterlab-myst evaluates ``glued(...)`` in the kernel once the markdown cell has run (``semtheory.glue``).
Idempotent: a converted file is left as it is. Nothing else in the file changes.
"""

from __future__ import annotations

import pathlib
import re
import sys

ROLE = re.compile(r"\{glue:text\}`([^`]+)`")
OLD_IMPORT = "from myst_nb import glue"
NEW_IMPORT = "from semtheory.glue import glue, glued"
FENCE = re.compile(r"^(`{3,}|~{3,})\s*\{code-cell\}")


def expression(key: str) -> str:
    """``name:fmt`` -> ``glued("name:fmt")`` (a Python string literal that gives back ``key``)."""
    return f'glued("{key}")' if '"' not in key and "\\" not in key else f"glued({key!r})"


def _role(m: re.Match) -> str:
    return "{eval}`" + expression(m.group(1)) + "`"


def convert(text: str) -> str:
    """``text`` (a MyST notebook) with every glue text role converted and the glue import replaced."""
    out: list[str] = []
    fence, meta = None, False  # the open code-cell fence; inside its ``---`` metadata block
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if fence is None:
            m = FENCE.match(line)
            if m:
                fence, meta = m.group(1), i + 1 < len(lines) and lines[i + 1].strip() == "---"
                out.append(line)
                continue
            out.append(ROLE.sub(_role, line))
            continue
        if meta:
            if line.strip() == "---" and out and not FENCE.match(out[-1]):
                meta = False
            out.append(ROLE.sub(_role, line) if meta else line)
            continue
        if line.strip() == fence:
            fence = None
        elif line.strip() == OLD_IMPORT:
            line = line.replace(OLD_IMPORT, NEW_IMPORT)
        out.append(line)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [pathlib.Path(a) for a in argv if a != "--check"]
    if not paths:
        print(__doc__)
        return 2
    changed = []
    for p in paths:
        text = p.read_text()
        new = convert(text)
        if new != text:
            changed.append(p)
            if not check:
                p.write_text(new)
    for p in changed:
        print(("would convert: " if check else "converted: ") + str(p))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
