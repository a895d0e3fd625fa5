"""environment.yml (conda/Binder) and pyproject.toml pin the same packages; the lock agrees with both."""

import pathlib
import re
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower().replace("_", "-")


def _pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(data["dependencies"])
    for extra in ("book", "test", "lab"):
        reqs += data["optional-dependencies"][extra]
    return {_norm(r) for r in reqs}


def _environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_norm(r) for r in pip if not r.startswith("-e")}


def test_environment_yml_matches_pyproject():
    assert _environment() == _pyproject()


def test_every_pin_is_exact():
    for req in _pyproject():
        assert "==" in req, f"{req} is not pinned exactly"


def test_lock_agrees_with_pins():
    lock = {}
    for line in (ROOT / ".ci" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, ver = line.split("==", 1)
            lock[_norm(name)] = ver.strip()
    for req in _pyproject():
        name, ver = req.split("==")
        name = name.split("[")[0]
        if name in lock:
            assert lock[name] == ver, f"lock pins {name}=={lock[name]}, pyproject {ver}"
    assert lock["torch"] == "2.13.0"
    for core in ("numpy", "sympy", "jupyter-book", "sphinx", "myst-nb", "sphinx-proof", "sphinx-exercise"):
        assert core in lock, f"{core} missing from the lock"


def test_python_version_agrees():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert ">=3.11" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
