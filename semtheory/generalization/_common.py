"""What the files of :mod:`semtheory.generalization` share and users do not need: the checks of logits and
of a (data law, hypothesis class) pair, the loss table of a class, and the log-pmf of the types."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, logsumexp

from .._validate import as_logits, as_pmf


def check_pxy(p_xy, hypotheses):
    p = as_pmf(p_xy, "p_xy", ndim=2)
    H = as_logits(hypotheses, "hypotheses", finite=True, min_classes=2)
    if H.ndim != 3 or H.shape[1:] != p.shape:
        raise ValueError(f"hypotheses must have shape (M, m, K) = (M, {p.shape[0]}, {p.shape[1]}), got {H.shape}")
    return p, H


def loss_table(p, H):
    M, m, K = H.shape
    return (logsumexp(H, axis=-1)[..., None] - H).reshape(M, m * K), p.reshape(-1)


def type_logpmf(T, flat, n):
    with np.errstate(divide="ignore"):
        lf = np.log(np.where(flat > 0, flat, 1.0))
    logp = gammaln(n + 1) - gammaln(T + 1).sum(axis=1) + (T * lf).sum(axis=1)
    return np.where(np.all((flat > 0) | (T == 0), axis=1), logp, -np.inf)
