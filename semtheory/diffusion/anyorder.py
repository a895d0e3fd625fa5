"""Any-order autoregression: the law of one generation order, the any-order loss (equal to the LLaDA loss),
the order mixture and the chain of losses down to the entropy.  Chapter 16 (see :mod:`semtheory.diffusion`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .. import measures
from .._validate import as_token_ids
from ..core.types import ArrayLike, FloatArray
from ._common import all_sequences, check_order, check_pair, check_table, flat_table, row_index
from .loss import llada_loss


def _order_logprob(qf: np.ndarray, X: np.ndarray, order, n: int, V: int) -> np.ndarray:
    # the row of z in the flattened table (row_index), kept up to date: unmasking position i moves it by
    # (x_i - V) (V+1)^(n-1-i)
    row = np.full(X.shape[0], row_index(np.full(n, V), n, V), dtype=np.int64)
    out = np.zeros(X.shape[0])
    for i in order:
        with np.errstate(divide="ignore"):
            out += np.log(qf[row, i, X[:, i]])
        row += (X[:, i] - V) * (V + 1) ** (n - 1 - i)
    return out


def _order_laws(q: np.ndarray, n: int, V: int, orders) -> list[np.ndarray]:
    """:func:`order_law` of a checked table for each order (the table checked once, not once per order)."""
    qf, X = flat_table(q, n, V), all_sequences(n, V)
    return [np.exp(_order_logprob(qf, X, o, n, V)).reshape((V,) * n) for o in orders]


def order_law(q: ArrayLike, permutation: Sequence[int]) -> FloatArray:
    r"""The autoregressive law in the order :math:`\sigma`: :math:`q_\sigma(x) = \prod_{j=1}^n q(x^{\sigma_j}\mid x^{\sigma_1},\dots,x^{\sigma_{j-1}}\text{ visible})`.

    ``permutation`` is a permutation of ``0..n-1`` (position ``permutation[0]`` is generated first).  A pmf of shape (V,)*n
    for every predictor table; it equals the data law for every order at :func:`exact_conditionals` (chain
    rule).  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    permutation : sequence of int
        A permutation of ``0..n-1``.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        :math:`q_\sigma` (a pmf).
    """
    q, n, V = check_table(q, "q")
    permutation = check_order(permutation, n)
    X = all_sequences(n, V)
    return np.exp(_order_logprob(flat_table(q, n, V), X, permutation, n, V)).reshape((V,) * n)


def order_cross_entropy(p: ArrayLike, q: ArrayLike, permutation: Sequence[int], *, base: float = 2) -> float:
    r"""Cross-entropy :math:`\E_p[-\log q_\sigma(X)]` of the data law under the order-:math:`\sigma` model (units of ``base``).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    permutation : sequence of int
        A permutation of ``0..n-1``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    p, q, n, V = check_pair(p, q)
    return measures.cross_entropy(p, order_law(q, permutation), base=base)


def _orders(n: int) -> list[tuple[int, ...]]:
    if n > 7:
        raise ValueError(f"n = {n} has {math.factorial(n)} orders, too many to enumerate (n <= 7)")
    return list(itertools.permutations(range(n)))


def any_order_loss(p: ArrayLike, q: ArrayLike, *, base: float = 2) -> float:
    r"""The any-order autoregressive loss :math:`\frac{1}{n!}\sum_\sigma \E_p[-\log q_\sigma(X)]` (units of ``base``).

    Equal to :func:`llada_loss` for every predictor (the theorem of chapter 16).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    p, q, n, V = check_pair(p, q)
    return float(np.mean([measures.cross_entropy(p, law, base=base) for law in _order_laws(q, n, V, _orders(n))]))


def mixture_law(q: ArrayLike) -> FloatArray:
    r"""The order mixture :math:`p_q(x) = \frac{1}{n!}\sum_\sigma q_\sigma(x)`: the law of sampling one token per step in a uniformly random order.

    Shape (V,)*n.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        :math:`p_q` (a pmf).
    """
    q, n, V = check_table(q, "q")
    return np.mean(_order_laws(q, n, V, _orders(n)), axis=0)


def order_log_joint(q: ArrayLike, x: ArrayLike) -> FloatArray:
    r"""Table of :math:`\ln p(x, \sigma) = \ln\frac{1}{n!} + \ln q_\sigma(x)` (nats) over the :math:`n!` orders (``itertools.permutations`` order).

    The order is a latent variable with a uniform prior; feeding this table and the uniform
    :math:`q(\sigma)` to :func:`semtheory.elbo.elbo` gives :math:`-\mathcal L(q; x)`, a lower bound on
    :math:`\ln p_q(x)` = ``logsumexp`` of the table (chapter 11's ELBO).  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    x : array_like of int, shape (n,)
        The sequence.

    Returns
    -------
    numpy.ndarray of float, shape (n!,)
        :math:`\ln p(x, \sigma)` (nats).
    """
    q, n, V = check_table(q, "q")
    xx = as_token_ids(x, "x", vocab_size=V, ndim=None)
    if xx.shape != (n,):
        raise ValueError(f"x must be one sequence of length {n}, got shape {xx.shape}")
    qf = flat_table(q, n, V)
    orders = _orders(n)
    return np.array([_order_logprob(qf, xx[None], o, n, V)[0] for o in orders]) - math.log(len(orders))


class LossChain(NamedTuple):
    r"""``loss`` :math:`\mathcal L(q)` :math:`\ge` ``mixture_cross_entropy`` :math:`\E_p[-\log p_q]` :math:`\ge` ``entropy`` :math:`H(X^n)`;
    ``order_gap`` = loss - mixture_cross_entropy (the averaged ELBO gap, a KL to the posterior over orders),
    ``model_kl`` = :math:`\KL(p\cc p_q)`, ``order_kl`` = loss - entropy = :math:`\frac1{n!}\sum_\sigma\KL(p\cc q_\sigma)`.
    Units of the ``base`` asked for; per sequence.

    Attributes
    ----------
    loss, mixture_cross_entropy, entropy : float
        The chain's three values, per sequence, units of log ``base``.
    order_gap, model_kl, order_kl : float
        Its gaps, per sequence, units of log ``base``.
    """

    loss: float
    mixture_cross_entropy: float
    entropy: float
    order_gap: float
    model_kl: float
    order_kl: float


def loss_chain(p: ArrayLike, q: ArrayLike, *, base: float = 2) -> LossChain:
    r"""The chain :math:`\mathcal L(q) \ge \E_p[-\log p_q(X)] \ge H(X^n)` and its gaps.

    The first inequality is Jensen over orders (the ELBO with the order as latent variable); the second is
    Gibbs' inequality.  All three are equal iff :math:`q` agrees with the data's conditionals wherever
    the data can reach.  Units of ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    LossChain
        Values and gaps, units of log ``base`` per sequence (bits by default).
    """
    p, q, n, V = check_pair(p, q)
    loss = llada_loss(p, q, base=base)
    ce = measures.cross_entropy(p, mixture_law(q), base=base)
    H = measures.entropy(p, base=base)
    return LossChain(loss, ce, H, loss - ce, ce - H, loss - H)
