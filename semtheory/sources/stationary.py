r"""Stationary laws of Markov chains (chapter 1): the exact stationary law by a linear solve, and the lift of an
order-:math:`k` chain to a first-order chain on :math:`k`-tuples."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validate import as_stochastic
from ._common import MAX_STATES

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


def stationary_distribution(transition: ArrayLike) -> FloatArray:
    r"""The unique stationary law :math:`\pi = \pi P`, :math:`\sum_i \pi_i = 1`, of a row-stochastic matrix.

    Solved directly (least squares on the stacked system :math:`[P^\T - I;\ \mathbf 1^\T]\,\pi = [0; 1]`, which
    has full column rank exactly when :math:`\pi` is unique), not by power iteration, so periodic chains are
    fine.  Raises ``ValueError`` if that system is rank-deficient, which happens exactly when the chain has
    more than one closed communicating class (then the stationary law is not unique).  Chapter 1.

    Parameters
    ----------
    transition : array_like, shape (S, S)
        A row-stochastic matrix.

    Returns
    -------
    numpy.ndarray of float, shape (S,)
        The stationary pmf (probabilities).

    Examples
    --------
    >>> from semtheory.sources import stationary_distribution
    >>> stationary_distribution([[0.9, 0.1], [0.2, 0.8]]).round(4).tolist()
    [0.6667, 0.3333]
    """
    P = as_stochastic(transition, "transition")
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"transition must be a square matrix, got shape {P.shape}")
    S = P.shape[0]
    if S > MAX_STATES:
        raise ValueError(f"transition has {S} states, more than {MAX_STATES}")
    A = np.vstack([P.T - np.eye(S), np.ones((1, S))])
    b = np.zeros(S + 1)
    b[-1] = 1.0
    pi, _, rank, _ = np.linalg.lstsq(A, b, rcond=None)
    if rank < S:  # the null space of P^T - I has one dimension per closed class
        raise ValueError(f"transition has {S - rank + 1} closed classes: its stationary law is not unique")
    pi = np.where(pi < 0, 0.0, pi)  # round-off only: a stationary law is >= 0
    return pi / pi.sum()


def lifted_transition(transition: ArrayLike) -> FloatArray:
    r"""An order-:math:`k` table as a first-order chain on the :math:`V^k` states :math:`(v_1, \dots, v_k)`.

    :math:`M[(v_1 \dots v_k), (v_2 \dots v_k v)] = T[v_1, \dots, v_k, v]`, states in C order (the index of
    :math:`(v_1 \dots v_k)` is :math:`\sum_i v_i V^{k-i}`); every other entry is 0.  The stationary law of
    an order-:math:`k` source is the stationary law of this chain (:class:`MarkovSource`).  Chapter 1.

    Parameters
    ----------
    transition : array_like, shape (V,) * (k + 1)
        ``transition[v_1, ..., v_k, v]`` :math:`= P(x_t = v \mid v_1 \dots v_k)`; every last-axis slice a pmf.

    Returns
    -------
    numpy.ndarray of float, shape (V**k, V**k)
        A row-stochastic matrix (probabilities).

    Examples
    --------
    >>> from semtheory.sources import lifted_transition
    >>> lifted_transition([[0.9, 0.1], [0.2, 0.8]]).tolist()
    [[0.9, 0.1], [0.2, 0.8]]
    """
    T = as_stochastic(transition, "transition")
    V, k = T.shape[-1], T.ndim - 1
    if any(s != V for s in T.shape):
        raise ValueError(f"transition must have every axis of length V = {V} (shape (V,)*(k+1)), got {T.shape}")
    if V**k > MAX_STATES:
        raise ValueError(f"transition of order {k} over {V} symbols has {V**k} states, more than {MAX_STATES}")
    S = V**k
    M = np.zeros((S, S))
    flat = T.reshape(S, V)
    nxt = (np.arange(S)[:, None] * V + np.arange(V)[None, :]) % S
    np.put_along_axis(M, nxt, flat, axis=1)
    return M
