"""Entropy estimators from samples, their exact biases, and the plug-in mutual information (chapter 2);
re-exported by :mod:`semtheory.measures`."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import xlogy

from ..core.types import ArrayLike, SeedLike
from .._validate import as_float, as_pmf, as_rng, as_samples, check_int, log_base
from ._common import entropy_nats, clip_roundoff


# ----------------------------------------------------------------------------------------------
# Estimators from samples
# ----------------------------------------------------------------------------------------------


def _counts(samples, name="samples") -> np.ndarray:
    arr = as_samples(samples, name)
    if arr.ndim == 1:
        _, counts = np.unique(arr, return_counts=True)
    else:
        _, counts = np.unique(arr, axis=0, return_counts=True)
    return counts


def empirical_pmf(samples: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Empirical law of ``samples``: ``(values, pmf)`` with :math:`\hat p(x) = N_x / N`.

    ``samples`` is 1-D (n,) or 2-D (n, k) with rows as joint outcomes; only observed values appear.
    Unitless.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.

    Returns
    -------
    values : numpy.ndarray
        The distinct observed outcomes (rows, for 2-D samples).
    pmf : numpy.ndarray
        Their relative frequencies, summing to 1.
    """
    arr = as_samples(samples, "samples")
    if arr.ndim == 1:
        vals, counts = np.unique(arr, return_counts=True)
    else:
        vals, counts = np.unique(arr, axis=0, return_counts=True)
    return vals, counts / counts.sum()


def entropy_plugin(samples: ArrayLike, *, base: float = 2) -> float:
    r"""Plug-in (maximum-likelihood) entropy :math:`\hat H = -\sum_x \hat p(x) \log \hat p(x)`, :math:`\hat p = N_x/N`.

    Biased downward: :math:`E[\hat H] = H - \frac{K-1}{2N} + O(N^{-2})` (nats) for K outcomes of
    positive probability (Miller 1955); the exact bias is :func:`plugin_bias`.  ``samples`` is 1-D or
    2-D (rows are joint outcomes).  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The plug-in estimate :math:`H(\hat p)`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    return entropy_nats(c / c.sum(), lb)


def entropy_miller_madow(samples: ArrayLike, *, base: float = 2) -> float:
    r"""Miller–Madow entropy :math:`\hat H_{MM} = \hat H + \frac{\hat K - 1}{2N}` (the correction in nats).

    :math:`\hat K` is the number of distinct observed outcomes.  Removes the leading
    :math:`O(1/N)` bias of :func:`entropy_plugin`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The Miller–Madow estimate, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    n = c.sum()
    return entropy_nats(c / n, lb) + (len(c) - 1) / (2 * n) / lb


_METHODS = ("plugin", "miller_madow", "jackknife", "chao_shen")


def _estimates_from_counts(counts: np.ndarray, method: str) -> np.ndarray:
    """Entropy estimates in nats from count vectors (one per row; zeros allowed)."""
    counts = as_float(counts, "counts")
    n = counts.sum(axis=1)
    q = counts / n[:, None]
    h = -xlogy(q, q).sum(axis=1)
    if method == "plugin":
        return h
    if method == "miller_madow":
        return h + ((counts > 0).sum(axis=1) - 1) / (2 * n)
    if method == "jackknife":
        m = n - 1  # leave one out: the count of the removed symbol drops by one
        s = xlogy(counts, counts).sum(axis=1)
        loo = np.log(m)[:, None] - (s[:, None] - xlogy(counts, counts) + xlogy(counts - 1, np.maximum(counts - 1, 1))) / m[:, None]
        mean_loo = (np.where(counts > 0, counts, 0.0) * np.where(counts > 0, loo, 0.0)).sum(axis=1) / n
        return n * h - m * mean_loo
    # Chao-Shen: coverage-adjusted probabilities in a Horvitz-Thompson sum
    f1 = (counts == 1).sum(axis=1)
    f1 = np.where(f1 == n, n - 1, f1)
    cov = 1 - f1 / n
    pa = cov[:, None] * q
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts > 0, -xlogy(pa, pa) / (1 - (1 - pa) ** n[:, None]), 0.0)
    return terms.sum(axis=1)


def entropy_jackknife(samples: ArrayLike, *, base: float = 2) -> float:
    r"""Jackknife entropy estimate (Zahl 1977) :math:`\hat H_{JK} = N \hat H_N - \frac{N-1}{N} \sum_{i=1}^N \hat H_{N-1}^{(-i)}`.

    :math:`\hat H_{N-1}^{(-i)}` is the plug-in estimate without sample :math:`i`; it depends only on the
    removed value, so the sum has one term per observed value, weighted by its count.  Each
    leave-one-out estimate is a plug-in estimate from :math:`N-1` i.i.d. draws, hence the exact bias
    :math:`N b_N - (N-1) b_{N-1}` with :math:`b_N` the plug-in bias (:func:`estimator_bias`): the
    :math:`1/N` term cancels.  Needs :math:`N \ge 2`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes. At least 2 draws.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The jackknife estimate, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    if c.sum() < 2:
        raise ValueError("samples must hold at least 2 draws for the jackknife")
    return float(_estimates_from_counts(c[None, :], "jackknife")[0]) / lb


def entropy_chao_shen(samples: ArrayLike, *, base: float = 2) -> float:
    r"""Chao–Shen entropy estimate (Chao and Shen 2003), for samples that miss part of the alphabet.

    With :math:`f_1` the number of values seen once, the sample coverage is :math:`\hat C = 1 - f_1/N`
    (:math:`f_1 = N - 1` if every value is a singleton), the coverage-adjusted probabilities are
    :math:`\tilde p_x = \hat C N_x / N`, and a Horvitz–Thompson sum divides each term by the probability
    that value :math:`x` is observed at all:
    :math:`\hat H_{CS} = -\sum_{x: N_x > 0} \frac{\tilde p_x \log \tilde p_x}{1 - (1 - \tilde p_x)^N}`.
    No closed-form bias; chapter 2 measures it by Monte Carlo against the exact biases of the others.
    Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The Chao–Shen estimate, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    return float(_estimates_from_counts(c[None, :], "chao_shen")[0]) / lb


def entropy_estimates(p: ArrayLike, n: int, repeats: int, method: str = "plugin", *, seed: SeedLike = None,
                      base: float = 2) -> np.ndarray:
    r"""``repeats`` independent estimates of :math:`H(p)` from ``n`` i.i.d. draws each (Monte Carlo).

    Draws the count vectors :math:`(N_x) \sim \mathrm{Multinomial}(n, p)` directly (vectorised) and
    applies ``method``: ``"plugin"`` (:func:`entropy_plugin`), ``"miller_madow"``
    (:func:`entropy_miller_madow`), ``"jackknife"`` (:func:`entropy_jackknife`, needs ``n >= 2``) or
    ``"chao_shen"`` (:func:`entropy_chao_shen`).  The values equal those functions applied to the
    corresponding samples.  Deterministic under ``seed``.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The true pmf.
    n : int
        Draws per estimate, >= 1 (>= 2 for ``"jackknife"``).
    repeats : int
        Number of independent estimates, >= 1.
    method : {"plugin", "miller_madow", "jackknife", "chao_shen"}, default "plugin"
        The estimator.
    seed : int, numpy.random.Generator or None, keyword-only
        Randomness (None: fresh entropy).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    numpy.ndarray, shape (repeats,)
        The estimates, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    repeats = check_int(repeats, "repeats", minimum=1)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if method == "jackknife" and n < 2:
        raise ValueError("n must be >= 2 for the jackknife")
    rng = as_rng(seed)
    if abs(p.sum() - 1.0) > 1e-12:  # within as_pmf's tolerance, but numpy's multinomial is stricter
        p = p / p.sum()
    counts = rng.multinomial(n, p, size=repeats)
    return _estimates_from_counts(counts, method) / lb


def estimator_bias(p: ArrayLike, n: int, method: str = "plugin", *, base: float = 2) -> float:
    r"""Exact expected bias :math:`E[\hat H] - H(p)` of an entropy estimator from ``n`` i.i.d. draws of ``p``.

    * ``"plugin"``: :func:`plugin_bias` (a sum over the binomial law of each count).
    * ``"miller_madow"``: plug-in bias :math:`+\, (E[\hat K] - 1)/(2n)` nats, with
      :math:`E[\hat K] = \sum_x (1 - (1 - p_x)^n)` the expected number of observed values.
    * ``"jackknife"``: :math:`n\, b_n - (n-1)\, b_{n-1}` with :math:`b` the plug-in bias, because each
      leave-one-out estimate is a plug-in estimate from :math:`n - 1` draws (needs ``n >= 2``).

    Exact to round-off, so estimators can be compared without Monte-Carlo noise.  Units of ``base``.
    Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The true pmf.
    n : int
        The number of draws, >= 1 (>= 2 for ``"jackknife"``).
    method : {"plugin", "miller_madow", "jackknife"}, default "plugin"
        The estimator.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The exact bias :math:`E[\hat H] - H(p)`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    if method not in ("plugin", "miller_madow", "jackknife"):
        raise ValueError(f"method must be 'plugin', 'miller_madow' or 'jackknife' (no closed form for others), got {method!r}")
    b = plugin_bias(p, n, base=math.e)
    if method == "miller_madow":
        with np.errstate(divide="ignore"):  # p_x = 1: log1p(-1) = -inf, and the value is surely observed
            expected_k = float(-np.expm1(n * np.log1p(-p)).sum())
        b += (expected_k - 1) / (2 * n)
    elif method == "jackknife":
        if n < 2:
            raise ValueError("n must be >= 2 for the jackknife")
        b = n * b - (n - 1) * plugin_bias(p, n - 1, base=math.e)
    return b / lb


def plugin_bias(p: ArrayLike, n: int, *, base: float = 2) -> float:
    r"""Exact expected bias :math:`E[\hat H_N] - H(p)` of the plug-in entropy from ``n`` i.i.d. draws of ``p``.

    Each count is binomial, :math:`N_x \sim \mathrm{Bin}(n, p_x)`, so by linearity
    :math:`E[\hat H] = -\sum_x \sum_{k=0}^n \binom{n}{k} p_x^k (1-p_x)^{n-k} \frac{k}{n}\log\frac{k}{n}`,
    computed exactly (to round-off) so that tests and figures can compare an estimator's average with
    the truth instead of the asymptotic :math:`-(K-1)/2N`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The true pmf.
    n : int
        The number of draws, >= 1.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The exact bias :math:`E[\hat H_N] - H(p) \le 0`, in units of log ``base`` (bits by default).
    """
    from scipy.special import gammaln, xlog1py

    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    k = np.arange(n + 1, dtype=float)
    f = -xlogy(k / n, k / n)
    log_choose = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
    expected = 0.0
    chunk = max(1, 2_000_000 // (n + 1))  # bound the (chunk, n+1) temporary
    for s in range(0, p.size, chunk):
        px = p[s : s + chunk, None]
        # binomial log-pmf; xlogy/xlog1py give 0*log 0 = 0 at p_x = 0 or 1
        pk = np.exp(log_choose[None, :] + xlogy(k[None, :], px) + xlog1py(n - k[None, :], -px))
        expected += float((pk @ f).sum())
    return (expected - entropy_nats(p, 1.0)) / lb


def mutual_information_plugin(x: ArrayLike, y: ArrayLike, *, base: float = 2) -> float:
    r"""Plug-in mutual information :math:`\hat I(X;Y) = \hat H(X) + \hat H(Y) - \hat H(X,Y)` from paired samples.

    ``x`` and ``y`` are 1-D arrays of equal length n >= 1.  Biased upward by about
    :math:`\frac{(K_X-1)(K_Y-1)}{2N}` nats under independence.  Units of ``base``.  Chapters 2, 8.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Paired samples, n >= 1.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The plug-in estimate :math:`\hat I(X;Y) \ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    xa = as_samples(x, "x")
    ya = as_samples(y, "y")
    if xa.ndim != 1:
        raise ValueError(f"x must be a 1-D sample array, got shape {xa.shape}")
    if ya.ndim != 1:
        raise ValueError(f"y must be a 1-D sample array, got shape {ya.shape}")
    if len(xa) != len(ya):
        raise ValueError(f"x and y must have the same length, got {len(xa)} and {len(ya)}")
    _, xi = np.unique(xa, return_inverse=True)
    _, yi = np.unique(ya, return_inverse=True)
    n = len(xa)
    nx, ny = np.bincount(xi), np.bincount(yi)
    pairs, nxy = np.unique(xi.astype(np.int64) * len(ny) + yi, return_counts=True)
    a, b = pairs // len(ny), pairs % len(ny)
    # sum_xy (n_xy/n) log(n n_xy / (n_x n_y)): the MI of the empirical joint law, over observed pairs only
    val = float((nxy / n * np.log(n * nxy / (nx[a] * ny[b].astype(float)))).sum())
    return clip_roundoff(val, np.float64, len(pairs)) / lb
