"""Typical sets, total variation and differential entropy (chapter 2); re-exported by
:mod:`semtheory.measures`."""

from __future__ import annotations

import math
from numbers import Real
from typing import Callable, NamedTuple

import numpy as np
from scipy.special import xlogy

from ..core.types import ArrayLike
from .._validate import as_real_array, as_pmf, check_int, check_positive, log_base
from ._common import pmf_pair
from .basic import entropy


# ----------------------------------------------------------------------------------------------
# typicality, divergence inequalities, differential entropy
# ----------------------------------------------------------------------------------------------


class TypicalSet(NamedTuple):
    r"""The weakly typical set :math:`A_\epsilon^{(n)}` of an i.i.d. source (see :func:`typical_set`); sizes in units of ``base``.

    Attributes
    ----------
    n : int
        Block length.
    eps : float
        Tolerance, in units of log ``base`` per symbol.
    probability : float
        :math:`P(X^n \in A_\epsilon^{(n)})`.
    log_size : float
        :math:`\log |A_\epsilon^{(n)}|` in units of log ``base`` (``-inf`` for an empty set).
    entropy, varentropy : float
        :math:`H(p)` and :math:`\mathrm{Var}[-\log p(X)]`, in units of log ``base`` and its square.
    """

    #: Block length :math:`n` and tolerance :math:`\epsilon` (units of ``base`` per symbol).
    n: int
    eps: float
    #: :math:`P(X^n \in A_\epsilon^{(n)})`.
    probability: float
    #: :math:`\log |A_\epsilon^{(n)}|` (``-inf`` when the set is empty).
    log_size: float
    #: Entropy :math:`H(p)` and varentropy :math:`\sigma^2 = \mathrm{Var}[-\log p(X)]` (units of ``base`` and their square).
    entropy: float
    varentropy: float


def _compositions(n: int, k: int) -> np.ndarray:
    """All vectors of k non-negative integers summing to n (one per row)."""
    if k == 1:
        return np.array([[n]], dtype=np.int64)
    rows = [np.column_stack([np.full(len(r), first, dtype=np.int64), r])
            for first in range(n + 1) for r in (_compositions(n - first, k - 1),)]
    return np.vstack(rows)


def typical_set(p: ArrayLike, n: int, eps: float, *, base: float = 2) -> TypicalSet:
    r"""Exact probability and size of the weakly typical set of ``n`` i.i.d. draws from ``p``.

    :math:`A_\epsilon^{(n)} = \{x^n : |-\tfrac1n \log p(x^n) - H(p)| \le \epsilon\}`.  The surprisal of a
    sequence depends only on its *type* (the counts :math:`N_x`), so both the probability
    :math:`\sum \binom{n}{N} \prod_x p_x^{N_x}` and the size :math:`\sum \binom{n}{N}` are sums over the
    :math:`\binom{n + K - 1}{K - 1}` types (multinomial coefficients in the log domain; at most :math:`2\times10^6`
    types).  The AEP says the probability tends to 1, with :math:`1 - P \le \sigma^2/(n\epsilon^2)`
    (Chebyshev), and :math:`(1-\delta)\,b^{n(H-\epsilon)} \le |A| \le b^{n(H+\epsilon)}` once
    :math:`P \ge 1-\delta`.  Outcomes of probability 0 are dropped.  ``eps`` > 0 in units of ``base``.
    Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The pmf of one draw.
    n : int
        Block length, >= 1.
    eps : float
        Tolerance > 0, in units of log ``base`` per symbol.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    TypicalSet
        The set's probability and log-size, with :math:`H(p)` and the varentropy.
    """
    from scipy.special import gammaln, logsumexp

    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    p = p[p > 0]
    n = check_int(n, "n", minimum=1)
    e = float(check_positive(eps, "eps")) * lb  # nats
    k = p.size
    if math.comb(n + k - 1, k - 1) > 2_000_000:
        raise ValueError(f"n = {n} with {k} outcomes has more than 2e6 types; use a smaller n")
    counts = _compositions(n, k)
    logp = np.log(p)
    h = float(-(p * logp).sum())
    var = float((p * logp**2).sum() - h**2)
    log_coef = gammaln(n + 1.0) - gammaln(counts + 1.0).sum(axis=1)
    log_prob_seq = counts @ logp  # log p(x^n) of each sequence of that type
    inside = np.abs(-log_prob_seq / n - h) <= e * (1 + 1e-12)
    if not inside.any():
        return TypicalSet(n, eps, 0.0, -math.inf, h / lb, max(var, 0.0) / lb**2)
    prob = float(np.exp(logsumexp(log_coef[inside] + log_prob_seq[inside])))
    log_size = float(logsumexp(log_coef[inside]))
    return TypicalSet(n, float(eps), min(prob, 1.0), log_size / lb, h / lb, max(var, 0.0) / lb**2)


def total_variation(p: ArrayLike, q: ArrayLike) -> float:
    r"""Total variation distance :math:`\delta(p, q) = \tfrac12 \sum_x |p(x) - q(x)| = \max_A |p(A) - q(A)|`.

    ``p``, ``q`` pmfs of the same shape.  Pinsker's inequality bounds it by the relative entropy,
    :math:`\delta \le \sqrt{D(p\|q)/2}` with :math:`D` in nats.  Unitless.  Chapter 2.

    Parameters
    ----------
    p, q : array_like
        Pmfs of the same shape (any number of axes).

    Returns
    -------
    float
        :math:`\delta(p, q) = \tfrac12 \sum_x |p(x) - q(x)| \in [0, 1]` (unitless).
    """
    p, q = pmf_pair(p, q)
    return float(0.5 * np.abs(p - q).sum())


def gaussian_entropy(cov: ArrayLike, *, base: float = 2) -> float:
    r"""Differential entropy of a Gaussian vector, :math:`H_d(\mathcal N(\mu, \Sigma)) = \tfrac12 \log\big((2\pi e)^d \det\Sigma\big)`.

    ``cov`` is a positive-definite :math:`d \times d` matrix (or a positive variance for :math:`d = 1`).  The
    largest differential entropy of any density with covariance :math:`\Sigma` (chapter 2's maximum-entropy
    theorem); used by chapter 5's Gaussian rate-distortion function.  Units of ``base`` (may be negative).
    Chapters 2, 5.

    Parameters
    ----------
    cov : float or array_like, shape (d, d)
        A positive variance, or a positive-definite covariance matrix.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The differential entropy :math:`\tfrac12 \log((2\pi e)^d \det\Sigma)` (may be negative), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    s = np.atleast_2d(as_real_array(cov, "cov", finite=False, nonempty=False))
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.size == 0 or not np.all(np.isfinite(s)):
        raise ValueError(f"cov must be a finite square matrix, got shape {s.shape}")
    if not np.allclose(s, s.T, rtol=1e-10, atol=1e-12):
        raise ValueError("cov must be symmetric")
    sign, logdet = np.linalg.slogdet(s)
    if sign <= 0 or np.linalg.eigvalsh(s).min() <= 0:
        raise ValueError("cov must be positive definite")
    d = s.shape[0]
    return 0.5 * (d * math.log(2 * math.pi * math.e) + logdet) / lb


def differential_entropy(pdf: Callable[..., float], lower: float, upper: float, *, base: float = 2) -> float:
    r"""Differential entropy :math:`H_d(f) = -\int_a^b f(x) \log f(x)\, dx` of a 1-D density, by adaptive quadrature.

    ``pdf`` is a vectorisable callable, ``lower`` < ``upper`` the support (``-inf``/``inf`` allowed).  The
    density must integrate to 1 within 1e-6 (checked); :math:`0 \log 0 = 0`.  An independent route to the
    closed forms (Gaussian, uniform, Laplace) of chapter 2.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    pdf : callable
        A vectorisable density.
    lower, upper : float
        The support, ``lower < upper`` (``-inf`` and ``inf`` allowed).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The differential entropy :math:`-\int f \log f` (may be negative), in units of log ``base`` (bits by default).
    """
    from scipy.integrate import quad

    lb = log_base(base)
    if not callable(pdf):
        raise ValueError(f"pdf must be a callable density, got {type(pdf).__name__}")
    for name, v in (("lower", lower), ("upper", upper)):
        if isinstance(v, bool) or not isinstance(v, (Real, np.floating, np.integer)) or math.isnan(v):
            raise ValueError(f"{name} must be a real number (or +-inf), got {v!r}")
    if not lower < upper:
        raise ValueError(f"lower must be < upper, got {lower!r} and {upper!r}")
    mass = quad(lambda x: float(pdf(x)), lower, upper, limit=200)[0]
    if not abs(mass - 1.0) < 1e-6:
        raise ValueError(f"pdf must integrate to 1 over [lower, upper], got {mass:.9g}")
    val = quad(lambda x: float(-xlogy(pdf(x), pdf(x))), lower, upper, limit=200)[0]
    return val / lb
