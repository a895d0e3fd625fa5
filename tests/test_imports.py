"""The package's import graph: no module uses another module's private names, and no chapter module imports a
later chapter's module (issue #15, "a core layer").

Every file of ``semtheory/`` is parsed with :mod:`ast` (nothing is imported but ``semtheory.chapters``, which
says which chapter each module belongs to).  An *edge* is an import of a ``semtheory`` module from another one,
at module level or inside a function (a lazy import is still a dependency).  Two rules:

* **Public names only.**  ``from .X import _name`` and ``X._name`` (``X`` a module the file imported) are
  refused across modules.  Allowed: the shared private modules ``_validate`` and ``_extras``, and the files of
  one subpackage among themselves (``semtheory.ratedistortion.blahut`` may use ``semtheory.ratedistortion._common``).
  :data:`PENDING_PRIVATE` lists the uses that remain; the test fails on a new one and on a stale entry, so the
  set can only shrink.
* **Chapters point backwards.**  A module of chapter *k* (``semtheory.chapters.CHAPTERS``; a subpackage's files
  belong to its chapter) imports no module of a later chapter.  The core layer (``semtheory.core``) and the
  private modules belong to no chapter, and the core imports no chapter module at all.
  :data:`PENDING_LATER_CHAPTER` lists the remaining exceptions, with the same stale-entry rule.

``python tests/test_imports.py`` prints the graph as text (for the closing note of issue #15).
"""

from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "semtheory"
ALLOWED_PRIVATE_MODULES = {"semtheory._validate", "semtheory._extras"}

#: Private cross-module uses still allowed, as "importer: target.name".  Empty: every module uses public names only.
PENDING_PRIVATE: set[str] = set()

#: Imports of a later chapter's module still allowed, as "importer -> target" (top-level module names).  Empty.
PENDING_LATER_CHAPTER: set[str] = set()


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = PACKAGE.parent / dotted.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute dotted name of ``from <.. level><module> import ...`` written in ``importer``."""
    if level == 0:
        return module or ""
    parts = importer.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([module] if module else []))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _same_subpackage(a: str, b: str) -> bool:
    pa, pb = a.split("."), b.split(".")
    return len(pa) > 1 and len(pb) > 1 and pa[:2] == pb[:2] and (
        _is_module(".".join(pa[:2])) and (PACKAGE.parent / pa[0] / pa[1] / "__init__.py").exists())


def scan() -> tuple[dict[str, dict[str, bool]], set[str]]:
    """(edges, private uses): ``edges[importer][target]`` is True for a module-level import, False for a lazy one."""
    edges: dict[str, dict[str, bool]] = {}
    private: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        me = module_name(path)
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top_level = {id(n) for n in tree.body}
        out = edges.setdefault(me, {})
        aliases: dict[str, str] = {}  # local name -> semtheory module it is bound to

        def add(target: str, node) -> None:
            if target.split(".")[0] == "semtheory" and target != me:
                out[target] = out.get(target, False) or id(node) in top_level

        def use(target: str, name: str) -> None:
            if _private(name) and target not in ALLOWED_PRIVATE_MODULES and target != me \
                    and not _same_subpackage(me, target):
                private.add(f"{me}: {target}.{name}")

        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = _resolve(me, is_pkg, node.level, node.module)
                if base.split(".")[0] != "semtheory":
                    continue
                for a in node.names:
                    full = f"{base}.{a.name}"
                    if _is_module(full):  # `from . import directed as _d`: the module itself
                        add(full, node)
                        aliases[a.asname or a.name] = full
                        if _private(a.name) and full not in ALLOWED_PRIVATE_MODULES and not _same_subpackage(me, full):
                            private.add(f"{me}: {full}")
                    else:
                        add(base, node)
                        use(base, a.name)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "semtheory":
                        add(a.name, node)
                        if a.asname:
                            aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                use(aliases[node.value.id], node.attr)
    return edges, private


def _chapter_of() -> dict[str, int]:
    sys.path.insert(0, str(ROOT))
    from semtheory.chapters import CHAPTERS

    return {f"semtheory.{m}": c.number for c in CHAPTERS for m in c.modules}


def _chapter(module: str, chapters: dict[str, int]) -> int | None:
    parts = module.split(".")
    return chapters.get(".".join(parts[:2])) if len(parts) > 1 else None


def later_chapter_imports(edges, chapters) -> set[str]:
    found = set()
    for me, targets in edges.items():
        k = _chapter(me, chapters)
        for t in targets:
            j = _chapter(t, chapters)
            top_me, top_t = ".".join(me.split(".")[:2]), ".".join(t.split(".")[:2])
            if k is not None and j is not None and j > k and top_me != top_t:
                found.add(f"{top_me} -> {top_t}")
    return found


EDGES, PRIVATE = scan()
CHAPTER_OF = _chapter_of()


def test_the_scan_sees_the_package():
    # the scan must find the known edges, or every other test here would pass vacuously
    assert "semtheory.core.models" in EDGES["semtheory.channel"]
    assert EDGES["semtheory.sources.markov"]["semtheory.core.models"] is True
    assert _chapter("semtheory.sources", CHAPTER_OF) == 1 and _chapter("semtheory.core.models", CHAPTER_OF) is None


def test_no_new_private_cross_imports():
    new = PRIVATE - PENDING_PRIVATE
    assert not new, f"modules use other modules' private names (make them public, e.g. in semtheory.core): {sorted(new)}"


def test_pending_private_uses_are_not_stale():
    stale = PENDING_PRIVATE - PRIVATE
    assert not stale, f"fixed: delete these from PENDING_PRIVATE in tests/test_imports.py: {sorted(stale)}"


def test_no_chapter_module_imports_a_later_chapter():
    found = later_chapter_imports(EDGES, CHAPTER_OF)
    new, stale = found - PENDING_LATER_CHAPTER, PENDING_LATER_CHAPTER - found
    assert not new, f"a chapter module imports a later chapter's module: {sorted(new)}"
    assert not stale, f"fixed: delete these from PENDING_LATER_CHAPTER in tests/test_imports.py: {sorted(stale)}"


def test_core_imports_no_chapter_module():
    bad = {f"{me} -> {t}" for me, ts in EDGES.items() if me.startswith("semtheory.core")
           for t in ts if _chapter(t, CHAPTER_OF) is not None}
    assert not bad, f"the core layer must not depend on a chapter module: {sorted(bad)}"


def test_chapter_one_builds_on_core_not_on_channel():
    for m in ("semtheory.sources", "semtheory.tokens"):
        assert "semtheory.channel" not in EDGES[m], f"{m} (chapter 1) imports semtheory.channel (chapter 4)"


def render() -> str:
    """The import graph as text: one line per module, its chapter, and the semtheory modules it imports
    (``*`` marks a lazy import, made inside a function)."""
    lines = []
    for me in sorted(EDGES):
        k = _chapter(me, CHAPTER_OF)
        label = f"ch{k}" if k is not None else "core" if me.startswith("semtheory.core") else "-"
        ts = ", ".join(t.removeprefix("semtheory.") + ("" if top else "*") for t, top in sorted(EDGES[me].items()))
        lines.append(f"{me.removeprefix('semtheory.') or 'semtheory'} [{label}]: {ts or '(nothing)'}")
    lines.append("")
    lines.append(f"private cross-module uses: {len(PRIVATE)} (pending: {len(PENDING_PRIVATE)})")
    lines += [f"  {p}" for p in sorted(PRIVATE)]
    later = later_chapter_imports(EDGES, CHAPTER_OF)
    lines.append(f"imports of a later chapter's module: {len(later)}")
    lines += [f"  {p}" for p in sorted(later)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
