"""Directed information = transfer part + instantaneous part (Amblard & Michel; chapter 8)."""

from __future__ import annotations

import itertools

import numpy as np

from .._validate import check_probability


# ----------------------------------------------------------------------------------------------
# Directed information = transfer part + instantaneous part (Amblard & Michel)
# ----------------------------------------------------------------------------------------------


# The split itself is semtheory.directed.directed_information_decomposition (chapters 3 and 8); this part
# holds chapter 8's example pair.


def coupled_pair_transition(lagged: float = 0.7, flip: float = 0.1) -> np.ndarray:
    r"""A binary Markov pair with both lagged and instantaneous coupling, ``transition[x, y, x2, y2]``.

    :math:`X_t` i.i.d. fair bits; :math:`Y_t = X_{t-1} \oplus N_t` with probability ``lagged`` and
    :math:`Y_t = X_t \oplus N_t` otherwise, :math:`N_t \sim \mathrm{Bern}(\text{flip})`.  Its directed
    information splits into a transfer part (from the lagged copy) and an instantaneous part (from the
    simultaneous copy).  For :func:`semtheory.directed.markov_pair_law`.  Chapter 8.

    Parameters
    ----------
    lagged : float, default 0.7
        The probability that :math:`Y_t` copies :math:`X_{t-1}` rather than :math:`X_t`, in [0, 1].
    flip : float, default 0.1
        The crossover probability of the copy, in [0, 1].

    Returns
    -------
    ndarray, shape (2, 2, 2, 2)
        ``transition[x, y, x2, y2]`` = :math:`P(x_2, y_2 \mid x, y)`.
    """
    a = check_probability(lagged, "lagged")
    f = check_probability(flip, "flip")
    T = np.zeros((2, 2, 2, 2))
    for x, y, x2, y2 in itertools.product(range(2), repeat=4):
        def bsc(src):
            return 1 - f if y2 == src else f

        T[x, y, x2, y2] = 0.5 * (a * bsc(x) + (1 - a) * bsc(x2))
    return T
