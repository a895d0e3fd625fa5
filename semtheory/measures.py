r"""Shannon's information measures on discrete pmfs (chapter 2, used throughout the book).

A joint pmf is a numpy array with **one axis per random variable**: ``p[x, y, z] = P(X=x, Y=y, Z=z)``.
Functions take the axes that name each variable (an int or a tuple of ints), so the same array
serves every measure.  Units: ``base=2`` (bits) by default; ``base=math.e`` gives nats.

All sums of the form :math:`\sum p \log p` use :func:`scipy.special.xlogy`, so that
:math:`0 \log 0 = 0` exactly; no outcome is ever clipped or renormalised.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import xlogy

from ._validate import (
    as_axes,
    as_pmf,
    as_samples,
    check_disjoint,
    log_base,
)

__all__ = [
    "marginal",
    "entropy",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "conditional_mutual_information",
    "kl_divergence",
    "cross_entropy",
    "perplexity",
    "binary_entropy",
    "fano_bound",
    "empirical_pmf",
    "entropy_plugin",
    "entropy_miller_madow",
    "plugin_bias",
    "mutual_information_plugin",
]


def marginal(p, axes) -> np.ndarray:
    r"""Marginal pmf of the variables on ``axes``: :math:`p(x_A) = \sum_{x_{\bar A}} p(x)`.

    The result keeps the order of ``axes`` as sorted ascending.  Chapter 2.
    """
    p = as_pmf(p, "p")
    keep = as_axes(axes, p.ndim, "axes")
    drop = tuple(a for a in range(p.ndim) if a not in keep)
    return p.sum(axis=drop) if drop else p


def _h(p: np.ndarray, lb: float) -> float:
    """Entropy of an already validated pmf, in units of exp(lb)."""
    return float(-xlogy(p, p).sum() / lb)


def entropy(p, axes=None, base=2) -> float:
    r"""Entropy :math:`H(X_A) = -\sum_{x_A} p(x_A) \log p(x_A)` of the variables on ``axes``.

    ``axes=None`` means all axes, i.e. the joint entropy of every variable.  Units of ``base``
    (bits by default).  Chapters 1, 2.
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    keep = as_axes(axes, p.ndim, "axes")
    drop = tuple(a for a in range(p.ndim) if a not in keep)
    return _h(p.sum(axis=drop) if drop else p, lb)


def joint_entropy(p, axes=None, base=2) -> float:
    r"""Joint entropy :math:`H(X_A)`; an alias of :func:`entropy` that reads better for several axes.  Chapter 2."""
    return entropy(p, axes, base)


def _groups(p, named: dict) -> list[tuple[int, ...]]:
    out = []
    for name, axes in named.items():
        out.append(as_axes(axes, p.ndim, name))
    items = list(named)
    for i in range(len(out)):
        for j in range(i + 1, len(out)):
            check_disjoint(items[i], out[i], items[j], out[j])
    for name, g in zip(items, out):
        if len(g) == 0:
            raise ValueError(f"{name} must name at least one axis")
    return out


def _hm(p, axes, lb) -> float:
    if len(axes) == 0:
        return 0.0
    drop = tuple(a for a in range(p.ndim) if a not in axes)
    return _h(p.sum(axis=drop) if drop else p, lb)


def conditional_entropy(p, axes, given, base=2) -> float:
    r"""Conditional entropy :math:`H(X_A \mid X_B) = H(X_A, X_B) - H(X_B)`.

    ``axes`` names A and ``given`` names B (disjoint).  Units of ``base``.  Chapter 2.
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    a, b = _groups(p, {"axes": axes, "given": given})
    return _hm(p, a + b, lb) - _hm(p, b, lb)


def mutual_information(p, axes_a, axes_b, base=2) -> float:
    r"""Mutual information :math:`I(X_A; X_B) = H(X_A) + H(X_B) - H(X_A, X_B)`.

    Computed as :math:`\sum p(a,b) \log \frac{p(a,b)}{p(a)p(b)}` so that it is exactly 0 for
    independent variables and never negative from round-off cancellation.  Units of ``base``.
    Chapters 2, 3.
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    a, b = _groups(p, {"axes_a": axes_a, "axes_b": axes_b})
    return _cmi(p, a, b, (), lb)


def _cmi(p, a, b, c, lb) -> float:
    """I(A;B|C) = sum p(abc) log p(abc) p(c) / (p(ac) p(bc)), on a validated pmf."""
    keep = tuple(sorted(a + b + c))
    drop = tuple(x for x in range(p.ndim) if x not in keep)
    q = p.sum(axis=drop, keepdims=True) if drop else p
    pac = q.sum(axis=b, keepdims=True)
    pbc = q.sum(axis=a, keepdims=True)
    pc = q.sum(axis=a + b, keepdims=True)
    num = q * pc
    den = pac * pbc
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(q > 0, num / np.where(den > 0, den, 1.0), 1.0)
    val = float(xlogy(q, ratio).sum() / lb)
    return max(val, 0.0) if val > -1e-12 else val


def conditional_mutual_information(p, axes_a, axes_b, given, base=2) -> float:
    r"""Conditional mutual information :math:`I(X_A; X_B \mid X_C)`.

    :math:`\sum p(a,b,c) \log \frac{p(a,b,c)\,p(c)}{p(a,c)\,p(b,c)}`; ``given=()`` gives the
    unconditional MI.  Units of ``base``.  Chapters 2, 3, 8.
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    if given is None or (not isinstance(given, (int, np.integer)) and len(given) == 0):
        a, b = _groups(p, {"axes_a": axes_a, "axes_b": axes_b})
        return _cmi(p, a, b, (), lb)
    a, b, c = _groups(p, {"axes_a": axes_a, "axes_b": axes_b, "given": given})
    return _cmi(p, a, b, c, lb)


def _pair(p, q):
    p = as_pmf(p, "p")
    q = as_pmf(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return p, q


def kl_divergence(p, q, base=2) -> float:
    r"""Relative entropy :math:`D(p\,\|\,q) = \sum_x p(x) \log \frac{p(x)}{q(x)}`.

    Returns ``inf`` when ``p`` puts mass where ``q`` has none (the honest answer, not an error).
    Units of ``base``.  Chapters 2, 4, 6.
    """
    lb = log_base(base)
    p, q = _pair(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    val = float((xlogy(p, p) - xlogy(p, q)).sum() / lb)
    return max(val, 0.0) if val > -1e-12 else val


def cross_entropy(p, q, base=2) -> float:
    r"""Cross-entropy :math:`H(p, q) = -\sum_x p(x) \log q(x) = H(p) + D(p\|q)`.

    The expected code length (per symbol) of a code built for ``q`` when the data follow ``p``:
    the pre-training loss of a language model.  ``inf`` when ``q`` misses support of ``p``.
    Units of ``base``.  Chapters 1, 2, 5.
    """
    lb = log_base(base)
    p, q = _pair(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    return float(-xlogy(p, q).sum() / lb)


def perplexity(p, q=None) -> float:
    r"""Perplexity :math:`\mathrm{PPL} = e^{H(p, q)}` (nats), i.e. :math:`2^{H(p,q)}` in bits.

    With ``q=None`` this is the perplexity of ``p`` itself, :math:`e^{H(p)}`: the size of a uniform
    law with the same entropy.  Unitless (the same in any base).  Chapters 1, 2.
    """
    if q is None:
        return math.exp(entropy(p, base=math.e))
    return math.exp(cross_entropy(p, q, base=math.e))


def binary_entropy(x, base=2):
    r"""Binary entropy :math:`h(x) = -x \log x - (1-x) \log(1-x)`, vectorised over ``x`` in [0, 1].

    Units of ``base``.  Chapters 2, 5.
    """
    lb = log_base(base)
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError("x must lie in [0, 1] (and be finite)")
    out = -(xlogy(arr, arr) + xlogy(1 - arr, 1 - arr)) / lb
    return float(out) if out.ndim == 0 else out


def fano_bound(error_probability, alphabet_size, base=2) -> float:
    r"""Fano's bound :math:`H(X \mid \hat X) \le h(P_e) + P_e \log(|\mathcal X| - 1)`.

    Returns the right-hand side: the largest conditional entropy (equivocation) compatible with
    error probability ``P_e`` over an alphabet of size ``alphabet_size`` (>= 2).  Units of ``base``.
    Chapter 2.
    """
    lb = log_base(base)
    from ._validate import check_int, check_probability

    pe = check_probability(error_probability, "error_probability")
    m = check_int(alphabet_size, "alphabet_size", minimum=2)
    return float(binary_entropy(pe, base)) + pe * math.log(m - 1) / lb


# ----------------------------------------------------------------------------------------------
# Estimators from samples
# ----------------------------------------------------------------------------------------------


def _counts(samples) -> np.ndarray:
    arr = as_samples(samples, "samples")
    if arr.ndim == 1:
        _, counts = np.unique(arr, return_counts=True)
    else:
        _, counts = np.unique(arr, axis=0, return_counts=True)
    return counts


def empirical_pmf(samples) -> tuple[np.ndarray, np.ndarray]:
    r"""Empirical law of ``samples``: ``(values, pmf)`` with :math:`\hat p(x) = N_x / N`.

    ``samples`` is 1-D (n,) or 2-D (n, k) with rows as joint outcomes.  Chapter 2.
    """
    arr = as_samples(samples, "samples")
    if arr.ndim == 1:
        vals, counts = np.unique(arr, return_counts=True)
    else:
        vals, counts = np.unique(arr, axis=0, return_counts=True)
    return vals, counts / counts.sum()


def entropy_plugin(samples, base=2) -> float:
    r"""Plug-in (maximum-likelihood) entropy :math:`\hat H = -\sum_x \hat p(x) \log \hat p(x)`.

    Biased downward: :math:`E[\hat H] = H - \frac{K-1}{2N} + O(N^{-2})` (nats) for K outcomes of
    positive probability (Miller 1955).  Units of ``base``.  Chapter 2.
    """
    lb = log_base(base)
    c = _counts(samples)
    q = c / c.sum()
    return _h(q, lb)


def entropy_miller_madow(samples, base=2) -> float:
    r"""Miller–Madow entropy :math:`\hat H_{MM} = \hat H + \frac{\hat K - 1}{2N}` (the correction in nats).

    :math:`\hat K` is the number of distinct observed outcomes.  Removes the leading
    :math:`O(1/N)` bias of :func:`entropy_plugin`.  Units of ``base``.  Chapter 2.
    """
    lb = log_base(base)
    c = _counts(samples)
    n = c.sum()
    return _h(c / n, lb) + (len(c) - 1) / (2 * n) / lb


def plugin_bias(p, n, base=2) -> float:
    r"""Exact expected bias :math:`E[\hat H_N] - H(p)` of the plug-in entropy from ``n`` i.i.d. draws of ``p``.

    Computed exactly by summing over the binomial law of each count,
    :math:`E[\hat H] = -\sum_x \sum_{k} \binom{n}{k} p_x^k (1-p_x)^{n-k} \frac{k}{n}\log\frac{k}{n}`,
    so tests can compare an estimator's average with the truth instead of an asymptotic formula.
    Units of ``base``.  Chapter 2.
    """
    from scipy.stats import binom

    from ._validate import check_int

    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    k = np.arange(n + 1)
    pk = binom.pmf(k[None, :], n, p[:, None])
    f = -xlogy(k / n, k / n)
    expected = float((pk * f[None, :]).sum())
    return (expected - _h(p, 1.0)) / lb


def mutual_information_plugin(x, y, base=2) -> float:
    r"""Plug-in mutual information :math:`\hat I(X;Y) = \hat H(X) + \hat H(Y) - \hat H(X,Y)` from paired samples.

    ``x`` and ``y`` are 1-D arrays of equal length n >= 1.  Biased upward by about
    :math:`\frac{(K_X-1)(K_Y-1)}{2N}` nats under independence.  Units of ``base``.  Chapters 2, 8.
    """
    lb = log_base(base)
    xa = as_samples(x, "x")
    ya = as_samples(y, "y")
    if xa.ndim != 1 or ya.ndim != 1:
        raise ValueError("x and y must be 1-D sample arrays")
    if len(xa) != len(ya):
        raise ValueError(f"x and y must have the same length, got {len(xa)} and {len(ya)}")
    hx = entropy_plugin(xa, base)
    hy = entropy_plugin(ya, base)
    hxy = entropy_plugin(np.stack([xa, ya], axis=1), base)
    return max(hx + hy - hxy, 0.0)

