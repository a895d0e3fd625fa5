"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/<name>.py``: this folder is on
``sys.path``).  Ratios are measured in one run; the best of ``repeats`` calls damps the machine's load."""

from __future__ import annotations

import math
import time


def best_time(fn, repeats: int) -> tuple[float, object]:
    """Best wall-clock time of ``repeats`` calls of ``fn`` and its (last) value."""
    best, val = math.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        val = fn()
        best = min(best, time.perf_counter() - t0)
    return best, val


def best_times(fns: dict, repeats: int) -> dict:
    """``{name: (best seconds, value)}``: the candidates timed in turn, ``repeats`` rounds (so load hits all alike)."""
    out = {k: (math.inf, None) for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            val = fn()
            dt = time.perf_counter() - t0
            out[k] = (min(out[k][0], dt), val)
    return out
