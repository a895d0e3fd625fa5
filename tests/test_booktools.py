"""Build tooling: the cache is cleared exactly when the package or the lock changes."""

import pathlib
import shutil

from tools import booktools as bt

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _fake_root(tmp_path):
    root = tmp_path / "repo"
    (root / "semtheory").mkdir(parents=True)
    (root / ".ci").mkdir()
    (root / "semtheory" / "m.py").write_text("x = 1\n")
    (root / "pyproject.toml").write_text("[project]\n")
    (root / ".ci" / "constraints.txt").write_text("numpy==1\n")
    return root


def test_hash_changes_with_package_and_lock(tmp_path):
    root = _fake_root(tmp_path)
    h0 = bt.source_hash(root)
    assert bt.source_hash(root) == h0
    (root / "semtheory" / "m.py").write_text("x = 2\n")
    h1 = bt.source_hash(root)
    assert h1 != h0
    (root / ".ci" / "constraints.txt").write_text("numpy==2\n")
    assert bt.source_hash(root) != h1


def test_guard_clears_stale_cache_only(tmp_path):
    root = _fake_root(tmp_path)
    cache = root / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    (cache / "db").write_text("old")
    (root / "_build" / ".doctrees").mkdir()
    assert bt.guard(cache, root) is True          # no stamp yet: outputs of unknown provenance
    assert not cache.exists() and not (root / "_build" / ".doctrees").exists()
    cache.mkdir()
    (cache / "db").write_text("new")
    assert bt.guard(cache, root) is False         # same package: keep
    assert (cache / "db").exists()
    (root / "semtheory" / "m.py").write_text("x = 3\n")
    assert bt.guard(cache, root) is True          # package changed: clear
    assert not cache.exists()


def test_toc_files_exist_and_start_with_preface():
    files = bt.toc_files()
    assert files[0].name == "intro.md"
    assert all(f.exists() for f in files)
    assert set(bt.notebooks()) <= set(files)
    shutil.rmtree(ROOT / "_build" / "nonexistent", ignore_errors=True)


def test_strip_glue_hides_bookkeeping_and_keeps_what_teaches():
    from bookext import strip_glue

    cell = (
        "from myst_nb import glue\n"
        "h = entropy(p)\n"
        'glue("h", h, display=False)\n'
        "for i, t in enumerate(terms):\n"
        '    glue(f"t{i}", t, display=False)\n'
        'glue("long", sum(\n    terms), display=False)\n'
        "print(h)\n"
    )
    assert strip_glue(cell) == "h = entropy(p)\nprint(h)"
    # a cell of nothing but glue (and comments) disappears
    assert strip_glue('# numbers for the prose\nglue("a", 1, display=False)\nglue("b", 2)') == ""
    # a loop that also computes keeps its computation and loses its glue; code that is not Python stays
    loop = "for t in ts:\n    x = f(t)\n    glue(str(t), x)"
    assert strip_glue(loop) == "for t in ts:\n    x = f(t)"
    assert strip_glue('%time glue("a", 1)') == '%time glue("a", 1)'
    # a call of something merely named like glue is not bookkeeping
    assert strip_glue("obj.glue(1)\nglued(2)") == "obj.glue(1)\nglued(2)"
