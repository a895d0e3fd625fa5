"""Bad input over the whole public API (issue #16): a registry walk.

For every public function and class of every public module (tests/api_registry.py) the valid call must
succeed, and each probed argument, replaced by each bad value of its kind (one argument at a time), must
raise a ``ValueError`` whose message names that argument.  The walk is a fixed enumeration (no random
draws), so every run makes the same probes.  A public name that is neither registered nor exempt (with a
reason) fails :func:`test_registry_covers_public_api`.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import re
import warnings

import numpy as np
import pytest

import semtheory
from api_registry import EXEMPT, REGISTRY, XFAIL, A, Lazy, bad_values

SKIP_MODULES = {"exercises"}  # the exercise checker has its own hostile-answer tests (tests/test_exercises.py)


def public_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(semtheory.__path__)
                  if not m.name.startswith("_") and m.name not in SKIP_MODULES)


def public_names(modname: str) -> list[str]:
    """``__all__`` if defined, else the functions and classes defined in the module (no re-exports)."""
    mod = importlib.import_module(f"semtheory.{modname}")
    if hasattr(mod, "__all__"):
        return [f"{modname}.{n}" for n in mod.__all__]
    return [f"{modname}.{n}" for n, o in vars(mod).items()
            if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o))
            and getattr(o, "__module__", None) == mod.__name__]


def resolve(name: str):
    modname, attr = name.split(".", 1)
    return getattr(importlib.import_module(f"semtheory.{modname}"), attr)


def materialise(v):
    if isinstance(v, Lazy):
        return v.make()
    if isinstance(v, A):
        return materialise(v.value)
    return copy.deepcopy(v)


def call(entry, replace: tuple | None = None):
    fn = resolve(entry.name)
    args = [materialise(a) for a in entry.args]
    kwargs = {k: materialise(v) for k, v in entry.kwargs.items()}
    if replace is not None:
        where, value = replace
        if isinstance(where, int):
            args[where] = value
        else:
            kwargs[where] = value
    return fn(*args, **kwargs)


def probes(entry):
    """(argument name, position or keyword, label, bad value) for every probe of ``entry``."""
    fn = resolve(entry.name)
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    out = []
    for i, a in enumerate(entry.args):
        if isinstance(a, A):
            var = [q.name for q in params if q.kind == q.VAR_POSITIONAL]
            name = params[i].name if i < len(params) and params[i].kind != params[i].VAR_POSITIONAL else var[0]
            out += [(name, i, label, bad) for label, bad in bad_values(a)]
    for k, a in entry.kwargs.items():
        if isinstance(a, A):
            out += [(k, k, label, bad) for label, bad in bad_values(a)]
    return out


def names_argument(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


def run_probe(entry, argname, where, bad) -> str | None:
    """None when the probe raised a ValueError naming ``argname``; else what happened."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(entry, (where, bad))
    except ValueError as exc:
        return None if names_argument(str(exc), argname) else f"ValueError not naming {argname!r}: {exc}"
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"[:300]
    return "no error"


MODULES = public_modules()


@pytest.fixture(autouse=True)
def _registry_untouched(monkeypatch):
    """The valid call of ``symbolic.derivation`` registers a lambda: keep it out of the book's registry."""
    from semtheory import symbolic
    symbolic.registry()  # load every derivation first, so none registers into the copy only
    monkeypatch.setattr(symbolic, "_REGISTRY", dict(symbolic._REGISTRY))


def test_registry_covers_public_api():
    names = [n for m in MODULES for n in public_names(m)]
    missing = [n for n in names if n not in REGISTRY and n not in EXEMPT]
    assert not missing, f"public names neither registered nor exempt (add them to tests/api_registry.py): {missing}"
    stale = [n for n in list(REGISTRY) + list(EXEMPT) if n not in names]
    assert not stale, f"registered names that are not public any more: {stale}"
    assert all(isinstance(r, str) and len(r) > 10 for r in EXEMPT.values())
    print(f"\n{len(names)} public names: {len(REGISTRY)} registered, {len(EXEMPT)} exempt")


@pytest.mark.parametrize("modname", MODULES)
def test_valid_calls_succeed(modname):
    for name, entry in REGISTRY.items():
        if name.split(".")[0] == modname:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                call(entry)


@pytest.mark.parametrize("modname", MODULES)
def test_bad_input_raises_value_error_naming_argument(modname):
    n = passed = xfailed = xpassed = 0
    failures = []
    still_failing: dict[str, bool] = {}  # per listed (function, argument): does any of its probes still fail?
    for name, entry in REGISTRY.items():
        if name.split(".")[0] != modname:
            continue
        for argname, where, label, bad in probes(entry):
            n += 1
            outcome = run_probe(entry, argname, where, bad)
            key = f"{name}:{argname}"
            known = XFAIL.get(key)
            if known is not None:
                still_failing[key] = still_failing.get(key, False) or outcome is not None
            if outcome is None:
                passed += 1
                xpassed += known is not None
            elif known is not None:
                xfailed += 1
            else:
                failures.append(f"{name}({argname}={label}): {outcome}")
    stale = sorted(k for k, failing in still_failing.items() if not failing)
    print(f"\n{modname}: {n} probes, {passed} pass, {xfailed} xfail ({xpassed} listed as xfail now pass)")
    assert not failures, f"{len(failures)} probes failed:\n" + "\n".join(failures)
    assert not stale, f"xfails whose every probe now passes (delete them from tests/api_registry.py): {stale}"


def test_probe_count():
    counts = {m: 0 for m in MODULES}
    for name, entry in REGISTRY.items():
        counts[name.split(".")[0]] += len(probes(entry))
    total = sum(counts.values())
    xf = len(XFAIL)
    print(f"\nthe walk makes {total} probes over {len(REGISTRY)} registered names; {xf} (function, argument) xfails listed")
    assert total > 1000
    assert all(":" in k and k.split(":")[0] in REGISTRY for k in XFAIL), "an xfail names an unregistered function"
