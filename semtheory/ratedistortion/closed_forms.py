r"""Closed forms and bounds: binary/Hamming, Gaussian and log-loss :math:`R(D)`, reverse water-filling, a
discretised Gaussian, Gauss–Markov sources (sequential and classical), the entropy-coded scalar quantiser and
Shannon's lower bound (chapter 5).  Part of :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import measures
from .._validate import as_pmf, as_real_array, check_int, check_positive, check_probability, log_base
from ._common import as_output, check_ar, lse, reject_complex
from ..core.types import ArrayLike, FloatArray


def binary_hamming_rd(p: float, D: float | ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Rate-distortion function of a Bernoulli(``p``) source under Hamming distortion.

    .. math:: R(D) = h(p) - h(D) \quad (0 \le D < \min(p, 1-p)), \qquad R(D) = 0 \text{ otherwise}

    (Cover & Thomas, Thm 10.3.1).  ``D`` may be an array.  Its slope is :math:`R'(D) = -\log\frac{1-D}{D}`, so the
    point of slope :math:`-\beta` (nats) is :math:`D = 1/(1+e^{\beta})`.  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    p : float
        The source's probability of a 1, in [0, 1].
    D : float or array_like
        Hamming distortion(s), each >= 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray
        :math:`R(D)` in units of log ``base`` (bits by default); an array shaped like ``D`` when ``D`` is one.

    Examples
    --------
    >>> round(binary_hamming_rd(0.5, 0.11), 4)
    0.5001
    """
    p = check_probability(p, "p")
    D = as_real_array(D, "D", nonempty=False, minimum=0)
    lb = log_base(base)
    m = min(p, 1 - p)
    h = lambda x: measures.binary_entropy(x, base=math.e)  # noqa: E731
    with np.errstate(invalid="ignore"):
        val = np.where(D < m, (h(p) - h(np.minimum(D, 0.5))) / lb, 0.0)
    return as_output(np.maximum(val, 0.0))


def gaussian_rd(variance: float, D: float | ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Rate-distortion function of a Gaussian :math:`N(\mu, \sigma^2)` source under squared error.

    .. math:: R(D) = \max\left(0, \tfrac12 \log \frac{\sigma^2}{D}\right), \qquad D > 0

    (Cover & Thomas, Thm 10.3.2).  ``D`` may be an array (every entry > 0).  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    variance : float
        Source variance :math:`\sigma^2 > 0`.
    D : float or array_like
        Mean squared error(s), each > 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray
        :math:`R(D)` in units of log ``base`` (bits by default), shaped like ``D``.

    Examples
    --------
    >>> gaussian_rd(1.0, 0.25)
    1.0
    """
    s2 = check_positive(variance, "variance")
    D = as_real_array(D, "D", nonempty=False, minimum=0)
    if (D <= 0).any():
        raise ValueError("D must be > 0 (R(0) is infinite for a continuous source)")
    lb = log_base(base)
    return as_output(np.maximum(0.5 * np.log(s2 / D), 0.0) / lb)


def log_loss_rd(p: ArrayLike, D: float | ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Rate-distortion function under log-loss, :math:`d(x, q) = -\log q(x)`, with reproductions all pmfs on :math:`\mathcal X`.

    .. math:: R(D) = \max\bigl(0, H(X) - D\bigr)

    (Courtade & Weissman 2014): :math:`I(X;Y) = H(X) - H(X \mid Y) \ge H(X) - \mathbb E[-\log q_Y(X)]`, with
    equality when every reproduction is the posterior it induces; erasing :math:`X` with probability
    :math:`1 - R/H` achieves it.  ``D`` (units of ``base``, like the rate) may be an array.  Chapter 5.

    Parameters
    ----------
    p : array_like, shape (m,)
        The source pmf.
    D : float or array_like
        Log-loss distortion(s) (expected cross-entropy), each >= 0, in units of log ``base``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats); the unit of both ``D`` and the rate.

    Returns
    -------
    float or numpy.ndarray
        :math:`R(D)` in units of log ``base`` (bits by default), shaped like ``D``.

    Examples
    --------
    >>> log_loss_rd([0.5, 0.5], 0.25)
    0.75
    """
    p = as_pmf(p, "p")
    D = as_real_array(D, "D", nonempty=False, minimum=0)
    return as_output(np.maximum(measures.entropy(p, base=base) - D, 0.0))


class ReverseWaterFilling(NamedTuple):
    r"""Reverse water-filling solution: ``rate`` (per component, units of ``base``), water ``level`` and the
    per-component distortions ``distortions`` (their mean is the ``D`` asked for).

    Attributes
    ----------
    rate : float
        :math:`R(D)` per component, in units of log ``base``.
    level : float
        The water level :math:`\theta`, in the units of the variances.
    distortions : numpy.ndarray, shape (k,)
        Per-component distortions :math:`\min(\theta, \sigma_i^2)`, in the units of the variances.
    """

    rate: float
    level: float
    distortions: np.ndarray


def reverse_water_filling(variances: ArrayLike, D: float | ArrayLike, *, base: float = 2) -> ReverseWaterFilling:
    r"""Reverse water-filling for independent Gaussian components :math:`N(0, \sigma_i^2)`, :math:`i = 1..k`.

    .. math:: R(D) = \frac1k \sum_i \max\Bigl(0, \tfrac12\log\frac{\sigma_i^2}{\theta}\Bigr), \qquad
              \frac1k \sum_i \min(\theta, \sigma_i^2) = D,

    rate and distortion *per component* (Cover & Thomas, Thm 10.3.3).  Stationarity of the Lagrangian gives
    :math:`D_i = \theta` on every component with :math:`\sigma_i^2 > \theta`.  Applied to the eigenvalues of a
    covariance matrix it is the rate-distortion function of a Gaussian vector (per coordinate).
    ``0 < D``; for :math:`D \ge` mean variance the rate is 0.  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    variances : array_like, shape (k,)
        Component variances :math:`\sigma_i^2 > 0`.
    D : float
        Target mean squared error per component, > 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ReverseWaterFilling
        ``rate`` per component in units of log ``base`` (bits by default), the water ``level`` and the
        per-component ``distortions``.

    Examples
    --------
    >>> reverse_water_filling([4.0, 1.0], 1.0).rate
    0.5
    """
    lb = log_base(base)
    v = as_real_array(variances, "variances", nonempty=False, minimum=0)
    if v.ndim != 1:
        raise ValueError(f"variances must be a 1-D array, got shape {v.shape}")
    if v.size == 0 or (v <= 0).any():
        raise ValueError("variances must be a non-empty array of positive numbers")
    D = check_positive(D, "D")
    if D >= v.mean():
        return ReverseWaterFilling(0.0, float(v.max()), v.copy())
    s = np.sort(v)
    k = v.size
    # find theta with mean(min(theta, v)) = D: piecewise linear, increasing in theta
    csum = np.concatenate([[0.0], np.cumsum(s)])
    theta = None
    for j in range(k):  # theta in [s[j-1], s[j]]: components 0..j-1 below theta
        th = (k * D - csum[j]) / (k - j)
        lo = s[j - 1] if j > 0 else 0.0
        if lo <= th <= s[j]:
            theta = th
            break
    if theta is None:  # pragma: no cover - guarded by D < mean(v)
        raise ValueError("no water level found")
    Di = np.minimum(theta, v)
    rate = float(np.maximum(0.5 * np.log(v / theta), 0.0).sum() / k)
    return ReverseWaterFilling(rate / lb, float(theta), Di)


def discrete_gaussian(variance: float, spacing: float, width: float = 9.0) -> tuple[np.ndarray, np.ndarray]:
    r"""A discrete Gaussian on the lattice :math:`\delta\mathbb Z \cap [-w\sigma, w\sigma]`: ``(points, pmf)``.

    :math:`p(x_i) \propto e^{-x_i^2/(2\sigma^2)}`.  For :math:`\delta \ll \sigma` its squared-error
    rate-distortion function equals :math:`\tfrac12\log(\sigma^2/D)` up to terms of order
    :math:`e^{-2\pi^2 D(\sigma^2-D)/(\sigma^2\delta^2)}` (lattice sums of Gaussians are flat to that order, so
    the Gaussian test channel :math:`X = Y + Z` exists on the lattice and meets the Shannon lower bound), which
    is how the book checks the Gaussian closed form with Blahut–Arimoto.  ``width`` is in standard deviations.
    Chapter 5.

    Parameters
    ----------
    variance : float
        Variance :math:`\sigma^2 > 0` of the Gaussian.
    spacing : float
        Lattice spacing :math:`\delta > 0`.
    width : float, default 9.0
        Half-width of the support in standard deviations.

    Returns
    -------
    points : numpy.ndarray, shape (m,)
        The lattice points, in the units of :math:`\sigma`.
    pmf : numpy.ndarray, shape (m,)
        Their probabilities (sum 1).
    """
    s2 = check_positive(variance, "variance")
    delta = check_positive(spacing, "spacing")
    w = check_positive(width, "width")
    half = int(math.floor(w * math.sqrt(s2) / delta + 1e-9))
    if 2 * half + 1 > 100_000:
        raise ValueError("spacing is too fine for this width (more than 100000 points)")
    if half < 1:
        raise ValueError("spacing must be smaller than width * standard deviation")
    x = delta * np.arange(-half, half + 1)
    logp = -(x**2) / (2 * s2)
    p = np.exp(logp - lse(logp))
    return x, p / p.sum()


def _positive_D(D) -> np.ndarray:
    D = as_real_array(D, "D", nonempty=False, minimum=0)
    if (D <= 0).any():
        raise ValueError("D must be > 0")
    return D


def gauss_markov_sequential_rd(a: float, noise_variance: float, D: float | ArrayLike, *,
        base: float = 2) -> float | FloatArray:
    r"""Sequential (nonanticipative) rate-distortion function of the stationary Gauss–Markov source, per symbol.

    For :math:`x_t = a x_{t-1} + w_t`, :math:`w_t \sim N(0, \sigma_w^2)`, :math:`|a| < 1`, under the average
    squared error,

    .. math:: R^{\mathrm{seq}}(D) = \max\Bigl(0, \tfrac12 \log\Bigl(a^2 + \frac{\sigma_w^2}{D}\Bigr)\Bigr).

    Derivation (chapter 5): the optimal causal test channel of a Gauss–Markov source is linear-Gaussian and
    realised by a Kalman filter (Tatikonda, Sahai & Mitter 2004; Tanaka et al. 2017), whose step :math:`t`
    costs :math:`\tfrac12\log(M_t/P_t)` with prior variance :math:`M_t = a^2 P_{t-1} + \sigma_w^2` and posterior
    variance :math:`P_t` (the distortion).  In the stationary regime :math:`P_t = D` this is the formula, and
    Jensen's inequality on the convex map :math:`P \mapsto \log(a^2 + \sigma_w^2/P)` shows no time-varying
    allocation does better in the limit.  It is zero at :math:`D = \sigma_x^2 = \sigma_w^2/(1-a^2)`.  Checked
    numerically against :func:`gauss_markov_sequential_rd_finite` and a discretised source solved by
    :func:`directed_blahut_arimoto`.  ``D`` may be an array.  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    a : float
        AR(1) coefficient, :math:`|a| < 1`.
    noise_variance : float
        Innovation variance :math:`\sigma_w^2 > 0`.
    D : float or array_like
        Per-symbol mean squared error(s), each > 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray
        :math:`R^{\mathrm{seq}}(D)` per symbol in units of log ``base`` (bits by default), shaped like ``D``.

    Examples
    --------
    >>> round(gauss_markov_sequential_rd(0.0, 1.0, 0.25), 12)
    1.0
    """
    a, w = check_ar(a, noise_variance)
    D = _positive_D(D)
    lb = log_base(base)
    return as_output(np.maximum(0.5 * np.log(a * a + w / D), 0.0) / lb)


def gauss_markov_sequential_rd_finite(a: float, noise_variance: float, D: float | ArrayLike, n: int, *,
        initial_variance: float | None = None, base: float = 2) -> float:
    r"""Finite-horizon sequential rate-distortion function of a Gauss–Markov source, per symbol.

    The scalar instance of the semidefinite program of Tanaka et al. (2017): over posterior variances
    :math:`P_1..P_n`,

    .. math:: \min \frac1n \sum_{t=1}^n \tfrac12 \log\frac{M_t}{P_t}\quad\text{s.t.}\quad
              0 < P_t \le M_t,\ \ M_1 = \sigma_1^2,\ M_t = a^2 P_{t-1} + \sigma_w^2,\ \
              \frac1n\sum_t P_t \le D,

    a convex problem once written as
    :math:`\tfrac12[\log\sigma_1^2 - \log P_n + \sum_{t<n}\log(a^2 + \sigma_w^2/P_t)]` with linear constraints
    (solved with SLSQP).  ``initial_variance`` :math:`\sigma_1^2` defaults to the stationary
    :math:`\sigma_w^2/(1-a^2)`.  :math:`n = 1` gives :math:`\tfrac12\log(\sigma_1^2/D)`; as :math:`n \to \infty` it tends
    to :func:`gauss_markov_sequential_rd`.  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    a : float
        AR(1) coefficient, :math:`|a| < 1`.
    noise_variance : float
        Innovation variance :math:`\sigma_w^2 > 0`.
    D : float
        Per-symbol mean squared error, > 0.
    n : int
        Horizon, at least 1.
    initial_variance : float, keyword-only, optional
        Variance :math:`\sigma_1^2 > 0` of :math:`X_1` (default the stationary :math:`\sigma_w^2/(1-a^2)`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The finite-horizon sequential rate per symbol, in units of log ``base`` (bits by default).
    """
    from scipy.optimize import minimize

    a, w = check_ar(a, noise_variance)
    D = check_positive(D, "D")
    n = check_int(n, "n", minimum=1, maximum=10_000)
    lb = log_base(base)
    s1 = w / (1 - a * a) if initial_variance is None else check_positive(initial_variance, "initial_variance")
    # largest average distortion reachable with zero rate: the open-loop variances
    M = np.empty(n)
    M[0] = s1
    for t in range(1, n):
        M[t] = a * a * M[t - 1] + w
    if D >= M.mean():
        return 0.0
    if n == 1:
        return 0.5 * math.log(s1 / D) / lb

    def f(P):
        return 0.5 * (math.log(s1) - math.log(P[-1]) + np.log(a * a + w / P[:-1]).sum())

    def g(P):
        out = np.empty(n)
        out[:-1] = -0.5 * w / (P[:-1] * (a * a * P[:-1] + w))
        out[-1] = -0.5 / P[-1]
        return out

    A = np.zeros((n, n))  # M_t - P_t >= 0 : a^2 P_{t-1} + w - P_t >= 0 (t >= 2), s1 - P_1 >= 0
    A[0, 0] = -1.0
    for t in range(1, n):
        A[t, t - 1] = a * a
        A[t, t] = -1.0
    b = np.full(n, w)
    b[0] = s1
    cons = [
        {"type": "ineq", "fun": lambda P: A @ P + b, "jac": lambda P: A},
        {"type": "ineq", "fun": lambda P: np.array([n * D - P.sum()]), "jac": lambda P: -np.ones((1, n))},
    ]
    x0 = np.full(n, min(D, s1) * (1 - 1e-9))
    res = minimize(f, x0, jac=g, constraints=cons, bounds=[(D * 1e-6, None)] * n, method="SLSQP",
                   options={"ftol": 1e-15, "maxiter": 2000})
    P = np.maximum(res.x, D * 1e-6)
    # make the solution exactly feasible (SLSQP may overstep a constraint by ~1e-10): clip each variance to
    # its prior, then scale down to meet the budget (scaling down keeps every P_t <= a^2 P_{t-1} + w)
    P[0] = min(P[0], s1)
    for t in range(1, n):
        P[t] = min(P[t], a * a * P[t - 1] + w)
    P *= min(1.0, n * D / P.sum())
    return float(f(P) / n / lb)


def gauss_markov_block_rd(a: float, noise_variance: float, D: float | ArrayLike, n: int, *, base: float = 2) -> float:
    r"""Shannon's rate-distortion function of :math:`n` consecutive samples of the stationary Gauss–Markov source, per symbol.

    Reverse water-filling (:func:`reverse_water_filling`) on the eigenvalues of the Toeplitz covariance
    :math:`\Sigma_{ij} = \sigma_x^2 a^{|i-j|}`, :math:`\sigma_x^2 = \sigma_w^2/(1-a^2)`.  No causality constraint:
    always :math:`\le` the sequential rate of the same block.  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    a : float
        AR(1) coefficient, :math:`|a| < 1`.
    noise_variance : float
        Innovation variance :math:`\sigma_w^2 > 0`.
    D : float
        Per-symbol mean squared error, > 0.
    n : int
        Block length, at least 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`R_n(D)` per symbol, in units of log ``base`` (bits by default).
    """
    a, w = check_ar(a, noise_variance)
    D = check_positive(D, "D")
    n = check_int(n, "n", minimum=1, maximum=4096)
    s2 = w / (1 - a * a)
    idx = np.arange(n)
    cov = s2 * a ** np.abs(idx[:, None] - idx[None, :])
    return reverse_water_filling(np.linalg.eigvalsh(cov), D, base=base).rate


def gauss_markov_rd(a: float, noise_variance: float, D: float | ArrayLike, *, base: float = 2) -> float:
    r"""Shannon's rate-distortion function of the stationary Gauss–Markov *process*, per symbol.

    Reverse water-filling on the spectral density :math:`S(\omega) = \sigma_w^2 / (1 - 2a\cos\omega + a^2)`
    (Kolmogorov; Berger 1971):

    .. math:: D = \frac1{2\pi}\int_{-\pi}^{\pi} \min(\theta, S(\omega))\,d\omega,\qquad
              R(D) = \frac1{4\pi}\int_{-\pi}^{\pi} \max\Bigl(0, \log\frac{S(\omega)}{\theta}\Bigr) d\omega.

    For :math:`D \le \sigma_w^2/(1+|a|)^2` every frequency is above the water and
    :math:`R(D) = \tfrac12\log(\sigma_w^2/D)` (since :math:`\frac1{2\pi}\int \log S = \log\sigma_w^2`).  Computed by
    adaptive quadrature on both sides of the crossing frequency.  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    a : float
        AR(1) coefficient, :math:`|a| < 1`.
    noise_variance : float
        Innovation variance :math:`\sigma_w^2 > 0`.
    D : float
        Per-symbol mean squared error, > 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`R(D)` of the process per symbol, in units of log ``base`` (bits by default).
    """
    from scipy.integrate import quad
    from scipy.optimize import brentq

    a, w = check_ar(a, noise_variance)
    D = check_positive(D, "D")
    lb = log_base(base)
    s2 = w / (1 - a * a)
    if D >= s2:
        return 0.0
    if D <= w / (1 + abs(a)) ** 2 or a == 0.0:
        return 0.5 * math.log(w / D) / lb if a != 0.0 else max(0.5 * math.log(w / D), 0.0) / lb
    S = lambda om: w / (1 - 2 * a * math.cos(om) + a * a)  # noqa: E731
    Smin, Smax = w / (1 + abs(a)) ** 2, w / (1 - abs(a)) ** 2

    def crossing(theta):  # frequency where S = theta (S monotone on [0, pi])
        c = (1 + a * a - w / theta) / (2 * a)
        return math.acos(min(1.0, max(-1.0, c)))

    def split(theta):
        wc = crossing(theta)
        # for a > 0, S decreases: above water on [0, wc]; for a < 0, S increases: above water on [wc, pi]
        return ((0.0, wc), (wc, math.pi)) if a > 0 else ((wc, math.pi), (0.0, wc))

    def dist(theta):
        above, below = split(theta)
        under = quad(S, *below, epsabs=1e-14, epsrel=1e-13)[0] if below[1] > below[0] else 0.0
        return (theta * (above[1] - above[0]) + under) / math.pi

    theta = brentq(lambda th: dist(th) - D, Smin, Smax, xtol=1e-15, rtol=1e-15, maxiter=500)
    above, _ = split(theta)
    val = quad(lambda om: math.log(S(om) / theta), *above, epsabs=1e-14, epsrel=1e-13)[0] / (2 * math.pi)
    return max(val, 0.0) / lb


def gaussian_scalar_quantizer(variance: float, step: float, *, width: float = 12.0,
        base: float = 2) -> tuple[float, float]:
    r"""(rate, distortion) of an entropy-coded uniform scalar quantiser of :math:`N(0, \sigma^2)`: a causal code.

    Cells :math:`[(k - \tfrac12)\Delta, (k + \tfrac12)\Delta)` cut at :math:`\pm` ``width`` :math:`\sigma`, each letter
    reproduced by its cell's conditional mean.  Rate :math:`H(Q(X))` (the entropy of the cell index, what an
    ideal entropy coder spends per sample), distortion :math:`\mathbb E(X - \mathbb E[X \mid Q])^2 =
    \sigma^2 - \sum_k p_k c_k^2`, with :math:`p_k` and the centroids :math:`c_k` from the normal CDF and density.
    Each sample is quantised on its own, so the code is causal; it has zero delay only if each index is sent
    at once by a prefix code, whose expected length lies between :math:`H(Q(X))` and :math:`H(Q(X)) + 1` bits.  As :math:`\Delta \to 0`,
    :math:`D \approx \Delta^2/12` and the rate exceeds :math:`R(D) = \tfrac12\log(\sigma^2/D)` by
    :math:`\tfrac12\log\frac{\pi e}{6}` (Gish & Pierce 1968), the space-filling loss.  Units of ``base``;
    chapter 5.

    Parameters
    ----------
    variance : float
        Source variance :math:`\sigma^2 > 0`.
    step : float
        Cell width :math:`\Delta > 0`, in the units of the source.
    width : float, keyword-only, default 12.0
        Where the outermost cells are cut, in standard deviations.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    rate : float
        :math:`H(Q(X))`, in units of log ``base`` (bits by default) per sample.
    distortion : float
        The mean squared error, in squared units of the source.
    """
    from scipy.stats import norm

    v = check_positive(variance, "variance")
    step = check_positive(step, "step")
    width = check_positive(width, "width")
    s = math.sqrt(v)
    K = int(math.ceil(width * s / step))
    if K > 10**6:
        raise ValueError(f"step = {step} is too small for width = {width}: more than 2e6 cells")
    edges = (np.arange(-K, K + 2) - 0.5) * step / s  # in units of sigma
    edges[0], edges[-1] = -np.inf, np.inf
    cdf, pdf = norm.cdf(edges), norm.pdf(edges)
    p = np.diff(cdf)
    live = p > 0
    c = (pdf[:-1] - pdf[1:])[live] / p[live]  # centroids in units of sigma
    dist = v * max(1.0 - float(p[live] @ c**2), 0.0)
    rate = measures.entropy(p[live] / p[live].sum(), base=base)
    return float(rate), float(dist)


def _max_entropy_difference(rho: np.ndarray, D: float) -> tuple[float, np.ndarray]:
    r""":math:`\phi(D) = \max\{H(Z) : \mathbb E\rho(Z) \le D\}` (nats) and its maximiser :math:`w_s \propto e^{-s\rho}`."""
    m = rho.size
    mean_u = float(rho.mean())
    if D >= mean_u:
        return math.log(m), np.full(m, 1.0 / m)
    lo, hi = 0.0, 1.0

    def tilt(s):
        a = -s * (rho - rho.min())
        w = np.exp(a - lse(a))
        return w, float(w @ rho)

    while tilt(hi)[1] > D and hi < 1e12:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if tilt(mid)[1] > D else (lo, mid)
    w = tilt(hi)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        H = float(-np.sum(np.where(w > 0, w * np.log(w), 0.0)))
    return H, w


def shannon_lower_bound(p: ArrayLike, rho: ArrayLike, D: float, *, base: float = 2) -> float:
    r"""Shannon's lower bound :math:`R(D) \ge H(X) - \phi(D)` for a difference distortion on :math:`\mathbb Z_m`.

    ``p`` is a pmf on :math:`\{0..m-1\}`, ``rho[z]`` (:math:`z = 0..m-1`, ``rho[0]`` the smallest) the distortion of
    the difference, :math:`d(x, y) = \rho((x - y) \bmod m)`, and
    :math:`\phi(D) = \max\{H(Z) : \mathbb E\rho(Z) \le D\}`, attained by :math:`w_s(z) \propto e^{-s\rho(z)}` with
    :math:`\mathbb E_{w_s}\rho = D` (or the uniform law once :math:`D \ge` the mean of ``rho``).  The bound
    :math:`I(X;Y) = H(X) - H(X - Y \mid Y) \ge H(X) - H(X - Y) \ge H(X) - \phi(D)` holds for every test channel, with
    equality when the backward channel :math:`X = Y + Z`, :math:`Z \sim w_s` independent of :math:`Y`, exists (always
    for a uniform source).  Clipped at 0.  ``D`` scalar; units of ``base``.  Chapter 5.

    Parameters
    ----------
    p : array_like, shape (m,)
        The source pmf on :math:`\{0..m-1\}`.
    rho : array_like, shape (m,)
        Finite distortions of the differences, ``rho[0]`` the smallest.
    D : float
        Target distortion, at least ``min(rho)``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\max(0, H(X) - \phi(D))`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> round(shannon_lower_bound([0.5, 0.5], [0.0, 1.0], 0.11), 4)
    0.5001
    """
    lb = log_base(base)
    P = as_pmf(p, "p", ndim=1)
    reject_complex(rho, "rho")
    try:
        r = np.asarray(rho, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("rho must be a 1-D array of finite distortions") from None
    if r.shape != P.shape or not np.isfinite(r).all():
        raise ValueError(f"rho must be a finite array with one entry per letter ({P.size}), got shape {r.shape}")
    if isinstance(D, bool) or not isinstance(D, (int, float, np.integer, np.floating)) or not math.isfinite(D):
        raise ValueError(f"D must be a finite real number, got {D!r}")
    if D < r.min():
        raise ValueError(f"D = {D} is below the smallest distortion {r.min()}")
    phi, _ = _max_entropy_difference(r, float(D))
    H = measures.entropy(P, base=math.e)
    return max(H - phi, 0.0) / lb
