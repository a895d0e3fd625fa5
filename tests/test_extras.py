"""Importing a module whose extra is missing fails with an ImportError that names the extra to install."""

import subprocess
import sys

import pytest

CASES = [
    ("matplotlib", "import semtheory.plotting", "semtheory[plot]"),
    ("sympy", "import semtheory.symbolic", "semtheory[symbolic]"),
    ("sympy", "from semtheory.symbolic import measures", "semtheory[symbolic]"),
    ("torch", "import semtheory.hf", "semtheory[hf]"),
    ("torch", "import semtheory.transformer", "semtheory[torch]"),
    ("torch", "import semtheory.ssm", "semtheory[torch]"),
    ("torch", "import semtheory.diffusion", "semtheory[torch]"),
    ("torch", "import semtheory.semantic", "semtheory[torch]"),
    ("nbclient", "from semtheory.exercises import grade; grade.grade('.')", "semtheory[course]"),
]


@pytest.mark.parametrize("missing, code, extra", CASES, ids=[c[1] for c in CASES])
def test_missing_extra_is_named(missing, code, extra):
    prog = f"import sys; sys.modules[{missing!r}] = None\n{code}"
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "ImportError" in r.stderr and f"pip install '{extra}'" in r.stderr, r.stderr[-800:]


def test_the_core_imports_without_any_extra():
    blocked = ["torch", "matplotlib", "sympy", "nbformat", "nbclient", "transformers"]
    prog = ("import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in blocked) +
            "from semtheory import measures, directed, ratedistortion\n"
            "print(measures.entropy([0.5, 0.5]))")
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "1.0", r.stderr[-800:]
