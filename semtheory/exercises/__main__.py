"""Command line of the exercise tools.

python -m semtheory.exercises grade SUBMISSIONS/ --out grades.csv [--timeout 60] [--jobs 2] [--answers my.py]
python -m semtheory.exercises list                 every registered (auto-checked) exercise, with units
python -m semtheory.exercises otter [--cell-timeout S] ARGS   otter-grader's command line (otter assign, otter run)
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["grade"]:
        from .grade import main as grade_main

        return grade_main(argv[1:])
    if argv[:1] == ["otter"]:
        from .export import otter_main

        return otter_main(argv[1:])
    if argv[:1] == ["list"]:
        from . import registered

        for label, a in registered().items():
            print(f"{label:40s} {a.chapter:6s} {a.units}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
