"""Directed information = transfer part + instantaneous part (Amblard & Michel; chapter 8)."""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from .. import directed
from .._validate import check_probability


# ----------------------------------------------------------------------------------------------
# Directed information = transfer part + instantaneous part (Amblard & Michel)
# ----------------------------------------------------------------------------------------------


class DIParts(NamedTuple):
    """Amblard–Michel split of Massey's directed information (units of the ``base`` used)."""

    transfer_terms: np.ndarray
    instantaneous_terms: np.ndarray
    transfer: float
    instantaneous: float
    directed: float
    residual: float


def di_decomposition(p, base=2) -> DIParts:
    r"""Directed information as transfer entropy plus instantaneous coupling (Amblard & Michel 2011).

    .. math:: I(X^n \to Y^n) = \sum_{t=1}^{n} I(X^{t-1}; Y_t \mid Y^{t-1}) + \sum_{t=1}^{n} I(X_t; Y_t \mid X^{t-1}, Y^{t-1})

    ``p`` is an exact joint pmf with axes :math:`X_1..X_n, Y_1..Y_n` (the layout of
    :mod:`semtheory.directed`).  The terms are :func:`semtheory.directed.amblard_michel_terms`
    (conditional mutual informations); ``directed`` is
    :func:`semtheory.directed.directed_information`, and ``residual = directed - transfer - instantaneous``
    is zero up to round-off (the chain rule of CMI, step by step).  Units of ``base``.  Chapter 8.
    """
    te, inst = directed.amblard_michel_terms(p, base)
    di = directed.directed_information(p, base)
    return DIParts(te, inst, float(te.sum()), float(inst.sum()), di, float(di - te.sum() - inst.sum()))


def coupled_pair_transition(lagged=0.7, flip=0.1) -> np.ndarray:
    r"""A binary Markov pair with both lagged and instantaneous coupling, ``transition[x, y, x2, y2]``.

    :math:`X_t` i.i.d. fair bits; :math:`Y_t = X_{t-1} \oplus N_t` with probability ``lagged`` and
    :math:`Y_t = X_t \oplus N_t` otherwise, :math:`N_t \sim \mathrm{Bern}(\text{flip})`.  Its directed
    information splits into a transfer part (from the lagged copy) and an instantaneous part (from the
    simultaneous copy).  For :func:`semtheory.directed.markov_pair_law`.  Chapter 8.
    """
    a = check_probability(lagged, "lagged")
    f = check_probability(flip, "flip")
    T = np.zeros((2, 2, 2, 2))
    for x, y, x2, y2 in itertools.product(range(2), repeat=4):
        def bsc(src):
            return 1 - f if y2 == src else f

        T[x, y, x2, y2] = 0.5 * (a * bsc(x) + (1 - a) * bsc(x2))
    return T
