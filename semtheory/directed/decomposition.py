"""The per-step parts of directed information: the Amblard–Michel split and the information density
(chapters 3, 7, 8)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core.types import ArrayLike
from .._validate import log_base
from ..core.law import as_joint_law, conditional, expand_channel
from ._common import causal_kernels_of, clip_roundoff, di_terms, profile_of


class DIDecomposition(NamedTuple):
    r"""The Amblard–Michel split of Massey's directed information (units of the ``base`` asked for).

    .. math:: I(X^n \to Y^n) = \sum_{t=1}^n T_t + \sum_{t=1}^n J_t,\qquad
              T_t = I(X^{t-1}; Y_t \mid Y^{t-1}),\quad J_t = I(X_t; Y_t \mid X^{t-1}, Y^{t-1}).

    Returned by :func:`directed_information_decomposition`.  Chapters 3, 8.

    Attributes
    ----------
    transfer_terms : ndarray, shape (n,)
        The transfer (Granger) terms :math:`T_t`, :math:`T_1 = 0`, in units of log ``base``.
    instantaneous_terms : ndarray, shape (n,)
        The instantaneous terms :math:`J_t`, in units of log ``base``.
    transfer : float
        :math:`\sum_t T_t`, the (sequence) transfer entropy, in units of log ``base``.
    instantaneous : float
        :math:`\sum_t J_t`, the instantaneous coupling, in units of log ``base``.
    directed : float
        :math:`I(X^n \to Y^n)` (:func:`~semtheory.directed.directed_information`), in units of log ``base``.
    residual : float
        ``directed - transfer - instantaneous``: zero up to round-off (the chain rule of conditional mutual
        information, step by step).
    """

    transfer_terms: np.ndarray
    instantaneous_terms: np.ndarray
    transfer: float
    instantaneous: float
    directed: float
    residual: float


def directed_information_decomposition(p: ArrayLike, *, base: float = 2) -> DIDecomposition:
    r"""Split :math:`I(X^n \to Y^n)` into a transfer part and an instantaneous part (Amblard & Michel 2011).

    .. math:: I(X^n \to Y^n) = \sum_t I(X^{t-1}; Y_t \mid Y^{t-1}) + \sum_t I(X_t; Y_t \mid X^{t-1}, Y^{t-1}).

    The first sum is the (sequence) transfer entropy, the Granger part; the second the instantaneous
    coupling.  The library's one implementation of the split.  Every term comes from the prefix entropies of the exact
    joint ``p``, validated once:
    :math:`T_t = H(X^{t-1}, Y^{t-1}) - H(X^{t-1}, Y^t) + H(Y^t) - H(Y^{t-1})` and
    :math:`J_t = H(X^t, Y^{t-1}) + H(X^{t-1}, Y^t) - H(X^t, Y^t) - H(X^{t-1}, Y^{t-1})`, and
    :math:`I(X^n \to Y^n)` from the same profile as in :func:`~semtheory.directed.directed_information`.
    Chapters 3, 8.

    Parameters
    ----------
    p : array_like, 2n axes
        An exact joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    DIDecomposition
        The per-step terms, their sums, the directed information and the residual, in units of log
        ``base`` (bits by default).

    Examples
    --------
    >>> from semtheory import directed
    >>> p = directed.joint_law(directed.iid_policy([0.5, 0.5], 2), directed.memoryless_channel(
    ...     directed.binary_symmetric_channel(0.0), 2))
    >>> dec = directed_information_decomposition(p)
    >>> round(dec.transfer, 12), round(dec.instantaneous, 12), round(dec.directed, 12)
    (0.0, 2.0, 2.0)
    """
    lb = log_base(base)
    pr = profile_of(p, split=True)
    n, scale = pr.xy.size - 1, float(pr.xy[-1])
    transfer = np.zeros(n)
    transfer[1:] = pr.xy[1:-1] - pr.x_y[2:] + pr.y[2:] - pr.y[1:-1]
    inst = pr.xy_[1:] + pr.x_y[1:] - pr.xy[1:] - pr.xy[:-1]
    inst[0] = pr.xy_[1] + pr.y[1] - pr.xy[1]  # J_1 = I(X_1; Y_1): H(X^0, Y^1) = H(Y_1)
    te, ins = clip_roundoff(transfer, scale) / lb, clip_roundoff(inst, scale) / lb
    di = float((di_terms(pr) / lb).sum())  # the value directed_information(p, base=base) returns
    return DIDecomposition(te, ins, float(te.sum()), float(ins.sum()), di, float(di - te.sum() - ins.sum()))


def directed_information_density(p: ArrayLike, *, base: float = 2) -> np.ndarray:
    r"""Per-step information densities :math:`\iota_t = \log \frac{P(y_t \mid y^{t-1}, x^t)}{P(y_t \mid y^{t-1})}`.

    Returns an array of shape ``p.shape + (n,)``; entry ``[..., t-1]`` is :math:`\iota_t(x^n, y^n)`
    (0 on outcomes of zero probability).  :math:`E[\iota_t] = I(X^t; Y_t \mid Y^{t-1})`, so
    :math:`E[\sum_t \iota_t] = I(X^n \to Y^n)`.  Units of ``base``.  Chapters 3, 7.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        ndarray, shape p.shape + (n,)
            :math:`\iota_t(x^n, y^n)` in entry ``[..., t-1]``, in units of log ``base``.
    """
    lb = log_base(base)
    p, n = as_joint_law(p)
    _, ch = causal_kernels_of(p, n)
    out = np.zeros(p.shape + (n,))
    for t in range(1, n + 1):
        # P(y_t | y^{t-1}) from the marginal over Y^t
        drop = tuple(range(n)) + tuple(range(n + t, 2 * n))
        my = p.sum(axis=drop)
        py = conditional(my, -1, p.shape[n + t - 1])
        num = np.broadcast_to(expand_channel(ch[t - 1], t, n), p.shape)
        den = np.broadcast_to(py.reshape((1,) * n + py.shape + (1,) * (n - t)), p.shape)
        pos = p > 0  # there both conditionals are > 0: a difference of logs, no ratio of small numbers
        with np.errstate(divide="ignore", invalid="ignore"):
            out[..., t - 1] = np.where(pos, np.log(np.where(pos, num, 1.0)) - np.log(np.where(pos, den, 1.0)), 0.0) / lb
    return out
