r"""Log-domain measures on normalised log-pmfs (chapter 4): entropy and relative entropy without leaving
the log domain (masked tokens contribute exactly 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validate import log_base
from ._common import as_logpmf, entropy_nats

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


def logprob_entropy(logp: ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Entropy :math:`H = -\sum_v e^{\ell_v} \ell_v` of a normalised log-pmf :math:`\ell` (last axis), in the log domain.

    Masked tokens (:math:`\ell = -\infty`) contribute exactly 0, so the result is finite.  Agrees with
    :func:`semtheory.measures.entropy` on ``exp(logprobs)``, without leaving the log domain.  Units of
    ``base``.  Chapter 4.

    Parameters
    ----------
    logp : array_like of float, shape (..., V)
        A normalised log-pmf on the last axis (natural logs).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        The entropy, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    out = entropy_nats(as_logpmf(logp, "logp")) / lb
    return float(out) if out.ndim == 0 else out


def logprob_kl(logq: ArrayLike, logp: ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Relative entropy :math:`D(q \| p) = \sum_v q_v (\ln q_v - \ln p_v)` of two normalised log-pmfs (last axis).

    Terms with :math:`q_v = 0` are 0 (so masked tokens give finite values); ``inf`` when :math:`q` puts mass
    where :math:`p` has none.  Agrees with :func:`semtheory.measures.kl_divergence`.  Units of ``base``.
    Chapter 4.

    Parameters
    ----------
    logq, logp : array_like of float, shape (..., V)
        Normalised log-pmfs of the same shape (natural logs).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`D(q \| p)`, in units of log ``base`` (bits by default); ``inf`` off the support.
    """
    lb = log_base(base)
    Q = as_logpmf(logq, "logq")
    P = as_logpmf(logp, "logp")
    if Q.shape != P.shape:
        raise ValueError(f"logq and logp must have the same shape, got {Q.shape} and {P.shape}")
    fq = np.isfinite(Q)
    miss = (fq & ~np.isfinite(P)).any(axis=-1)
    with np.errstate(invalid="ignore"):
        terms = np.where(fq, np.exp(np.where(fq, Q, 0.0)) * (np.where(fq, Q, 0.0) - np.where(np.isfinite(P), P, 0.0)), 0.0)
    out = terms.sum(axis=-1) / lb
    out = np.where(miss, np.inf, np.maximum(out, 0.0))
    return float(out) if out.ndim == 0 else out
