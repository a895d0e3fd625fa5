"""Build tooling for the book (used by the Makefile and the book tests; not part of the teaching API).

python -m tools.booktools guard CACHE        clear CACHE when the package or the lock changed
python -m tools.booktools execute CACHE      execute every chapter of _toc.yml in parallel into CACHE
python -m tools.booktools times CACHE        print each chapter's execution seconds (from CACHE)
python -m tools.booktools check FILE.md      build a mini-book (preface + FILE's chapter + back matter) with -W
python -m tools.booktools toc                list the chapter files named in _toc.yml

A chapter is one page ``book/NN-name.md`` or, when it would grow past about 900 lines, that page plus
section pages ``book/NNb-name.md``, ``book/NNc-name.md``, ... listed under ``sections:`` of the chapter in
``_toc.yml``. Section pages are numbered within their chapter (Theorem 8.k on any page of chapter 8); each is a
self-contained notebook (own macro cell and imports). :func:`chapter_pages` groups the pages.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 120


def toc_files(root: pathlib.Path = ROOT) -> list[pathlib.Path]:
    """Every document listed in ``_toc.yml`` (root first), as paths to existing ``.md`` files."""
    text = (root / "_toc.yml").read_text()
    names = re.findall(r"^root:\s*(\S+)", text, re.M) + re.findall(r"file:\s*(\S+)", text)
    out = []
    for n in names:
        p = root / (n if n.endswith(".md") else n + ".md")
        if p.exists():
            out.append(p)
    return out


SECTION_RE = re.compile(r"^(\d{2})([b-z])-")
CHAPTER_RE = re.compile(r"^(\d{2})-")


def is_section(path: pathlib.Path) -> bool:
    """Whether ``path`` is a section page ``NNx-name.md`` (x a letter b-z) of chapter NN."""
    return bool(SECTION_RE.match(pathlib.Path(path).name))


def chapter_pages(root: pathlib.Path = ROOT) -> dict[pathlib.Path, list[pathlib.Path]]:
    """Each chapter page of the toc (``NN-name.md``) -> its pages in reading order: itself, then its sections.

    The sections are the toc's ``NNx-name.md`` pages of the same number that follow the chapter.
    """
    out: dict[pathlib.Path, list[pathlib.Path]] = {}
    current = None
    for p in toc_files(root):
        if CHAPTER_RE.match(p.name):
            current = p
            out[p] = [p]
        elif is_section(p):
            if current is None or current.name[:2] != p.name[:2]:
                raise ValueError(f"section page {p.name} does not follow its chapter {p.name[:2]}-*.md in _toc.yml")
            out[current].append(p)
    return out


def chapter_of(path: pathlib.Path, root: pathlib.Path = ROOT) -> pathlib.Path:
    """The chapter page of a page (itself for a chapter page or any other toc document)."""
    path = pathlib.Path(path).resolve()
    for chap, pages in chapter_pages(root).items():
        if path in [q.resolve() for q in pages]:
            return chap
    return path


def notebooks(root: pathlib.Path = ROOT) -> list[pathlib.Path]:
    """The documents of the toc that carry code (a jupytext header): the ones that get executed."""
    return [p for p in toc_files(root) if p.read_text().startswith("---\njupytext:")]


def source_hash(root: pathlib.Path = ROOT) -> str:
    """SHA-256 of the package sources and the pins: cached outputs are valid only for this hash."""
    h = hashlib.sha256()
    files = sorted((root / "semtheory").rglob("*.py")) + [root / "pyproject.toml", root / ".ci" / "constraints.txt"]
    for f in files:
        if f.exists():
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def guard(cache: pathlib.Path, root: pathlib.Path = ROOT) -> bool:
    """Clear ``cache`` if the package or lock changed since it was filled; return True if cleared."""
    stamp = cache.parent / (cache.name + ".hash")
    now = source_hash(root)
    if cache.exists() and (not stamp.exists() or stamp.read_text().strip() != now):
        shutil.rmtree(cache)
        # Sphinx would otherwise keep the pages it rendered from the stale outputs.
        for stale in (".doctrees", "jupyter_execute"):
            shutil.rmtree(cache.parent / stale, ignore_errors=True)
        cleared = True
    else:
        cleared = False
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(now + "\n")
    return cleared


def execute(cache: pathlib.Path, files: list[pathlib.Path] | None = None, executor: str = "local-parallel") -> int:
    """Execute the given chapters (default: all of the toc) into the jupyter-cache at ``cache``."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    logging.basicConfig(level=logging.WARNING)
    # Chapters run side by side, one kernel per core: one BLAS thread each, or the kernels' BLAS pools fight
    # for the cores (three ch09 cells cost 3.3, 3.2 and 2.1 s of CPU instead of 0.16, 0.21 and 0.33 s on the
    # loaded 2-core machine).  The kernels inherit the environment; a value the user set is kept.  torch's
    # threads are the chapters' own business (core.torchloop.one_thread).
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    db = get_cache(str(cache))
    files = notebooks() if files is None else files
    for f in files:
        db.add_nb_to_project(str(f.resolve()), read_data={"name": "myst_nb_md", "type": "plugin"})
    ex = load_executor(executor, db, logger=logging.getLogger("semtheory.execute"))
    res = ex.run_and_cache(filter_uris=[str(f.resolve()) for f in files], timeout=CELL_TIMEOUT)
    bad = res.excepted + res.errored
    for uri in bad:
        rec = db.get_project_record(uri)
        print(f"\n=== FAILED: {uri}\n{rec.traceback or ''}", file=sys.stderr)
    return 1 if bad else 0


def times(cache: pathlib.Path) -> dict[str, float]:
    """Execution seconds of every cached chapter, keyed by file name (from the cache database)."""
    from jupyter_cache import get_cache

    db = get_cache(str(cache))
    out = {}
    for rec in db.list_project_records():
        try:
            cached = db.get_cached_project_nb(rec.uri)
        except Exception:
            cached = None
        if cached is not None:
            out[pathlib.Path(rec.uri).name] = float(cached.data.get("execution_seconds", float("nan")))
    return out


def localise_config(text: str, root: pathlib.Path = ROOT) -> str:
    """``_config.yml``'s text for a copy written elsewhere: the ``local_extensions`` paths made absolute.

    Jupyter Book resolves a local extension's path against the folder of the config file it reads, so a
    copy under ``_build/`` would not find ``book/_ext`` (the book's own Sphinx extensions).
    """
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        if re.match(r"^\s+local_extensions:\s*$", line):
            inside = True
        elif inside and (m := re.match(r"^(\s+[\w.]+:\s*)(\S+)(.*)$", line, re.S)) and len(m.group(1)) > 4:
            line = m.group(1) + str((root / m.group(2)).resolve()) + m.group(3)
        elif inside and not line.lstrip().startswith("#"):
            inside = False
        out.append(line)
    return "".join(out)


def check(md: pathlib.Path, root: pathlib.Path = ROOT) -> int:
    """Build the preface, one chapter (all its pages, whichever of them ``md`` is) and the back matter alone,
    with warnings as errors."""
    md = md.resolve()
    chap = chapter_of(md, root).resolve()
    pages = next((ps for c, ps in chapter_pages(root).items() if c.resolve() == chap), [chap])
    rel = [p.resolve().relative_to(root).with_suffix("").as_posix() for p in pages]
    out = root / "_build" / "check" / chap.stem
    out.mkdir(parents=True, exist_ok=True)
    toc = out / "_toc.yml"
    entry = f"  - file: {rel[0]}\n"
    if rel[1:]:
        entry += "    sections:\n" + "".join(f"      - file: {r}\n" for r in rel[1:])
    toc.write_text("format: jb-book\nroot: book/intro\nchapters:\n" + entry + "  - file: book/bibliography\n")
    cfg = (root / "_config.yml").read_text()
    cfg = cfg.replace("cache: _build/.jupyter_cache", f"cache: _build/check/{chap.stem}/.jupyter_cache")
    cfg = localise_config(cfg, root)
    (out / "_config.yml").write_text(cfg)
    guard(out / ".jupyter_cache", root)
    cmd = [
        str(pathlib.Path(sys.executable).parent / "jupyter-book"), "build", str(root), "--toc", str(toc),
        "--config", str(out / "_config.yml"), "--path-output", str(out), "--all", "-W", "-n", "--keep-going",
    ]
    r = subprocess.run(cmd, cwd=root)
    t = times(out / ".jupyter_cache")
    for k, v in t.items():
        print(f"execution seconds: {k}: {v:.1f}")
    for r_ in rel:
        print(f"HTML: {out / '_build' / 'html' / (r_ + '.html')}")
    return r.returncode


def main(argv: list[str]) -> int:  # pragma: no cover - thin CLI
    if not argv:
        print(__doc__)
        return 2
    cmd, *rest = argv
    if cmd == "guard":
        cleared = guard(pathlib.Path(rest[0]))
        print("cache cleared: package or lock changed" if cleared else "cache valid for this package and lock")
        return 0
    if cmd == "execute":
        return execute(pathlib.Path(rest[0]), [pathlib.Path(r) for r in rest[1:]] or None)
    if cmd == "times":
        for k, v in sorted(times(pathlib.Path(rest[0])).items()):
            print(f"{k:45s} {v:7.1f} s")
        return 0
    if cmd == "check":  # a path, or a chapter number: `make chapter CH=05` or `CH=book/05-….md`
        arg = rest[0]
        if re.fullmatch(r"\d{1,2}", arg):
            found = sorted((ROOT / "book").glob(f"{int(arg):02d}-*.md"))
            if not found:
                print(f"no chapter {arg} in book/")
                return 2
            arg = str(found[0])
        return check(pathlib.Path(arg))
    if cmd == "toc":
        print("\n".join(str(p.relative_to(ROOT)) for p in toc_files()))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
