"""The ``Examples`` sections of the package's docstrings run (numpydoc's doctests), module by module.

A module whose extra is not installed is skipped; an example sees its own module's names, as in the API
reference, where it is shown inside that module's page.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import semtheory

MODULES = sorted(m.name for m in pkgutil.walk_packages(semtheory.__path__, "semtheory.")
                 if not m.name.rsplit(".", 1)[-1].startswith("_") and ".exercises" not in m.name)


def test_the_package_has_examples():
    found = 0
    for name in MODULES:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        found += sum(len(t.examples) for t in doctest.DocTestFinder(exclude_empty=True).find(mod))
    assert found >= 5, found


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    try:
        mod = importlib.import_module(name)
    except ImportError as exc:
        pytest.skip(f"{name}: {exc}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples in {name} failed (run pytest -s to see them)"
