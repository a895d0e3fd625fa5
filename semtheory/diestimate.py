r"""Directed information estimated from samples (chapter 3).

Given one trace :math:`(x_1, y_1), \dots, (x_n, y_n)` of a jointly stationary pair, estimate the
directed-information rate :math:`\bar I(\mathcal X \to \mathcal Y) = \lim \frac1n I(X^n \to Y^n)`.

* :func:`di_rate_plugin`: the plug-in estimator of order :math:`k`,
  :math:`\hat H(Y_t \mid Y_{t-k}^{t-1}) - \hat H(Y_t \mid X_{t-k}^{t}, Y_{t-k}^{t-1})` from empirical frequencies.
  Consistent when both conditionals are of order :math:`k` (e.g. a Markov pair whose output is itself
  Markov); biased upwards, to first order by the difference of the two Miller–Madow corrections,
  :math:`(|\mathcal X|^{k+1}|\mathcal Y|^k - |\mathcal Y|^k)(|\mathcal Y| - 1) / (2 (n-k) \ln 2)` bits when every
  context is seen.
* :func:`di_rate_ctw`: a universal estimator in the style of Jiao, Permuter, Zhao, Kim & Weissman (2013):
  two sequential probability assignments by context-tree weighting (Willems, Shtarkov & Tjalkens 1995),
  :math:`Q(y_i \mid x^i, y^{i-1})` with contexts :math:`x_i, (x_{i-1}, y_{i-1}), \dots` and
  :math:`Q(y_i \mid y^{i-1})` with contexts :math:`y_{i-1}, y_{i-2}, \dots`, and the average
  :math:`\frac1n \sum_i D\bigl(Q(\cdot \mid x^i, y^{i-1}) \,\|\, Q(\cdot \mid y^{i-1})\bigr)`.
* Traces to test them on: :func:`semtheory.directed.sample_markov_pair` draws a seeded path of a jointly
  Markov pair, whose exact rate is :func:`semtheory.directed.markov_pair_rates`.

Units of ``base`` (bits by default).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .core.types import ArrayLike
from ._validate import as_token_ids, check_int, log_base

__all__ = ["di_rate_plugin", "di_rate_ctw", "CTW"]


def _check_trace(x, y):
    x = as_token_ids(x, "x")
    y = as_token_ids(y, "y")
    for name, a in (("x", x), ("y", y)):
        if a.size < 2:
            raise ValueError(f"{name} must be a 1-D array of at least two non-negative integer symbols")
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    return x, y


def _cond_entropy_counts(target: np.ndarray, context: np.ndarray) -> float:
    """Empirical H(target | context) in nats from paired integer codes."""
    _, ci = np.unique(context, return_inverse=True)
    _, ji = np.unique(np.stack([ci, target]), axis=1, return_inverse=True)
    nj = np.bincount(ji.ravel()).astype(float)
    nc = np.bincount(ci).astype(float)
    n = target.size
    return float(-(nj * np.log(nj)).sum() / n + (nc * np.log(nc)).sum() / n)


def di_rate_plugin(x: ArrayLike, y: ArrayLike, order: int = 1, *, base: float = 2) -> float:
    r"""Plug-in estimate of the directed-information rate with contexts of ``order`` :math:`k` steps.

    .. math:: \hat I = \hat H(Y_t \mid Y_{t-k}^{t-1}) - \hat H(Y_t \mid X_{t-k}^{t}, Y_{t-k}^{t-1}),

    empirical conditional entropies over :math:`t = k+1, \dots, n`.  Consistent for pairs whose two
    conditionals have memory :math:`k`; otherwise it estimates the order-:math:`k` approximation.  Units of
    ``base``.  Chapter 3.

    Parameters
    ----------
        x, y : array_like of int, shape (n,)
            The input and output traces (non-negative integer symbols, same length, at least 2).
        order : int, default 1
            Context length :math:`k`, ``0 <= k < n``.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            The estimated rate, in units of log ``base`` per step (bits by default).
    """
    lb = log_base(base)
    x, y = _check_trace(x, y)
    k = check_int(order, "order", minimum=0, maximum=x.size - 1)
    n = x.size
    ky, kx = int(y.max()) + 1, int(x.max()) + 1
    past_y = np.zeros(n - k, dtype=np.int64)
    past_xy = x[k:].copy()
    for j in range(1, k + 1):
        past_y = past_y * ky + y[k - j : n - j]
        past_xy = past_xy * (kx * ky) + x[k - j : n - j] * ky + y[k - j : n - j]
    target = y[k:]
    return (_cond_entropy_counts(target, past_y) - _cond_entropy_counts(target, past_xy)) / lb


class CTW:
    r"""Sequential context-tree weighting over a ``k``-ary symbol with contexts of a given depth.

    Each node holds Krichevsky–Trofimov counts (:math:`P(a) = (n_a + \tfrac12)/(N + k/2)`) and the weighted
    log-probability :math:`\ln P_w = \ln(\tfrac12 P_e + \tfrac12 \prod_c P_{w,c})` of the symbols seen in its
    context (Willems, Shtarkov & Tjalkens 1995), all in the log domain.  :meth:`predict` returns the
    sequential law :math:`Q(\cdot \mid \text{past})` for a context path, :meth:`update` commits a symbol.
    Chapter 3.

    Parameters
    ----------
    vocab_size : int
        Alphabet size, at least 2.
    depth : int
        Context depth, at least 0.
    """

    def __init__(self, vocab_size: int, depth: int):
        self.k = check_int(vocab_size, "vocab_size", minimum=2)
        self.depth = check_int(depth, "depth", minimum=0)
        self.nodes: dict[tuple, list] = {}  # context prefix -> [counts, logPe, logPw, sum of children's logPw]

    def _node(self, key):
        nd = self.nodes.get(key)
        if nd is None:
            nd = [[0] * self.k, 0, 0.0, 0.0, 0.0]  # counts, total, logPe, logPw, sum of children's logPw
            self.nodes[key] = nd
        return nd

    def _walk(self, context: tuple, a: int, commit: bool) -> float:
        """New root log P_w after symbol ``a`` in ``context``, updating the nodes on the path iff ``commit``."""
        delta, new_pw, half = 0.0, 0.0, math.log(2)
        for d in range(self.depth, -1, -1):
            nd = self._node(context[:d])
            cnt, tot, pe, pw, cs = nd
            pe = pe + math.log((cnt[a] + 0.5) / (tot + self.k / 2))
            if d == self.depth:
                new_pw = pe
            else:
                cs = cs + delta
                hi, lo = (pe, cs) if pe >= cs else (cs, pe)
                new_pw = hi + math.log1p(math.exp(lo - hi)) - half
            delta = new_pw - pw
            if commit:
                cnt[a] += 1
                nd[1], nd[2], nd[3], nd[4] = tot + 1, pe, new_pw, cs
        return new_pw

    def predict(self, context: Sequence[int]) -> np.ndarray:
        r"""Next-symbol law :math:`Q(a \mid \text{past}) = P_w(\text{past}, a) / P_w(\text{past})`, for every ``a``.

        The ratio of the root's weighted probabilities with and without the next symbol ``a``;
        nothing is committed (:meth:`update` does that).  Chapter 3.

        Parameters
        ----------
        context : sequence of int
            The context path, nearest symbol first; at least ``depth`` symbols (only the first ``depth`` are
            read).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            Probabilities of the next symbol (they sum to 1; no units).
        """
        context = tuple(context)[: self.depth]
        root = self._node(())[3]
        return np.exp([self._walk(context, a, False) - root for a in range(self.k)])

    def update(self, context: Sequence[int], a: int) -> None:
        """Commit symbol ``a`` seen after ``context``: the KT counts and weighted probabilities on its path.  Chapter 3.

        Parameters
        ----------
        context : sequence of int
            The context path, nearest symbol first, as given to :meth:`predict`.
        a : int
            The symbol seen, in ``range(vocab_size)``.

        Returns
        -------
        None
        """
        self._walk(tuple(context)[: self.depth], int(a), True)


def di_rate_ctw(x: ArrayLike, y: ArrayLike, depth: int = 3, *, base: float = 2) -> float:
    r"""Universal estimate of the directed-information rate by context-tree weighting (Jiao et al. 2013 style).

    .. math:: \hat I = \frac1n \sum_{i=1}^n D\bigl(Q(\cdot \mid x_i, (x_{i-1}, y_{i-1}), \dots) \,\big\|\,
              Q(\cdot \mid y_{i-1}, y_{i-2}, \dots)\bigr),

    with both :math:`Q` sequential :class:`CTW` assignments of context depth ``depth`` (the joint one uses
    ``depth`` past pairs after :math:`x_i`); contexts before the start are padded with symbol 0.  Units of
    ``base``.  Chapter 3.

    Parameters
    ----------
        x, y : array_like of int, shape (n,)
            The input and output traces (non-negative integer symbols, same length, at least 2).
        depth : int, default 3
            Context depth of the CTW assignments, ``0 <= depth <= 16``.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            The estimated rate, in units of log ``base`` per step (bits by default).
    """
    lb = log_base(base)
    x, y = _check_trace(x, y)
    D = check_int(depth, "depth", minimum=0, maximum=16)
    ky = max(int(y.max()) + 1, 2)
    joint, marg = CTW(ky, D + 1), CTW(ky, D)
    xp = np.concatenate([np.zeros(D, dtype=np.int64), x])
    yp = np.concatenate([np.zeros(D, dtype=np.int64), y])
    pair = xp * ky + yp
    total = 0.0
    for i in range(x.size):
        t = i + D
        cj = (int(xp[t]),) + tuple(int(v) for v in pair[t - D : t][::-1])
        cm = tuple(int(v) for v in yp[t - D : t][::-1])
        qj, qm = joint.predict(cj), marg.predict(cm)
        total += sum(a * math.log(a / b) for a, b in zip(qj.tolist(), qm.tolist()))
        joint.update(cj, int(y[i]))
        marg.update(cm, int(y[i]))
    return total / x.size / lb
