"""Rewrite every chapter (book/**/*.md with a jupytext header) in jupytext's canonical form under the
project's jupytext.toml, as JupyterLab would save it, so that a save without edits changes nothing.

    python tools/canonical.py [--check]
"""

from __future__ import annotations

import pathlib
import sys

import jupytext
from jupytext.config import load_jupytext_config

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: The kernelspec exactly as JupyterLab writes it when it saves a notebook run on ipykernel's python3 kernel
#: (keys in that order), so that a save does not rewrite the header.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def main(argv: list[str]) -> int:
    config = load_jupytext_config(str(ROOT / "book"))
    changed = []
    for p in sorted((ROOT / "book").rglob("*.md")):
        if ".ipynb_checkpoints" in p.parts:
            continue
        text = p.read_text()
        if not text.startswith("---\njupytext:"):
            continue
        nb = jupytext.reads(text, fmt="md:myst")
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        again = jupytext.writes(nb, fmt="md:myst", config=config)
        if again != text:
            changed.append(p)
            if "--check" not in argv:
                p.write_text(again)
    for p in changed:
        print(("not canonical: " if "--check" in argv else "rewritten: ") + str(p.relative_to(ROOT)))
    return 1 if changed and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
