"""What the files of :mod:`semtheory.sources` share and users do not need: the dense-solve state limit, the
cumulative rows of the inverse-CDF samplers and the checks of ``n`` and ``temperature``."""

from __future__ import annotations

import numpy as np

from .._validate import check_int, check_positive

MAX_STATES = 2048  # largest state space (V**k for an order-k chain) whose stationary law is solved densely


def cum_rows(P: np.ndarray) -> list:
    c = np.cumsum(P, axis=-1)
    c[:, -1] = 1.0 + 1e-12  # so that a uniform draw in [0, 1) always lands in a row
    return [list(r) for r in c]


def check_n(n) -> int:
    return check_int(n, "n", minimum=0)


def check_temperature(temperature) -> float:
    return check_positive(temperature, "temperature")
