"""The per-step parts of directed information: the Amblard–Michel split and the information density
(chapters 3, 7, 8)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import log_base
from ..core.law import as_joint_law, conditional, expand_channel
from ._common import causal_kernels_of, clip_roundoff, profile_of


class DIDecomposition(NamedTuple):
    """Directed information split into its transfer-entropy (Granger) and instantaneous parts."""

    transfer: float
    instantaneous: float


def amblard_michel_terms(p, base=2) -> tuple[np.ndarray, np.ndarray]:
    r"""The per-step terms of the Amblard–Michel split of :math:`I(X^n \to Y^n)`, as two arrays of length n.

    .. math:: T_t = I(X^{t-1}; Y_t \mid Y^{t-1}), \qquad J_t = I(X_t; Y_t \mid X^{t-1}, Y^{t-1}),

    with :math:`T_1 = 0`; :math:`\sum_t (T_t + J_t) = I(X^n \to Y^n)` by the chain rule of conditional
    mutual information.  Computed from prefix entropies of the exact joint ``p`` (axes
    :math:`X_1..X_n, Y_1..Y_n`, validated once):
    :math:`T_t = H(X^{t-1}, Y^{t-1}) - H(X^{t-1}, Y^t) + H(Y^t) - H(Y^{t-1})` and
    :math:`J_t = H(X^t, Y^{t-1}) + H(X^{t-1}, Y^t) - H(X^t, Y^t) - H(X^{t-1}, Y^{t-1})`.
    Units of ``base``.  Chapters 3, 8.
    """
    lb = log_base(base)
    pr = profile_of(p, split=True)
    n, scale = pr.xy.size - 1, float(pr.xy[-1])
    transfer = np.zeros(n)
    transfer[1:] = pr.xy[1:-1] - pr.x_y[2:] + pr.y[2:] - pr.y[1:-1]
    inst = pr.xy_[1:] + pr.x_y[1:] - pr.xy[1:] - pr.xy[:-1]
    inst[0] = pr.xy_[1] + pr.y[1] - pr.xy[1]  # J_1 = I(X_1; Y_1): H(X^0, Y^1) = H(Y_1)
    return clip_roundoff(transfer, scale) / lb, clip_roundoff(inst, scale) / lb


def directed_information_decomposition(p, base=2) -> DIDecomposition:
    r"""Split :math:`I(X^n \to Y^n)` into a transfer part and an instantaneous part (Amblard & Michel 2011).

    .. math:: I(X^n \to Y^n) = \sum_t I(X^{t-1}; Y_t \mid Y^{t-1}) + \sum_t I(X_t; Y_t \mid X^{t-1}, Y^{t-1}).

    The first sum is the (sequence) transfer entropy, the Granger part; the second the instantaneous
    coupling (the sums of :func:`amblard_michel_terms`).  Units of ``base``.  Chapters 3, 8.
    """
    transfer, inst = amblard_michel_terms(p, base)
    return DIDecomposition(float(transfer.sum()), float(inst.sum()))


def directed_information_density(p, base=2) -> np.ndarray:
    r"""Per-step information densities :math:`\iota_t = \log \frac{P(y_t \mid y^{t-1}, x^t)}{P(y_t \mid y^{t-1})}`.

    Returns an array of shape ``p.shape + (n,)``; entry ``[..., t-1]`` is :math:`\iota_t(x^n, y^n)`
    (0 on outcomes of zero probability).  :math:`E[\iota_t] = I(X^t; Y_t \mid Y^{t-1})`, so
    :math:`E[\sum_t \iota_t] = I(X^n \to Y^n)`.  Units of ``base``.  Chapters 3, 7.
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
