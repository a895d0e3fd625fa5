"""Build tooling for the book (used by the Makefile and the book tests; not part of the teaching API).

python -m semtheory._booktools guard CACHE        clear CACHE when the package or the lock changed
python -m semtheory._booktools execute CACHE      execute every chapter of _toc.yml in parallel into CACHE
python -m semtheory._booktools times CACHE        print each chapter's execution seconds (from CACHE)
python -m semtheory._booktools check FILE.md      build a mini-book (preface + FILE + back matter) with -W
python -m semtheory._booktools toc                list the chapter files named in _toc.yml
"""

from __future__ import annotations

import hashlib
import logging
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


def check(md: pathlib.Path, root: pathlib.Path = ROOT) -> int:
    """Build the preface, one chapter and the back matter alone, with warnings as errors."""
    md = md.resolve()
    rel = md.relative_to(root).with_suffix("")
    out = root / "_build" / "check" / md.stem
    out.mkdir(parents=True, exist_ok=True)
    toc = out / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n"
        f"  - file: {rel.as_posix()}\n  - file: book/bibliography\n"
    )
    cfg = (root / "_config.yml").read_text()
    cfg = cfg.replace("cache: _build/.jupyter_cache", f"cache: _build/check/{md.stem}/.jupyter_cache")
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
    print(f"HTML: {out / '_build' / 'html' / (rel.as_posix() + '.html')}")
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
    if cmd == "check":
        return check(pathlib.Path(rest[0]))
    if cmd == "toc":
        print("\n".join(str(p.relative_to(ROOT)) for p in toc_files()))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
