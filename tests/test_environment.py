"""pyproject.toml states ranges, the lock (.ci/constraints.txt) pins every package of every extra inside them,
and environment.yml (conda/Binder) installs from the lock."""

import pathlib
import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = ("torch", "symbolic", "plot", "course", "hf", "book", "test", "lab", "bench", "all")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements():
    reqs = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in PROJECT["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    return [r for r in reqs if _norm(r.name) != "semtheory"]


def _lock() -> dict[str, str]:
    lock = {}
    for line in (ROOT / ".ci" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, ver = line.split("==", 1)
            lock[_norm(name)] = ver.strip()
    return lock


def test_core_is_numpy_and_scipy_and_the_extras_exist():
    assert {_norm(Requirement(r).name) for r in PROJECT["dependencies"]} == {"numpy", "scipy"}
    assert set(PROJECT["optional-dependencies"]) == set(EXTRAS)
    every = Requirement(PROJECT["optional-dependencies"]["all"][0])
    assert set(every.extras) == set(EXTRAS) - {"all"}


def test_pyproject_states_ranges_not_pins():
    for r in _requirements():
        assert r.specifier and not any(s.operator == "==" for s in r.specifier), f"{r} is not a range"


def test_lock_satisfies_every_range_and_covers_every_extra():
    lock = _lock()
    for r in _requirements():
        name = _norm(r.name)
        assert name in lock, f"{r.name} (in pyproject.toml) is missing from the lock"
        assert r.specifier.contains(Version(lock[name]), prereleases=True), f"lock pins {name}=={lock[name]}, outside {r}"
    assert Version(lock["torch"]).public == "2.13.0"  # the CPU wheel on this project's machines (see the lock's header)


def test_environment_yml_installs_from_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip == ["-c .ci/constraints.txt", "-e .[all]"]
    assert ">=3.11" in PROJECT["requires-python"]
