"""The LLaDA loss, exactly and by Monte Carlo: by masked count, its integrand, the moments of its estimators,
the Bayes posterior of the forward process and the discrete-time ELBO.  Chapter 16 (see :mod:`semtheory.diffusion`)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validate import as_float, as_rng, check_choice, check_int, check_probability, log_base
from ..core.results import Estimate
from ..core.types import ArrayLike, FloatArray, SeedLike
from ._common import MAX_CELLS, all_sequences, check_law, check_pair, flat_table, row_index, visible_one_hot
from .forward import forward_mask, mask_patterns, mask_probabilities, mask_weights, sample_sequences


def _pattern_losses(p, q, n, V) -> np.ndarray:
    r"""Array (2^n, n): :math:`\E_p[-\ln q(X_i \mid z_m(X))]` for pattern m and masked position i (0 if unmasked), nats."""
    X = all_sequences(n, V)
    px = p.reshape(-1)
    keep = px > 0
    X, px = X[keep], px[keep]
    qf = flat_table(q, n, V)
    masks = mask_patterns(n)
    out = np.zeros((masks.shape[0], n))
    rows = np.arange(X.shape[0])[:, None]
    cols = np.arange(n)[None, :]
    for mi, m in enumerate(masks):
        if not m.any():
            continue
        Zm = np.where(m, V, X)
        qx = qf[row_index(Zm, n, V)][rows, cols, X]  # (N, n): q(x_i | z_m(x))
        with np.errstate(divide="ignore"):
            nll = -np.log(qx)
        out[mi] = np.where(m, px @ np.where(m, nll, 0.0), 0.0)
    return out


def llada_loss(p: ArrayLike, q: ArrayLike, *, base: float = 2) -> float:
    r"""Exact LLaDA loss :math:`\mathcal L(q) = \E_t\E_{x_0, z}\bigl[\tfrac1t \sum_{i:\,z^i=M} -\log q(x_0^i\mid z)\bigr]`, :math:`t\sim U[0,1]`.

    Computed as :math:`\sum_m w_m \sum_{i \in m}\E_p[-\log q(X_i \mid z_m(X))]` with the exact Beta weights
    :math:`w_m = 1/(|m|\binom{n}{|m|})` of :func:`mask_weights` (no Monte Carlo).  ``p`` is the data law, shape
    (V,)*n; ``q`` a predictor table.  Equals :func:`any_order_loss`; at least :math:`H(X^n)`, with equality at
    :func:`exact_conditionals`.  Per sequence, units of ``base`` (bits by default); ``inf`` if ``q`` gives
    probability 0 to a token the data can produce.  Chapter 16.

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
    lb = log_base(base)
    p, q, n, V = check_pair(p, q)
    return float(mask_weights(n) @ _pattern_losses(p, q, n, V).sum(axis=1)) / lb


def loss_by_masked_count(p: ArrayLike, q: ArrayLike, *, base: float = 2) -> FloatArray:
    r"""The loss split by the number :math:`k` of masked tokens: entry ``k-1`` is :math:`c_k = \binom nk^{-1}\sum_{|m|=k}\frac1k\sum_{i\in m}\E_p[-\log q(X_i\mid z_m)]`.

    :math:`c_k` is the expected loss of the token predicted when :math:`k` tokens are still masked in a
    uniformly random order, so :math:`\sum_k c_k =` :func:`llada_loss`; at the exact conditionals :math:`c_k` is
    the average conditional entropy of one token given :math:`n-k` random others.  Shape (n,), units of
    ``base``.  Chapter 16.

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
    numpy.ndarray of float, shape (n,)
        :math:`c_k`, units of log ``base``.
    """
    lb = log_base(base)
    p, q, n, V = check_pair(p, q)
    per = mask_weights(n) * _pattern_losses(p, q, n, V).sum(axis=1)
    k = mask_patterns(n).sum(axis=1)
    return np.array([per[k == j].sum() for j in range(1, n + 1)]) / lb


def loss_integrand(p: ArrayLike, q: ArrayLike, t: ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""The integrand :math:`g(t) = \frac1t\,\E_{x_0}\E_{z\mid x_0,t}[\sum_{i:\,z^i=M} -\log q(x_0^i\mid z)]` at ratios ``t`` in (0, 1].

    :math:`\int_0^1 g(t)\dd t =` :func:`llada_loss`.  ``t`` a scalar or 1-D array; returns an array of its shape.
    Units of ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    t : float or array_like, 1-D
        Ratios in (0, 1].
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray of float, shape of ``t``
        :math:`g(t)`, units of log ``base`` per sequence (a float for a scalar ``t``).
    """
    lb = log_base(base)
    p, q, n, V = check_pair(p, q)
    tt = np.atleast_1d(as_float(t, "t"))
    if tt.ndim != 1 or not np.all(np.isfinite(tt)) or np.any(tt <= 0) or np.any(tt > 1):
        raise ValueError(f"t must be a ratio in (0, 1] or a 1-D array of them, got {t!r}")
    per = _pattern_losses(p, q, n, V).sum(axis=1)
    k = mask_patterns(n).sum(axis=1)
    vals = np.array([np.sum(per * s ** (k - 1.0) * (1 - s) ** (n - k)) for s in tt]) / lb
    return vals.reshape(np.shape(t)) if np.ndim(t) else vals[0]


_ESTIMATORS = ("ratio", "count")


def llada_loss_mc(p: ArrayLike, q: ArrayLike, n_samples: int, *, base: float = 2, seed: SeedLike = None,
                  estimator: str = "ratio", t_min: float = 0.0) -> Estimate:
    r"""Monte-Carlo estimate of the LLaDA loss from ``n_samples`` draws; returns an :class:`~semtheory.core.Estimate` ``(mean, se)``.

    ``estimator="ratio"`` (training): draw :math:`x_0 \sim p`, :math:`u \sim U(0,1]`, the ratio
    :math:`t = t_{\min} + (1 - t_{\min})u` (LLaDA's code floors it with :math:`t_{\min} = 10^{-3}`), mask
    each token with probability :math:`t` and score :math:`v = \frac1t\sum_{\rm masked}-\log q`.  With
    ``t_min=0`` it is unbiased but its variance is infinite (:func:`estimator_moments`), so the returned
    standard error is not a valid error bar; with ``t_min > 0`` the variance is finite and the mean is
    :math:`\frac{1}{1-t_{\min}}\int_{t_{\min}}^1 g(t)\dd t` (:func:`loss_integrand`), biased by
    :math:`O(t_{\min})`.  ``estimator="count"`` (LLaDA's likelihood evaluation): draw :math:`\ell` uniform
    in :math:`\{1..n\}`, mask :math:`\ell` positions chosen uniformly without replacement and score
    :math:`v = \frac n\ell\sum_{\rm masked}-\log q`: unbiased, weight at most :math:`n`, finite variance
    (``t_min`` is ignored).  Units of ``base``; deterministic under ``seed``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    n_samples : int
        Draws, >= 2.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.
    estimator : {"ratio", "count"}, keyword-only, default "ratio"
        The estimator (see :func:`estimator_moments`).
    t_min : float, keyword-only, default 0.0
        Floor :math:`t_{\min}` of the ratio.

    Returns
    -------
    Estimate
        ``mean`` (the sample mean of the draws) and ``se`` (its standard error), units of log ``base`` per
        sequence; it unpacks as ``mean, se``.
    """
    lb = log_base(base)
    p, q, n, V = check_pair(p, q)
    N = check_int(n_samples, "n_samples", minimum=2)
    est = check_choice(estimator, "estimator", _ESTIMATORS)
    eps = check_probability(t_min, "t_min")
    if eps >= 1:
        raise ValueError(f"t_min must be < 1, got {t_min!r}")
    rng = as_rng(seed)
    x = sample_sequences(p, N, seed=rng)
    if est == "ratio":
        t = 1.0 - rng.random(N)  # (0, 1]
        t = eps + (1.0 - eps) * t
        z = forward_mask(x, t, vocab_size=V, seed=rng)
        weight = 1.0 / t
    else:
        ell = rng.integers(1, n + 1, size=N)
        ranks = np.argsort(rng.random((N, n)), axis=1).argsort(axis=1)  # a uniform random order per row
        z = np.where(ranks < ell[:, None], V, x)  # mask the first ell positions of that order
        weight = n / ell
    qx = flat_table(q, n, V)[row_index(z, n, V)][np.arange(N)[:, None], np.arange(n)[None, :], x]
    with np.errstate(divide="ignore"):
        vals = np.where(z == V, -np.log(qx), 0.0).sum(axis=1) * weight / lb
    return Estimate(float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(N)))


class EstimatorMoments(NamedTuple):
    r"""Exact ``mean`` and ``variance`` of one draw of a Monte-Carlo LLaDA estimator (units of ``base``, squared
    for the variance); ``variance`` is ``inf`` when the second moment diverges.

    Attributes
    ----------
    mean : float
        Units of log ``base``.
    variance : float
        Squared units; ``inf`` when the second moment diverges.
    """

    mean: float
    variance: float


def _pattern_moments(p, q, n, V):
    r"""(2^n,) arrays :math:`\E_p[S_m]` and :math:`\E_p[S_m^2]`, :math:`S_m(x) = \sum_{i\in m} -\ln q(x_i\mid z_m(x))` (nats)."""
    X = all_sequences(n, V)
    px = p.reshape(-1)
    keep = px > 0
    X, px = X[keep], px[keep]
    qf = flat_table(q, n, V)
    masks = mask_patterns(n)
    m1, m2 = np.zeros(masks.shape[0]), np.zeros(masks.shape[0])
    rows, cols = np.arange(X.shape[0])[:, None], np.arange(n)[None, :]
    for mi, m in enumerate(masks):
        if not m.any():
            continue
        qx = qf[row_index(np.where(m, V, X), n, V)][rows, cols, X]
        with np.errstate(divide="ignore"):
            S = np.where(m, -np.log(qx), 0.0).sum(axis=1)
        m1[mi], m2[mi] = px @ S, px @ S**2
    return m1, m2


def _power_integral(a: int, b: int, eps: float) -> float:
    r""":math:`\int_\varepsilon^1 s^a (1-s)^b \dd s` for integers :math:`a \ge -1`, :math:`b \ge 0` (``inf`` for a = -1, eps = 0)."""
    from scipy.special import beta as _beta, betainc

    if a >= 0:
        return float(_beta(a + 1, b + 1) * (1.0 - betainc(a + 1, b + 1, eps))) if eps > 0 else float(_beta(a + 1, b + 1))
    if eps == 0:
        return math.inf
    # (1-s)^b / s = 1/s - sum_{j<b} (1-s)^j
    return -math.log(eps) - sum((1 - eps) ** (j + 1) / (j + 1) for j in range(b))


def estimator_moments(p: ArrayLike, q: ArrayLike, *, estimator: str = "ratio", t_min: float = 0.0,
                      base: float = 2) -> EstimatorMoments:
    r"""Exact mean and variance of one draw of :func:`llada_loss_mc`'s estimator, by enumeration.

    With :math:`S_m(x) = \sum_{i\in m} -\log q(x_i \mid z_m(x))` and :math:`k = |m|`:

    * ``"ratio"`` with floor :math:`\varepsilon` = ``t_min``: :math:`\E[v^r] = \frac{1}{1-\varepsilon}\sum_m
      \E_p[S_m^r]\int_\varepsilon^1 t^{k-r}(1-t)^{n-k}\dd t`, :math:`r = 1, 2`.  At :math:`\varepsilon = 0`
      the one-token patterns give :math:`\int_0^1 t^{-1}(1-t)^{n-1}\dd t = \infty`: the variance is infinite
      as soon as some single-mask loss is positive; for small :math:`\varepsilon` it grows like
      :math:`\log(1/\varepsilon)\sum_{|m|=1}\E_p[S_m^2]`.
    * ``"count"``: :math:`\E[v^r] = \sum_m \frac1n\binom nk^{-1}(n/k)^r\,\E_p[S_m^r]`; the mean is
      :func:`llada_loss`.

    Units of ``base`` (variance in squared units).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    estimator : {"ratio", "count"}, keyword-only, default "ratio"
        The estimator.
    t_min : float, keyword-only, default 0.0
        Floor of the ratio.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    EstimatorMoments
        Exact mean and variance of one draw.
    """
    lb = log_base(base)
    p, q, n, V = check_pair(p, q)
    est = check_choice(estimator, "estimator", _ESTIMATORS)
    eps = check_probability(t_min, "t_min")
    if eps >= 1:
        raise ValueError(f"t_min must be < 1, got {t_min!r}")
    m1, m2 = _pattern_moments(p, q, n, V)
    k = mask_patterns(n).sum(axis=1)
    pos = k > 0
    if est == "count":
        w = np.zeros(k.size)
        w[pos] = 1.0 / (n * np.array([math.comb(n, int(j)) for j in k[pos]], dtype=float))
        mean = float(np.sum(w[pos] * (n / k[pos]) * m1[pos]))
        second = float(np.sum(w[pos] * (n / k[pos]) ** 2 * m2[pos]))
    else:
        ints1 = {j: _power_integral(j - 1, n - j, eps) for j in range(1, n + 1)}
        ints2 = {j: _power_integral(j - 2, n - j, eps) for j in range(1, n + 1)}
        mean = sum(ints1[int(j)] * a for j, a in zip(k[pos], m1[pos])) / (1 - eps)
        second = sum(ints2[int(j)] * b for j, b in zip(k[pos], m2[pos]) if b > 0) / (1 - eps)
    var = second - mean**2 if math.isfinite(second) else math.inf
    return EstimatorMoments(float(mean) / lb, max(float(var), 0.0) / lb**2 if math.isfinite(var) else math.inf)


def bayes_posterior(p: ArrayLike, t: float) -> FloatArray:
    r"""The posterior :math:`P(x_0^i = v \mid x_t = z, t)` of the forward process at ratio ``t``, by brute-force Bayes.

    Enumerates every clean sequence :math:`x_0` and every mask pattern :math:`m`, with joint probability
    :math:`p(x_0)\,t^{|m|}(1-t)^{n-|m|}`, accumulates it on :math:`z = z_m(x_0)` and normalises.  The factor
    of :math:`t` is the same for every :math:`x_0` compatible with :math:`z`, so it cancels: the result equals
    :func:`exact_conditionals` for every ``t`` in (0, 1), which is why the mask predictor needs no time
    input (Ou et al. 2024).  Rows of unreachable ``z`` and of visible positions follow
    :func:`exact_conditionals`' conventions.  Shape ``(V+1,)*n + (n, V)``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    t : float
        Mask ratio in (0, 1).

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    p, n, V = check_law(p, "p")
    t = check_probability(t, "t")
    if not 0 < t < 1:
        raise ValueError(f"t must lie in (0, 1), got {t!r}")
    if (V + 1) ** n * n * V > MAX_CELLS:
        raise ValueError(f"p of length {n} over {V} symbols is too large to enumerate")
    X = all_sequences(n, V)
    px = p.reshape(-1)
    num = np.zeros(((V + 1) ** n, n, V))
    tot = np.zeros((V + 1) ** n)
    for m, pm in zip(mask_patterns(n), mask_probabilities(n, t)):
        rows = row_index(np.where(m, V, X), n, V)
        w = px * pm
        np.add.at(tot, rows, w)
        for i in np.nonzero(m)[0]:
            np.add.at(num, (rows, i, X[:, i]), w)
    out, Z = visible_one_hot(n, V)
    hid = Z == V
    ok = (tot > 0)[:, None] & hid
    out[hid] = 1.0 / V
    out[ok] = num[ok] / np.broadcast_to(tot[:, None], hid.shape)[ok][:, None]
    return out.reshape((V + 1,) * n + (n, V))


def discrete_time_loss(p: ArrayLike, q: ArrayLike, steps: int, *, base: float = 2) -> float:
    r"""The masked-diffusion ELBO with ``steps`` = :math:`T` discrete steps and the linear schedule :math:`t_i = i/T`.

    .. math:: \mathcal L_T(q) = \sum_{i=1}^{T} \frac{t_i - t_{i-1}}{t_i}\,
              \E_{x_0}\E_{z\mid x_0, t_i}\Bigl[\sum_{j:\, z^j = M} -\log q(x_0^j \mid z)\Bigr]
              = \sum_{i=1}^T \frac1i\,\E[\cdots]_{t = i/T}

    (Shi et al. 2024): the negative ELBO of the :math:`T`-step reverse process that, going from :math:`t_i` to
    :math:`t_{i-1}`, unmasks each masked token independently with probability :math:`1/i` and draws it from
    :math:`q`.  Computed from this definition with :func:`mask_probabilities`; it equals the right Riemann sum
    :math:`\frac1T\sum_i g(i/T)` of :func:`loss_integrand` and tends to :func:`llada_loss` as
    :math:`T\to\infty`.  At :math:`T = 1` it is :math:`\E[\sum_j -\log q(x_0^j \mid M^n)]`.  Per sequence,
    units of ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    steps : int
        :math:`T` >= 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q, n, V = check_pair(p, q)
    T = check_int(steps, "steps", minimum=1)
    per = _pattern_losses(p, q, n, V).sum(axis=1)
    return float(sum(mask_probabilities(n, i / T) @ per / i for i in range(1, T + 1))) / lb
