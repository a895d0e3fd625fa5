r"""Memory capacity: Cover's counting, Gardner's capacity, Hebbian, dense and modern Hopfield networks (chapter 13).

The chapter asks one question of four models: *how many random patterns can a network of width
:math:`N` store?*  Capacities are counts of patterns (dimensionless); the load is :math:`\alpha = P/N`.

**Perceptron (one neuron, N weights).**  Cover's function-counting theorem (Cover 1965): :math:`P` points
in general position in :math:`\mathbb{R}^N` admit

.. math::

    C(P, N) = 2 \sum_{k=0}^{N-1} \binom{P-1}{k}

dichotomies realisable by a homogeneous linear threshold unit :math:`y = \operatorname{sgn}(w\cdot x)`,
so a random labelling is separable with probability :math:`C(P,N)/2^P`, which equals exactly
:math:`1/2` at :math:`P = 2N`.  :func:`cover_count` and :func:`cover_fraction` return exact integers
and :class:`fractions.Fraction`; :func:`is_linearly_separable` decides separability of a given
labelled set by a linear-programming feasibility problem (``scipy.optimize.linprog``, HiGHS).

**Gardner (1988).**  With margin :math:`\kappa \ge 0` (stability :math:`y_\mu w\cdot x_\mu/\|w\| \ge
\kappa` for :math:`\|w\|^2 = N`), the critical load of random patterns is

.. math::

    \alpha_c(\kappa) = \Bigl[\int_{-\kappa}^{\infty} Dt\,(t+\kappa)^2\Bigr]^{-1}
    = \bigl[(1+\kappa^2)\,\Phi(\kappa) + \kappa\,\varphi(\kappa)\bigr]^{-1},

with :math:`Dt = \varphi(t)\,dt` the standard Gaussian measure and :math:`\Phi` its CDF; :math:`\alpha_c(0)
= 2` agrees with Cover.

**Hebbian Hopfield network (Amit, Gutfreund & Sompolinsky 1985).**  At zero temperature the
replica-symmetric retrieval solution satisfies

.. math::

    m = \operatorname{erf}\Bigl(\frac{m}{\sqrt{2\alpha r}}\Bigr),\quad
    C = \sqrt{\frac{2}{\pi\alpha r}}\,e^{-m^2/(2\alpha r)},\quad r = \frac{1}{(1-C)^2};

with :math:`y = m/\sqrt{2\alpha r}` they reduce to :math:`m = \operatorname{erf}(y)` and
:math:`\sqrt{2\alpha} = g(y) := \operatorname{erf}(y)/y - (2/\sqrt{\pi})e^{-y^2}`, so the largest load
with a retrieval solution is :math:`\alpha_c = \max_y g(y)^2/2 \approx 0.138`
(:func:`hopfield_rs_capacity`).  :func:`hopfield_retrieval` simulates the network.

**Dense and modern Hopfield networks.**  The energy :math:`E(\sigma) = -\sum_\mu F(\xi^\mu\cdot\sigma)`
with :math:`F(x) = x^n` (Krotov & Hopfield 2016) stores :math:`\propto N^{n-1}` patterns; with
:math:`F(x) = e^x` (Demircigil et al. 2017) it stores :math:`e^{\alpha N}` patterns for
:math:`\alpha < I(1-2\rho)/2`, :math:`I(x) = \tfrac12[(1+x)\ln(1+x) + (1-x)\ln(1-x)]`, when cues carry
a fraction :math:`\rho` of flipped bits; the continuous modern Hopfield network (Ramsauer et al. 2021)
stores at least :math:`\sqrt{p}\,c^{(d-1)/4}` random patterns on a sphere.  :func:`dam_retrieval` and
:func:`dam_empirical_capacity` simulate one-step retrieval in these models.

Provenance: all formulas are standard results ([R] in the dossier); the treatise's summary claim that
"memory capacity grows exponentially as parameters grow linearly" ([S1]) is reconstructed in
chapter 13 as the exponential-in-:math:`N` capacity of the exponential-interaction model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import integrate, optimize, special, stats

from .._validate import as_float, as_rng, check_int, check_positive, check_probability, log_base

__all__ = [
    "cover_count",
    "cover_fraction",
    "random_patterns",
    "is_linearly_separable",
    "count_separable_dichotomies",
    "separability_sweep",
    "gardner_integral",
    "gardner_integral_quad",
    "gardner_alpha",
    "gardner_margin",
    "gardner_rs_load",
    "IsingRS",
    "ising_perceptron_rs",
    "ising_perceptron_capacity",
    "RSSolution",
    "hopfield_rs_gain",
    "hopfield_rs_capacity",
    "hopfield_rs_solution",
    "hopfield_rs_overlap",
    "hopfield_rs_residuals",
    "hopfield_rs_finite_temperature",
    "hebbian_couplings",
    "perceptron_couplings",
    "pattern_stabilities",
    "hopfield_dynamics",
    "hopfield_retrieval",
    "hopfield_overlap_sweep",
    "cramer_rate",
    "dense_capacity",
    "demircigil_exponent",
    "exponential_capacity",
    "ramsauer_capacity_bound",
    "dam_retrieval",
    "dam_empirical_capacity",
]

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)

# ----------------------------------------------------------------------------------------------
# Cover's function counting
# ----------------------------------------------------------------------------------------------


def cover_count(P, N) -> int:
    r"""Cover's count :math:`C(P,N) = 2\sum_{k=0}^{N-1}\binom{P-1}{k}` of homogeneously separable dichotomies.

    The number of the :math:`2^P` labellings of ``P`` points in general position in
    :math:`\mathbb{R}^N` that a perceptron :math:`\operatorname{sgn}(w\cdot x)` realises (Cover 1965).
    Exact Python integer; equals :math:`2^P` for :math:`P \le N`.  Satisfies the recursion
    :math:`C(P+1,N) = C(P,N) + C(P,N-1)` (with :math:`C(P,0) = 0`).  Chapter 13.

    Parameters
    ----------
    P : int
        The number of points, at least 1.
    N : int
        The dimension of the input space (the number of weights), at least 1.

    Returns
    -------
    int
        :math:`C(P, N)`, a count of dichotomies (exact).

    Examples
    --------
    >>> cover_count(4, 2)
    8
    >>> cover_count(3, 5) == 2 ** 3
    True
    """
    P = check_int(P, "P", minimum=1)
    N = check_int(N, "N", minimum=1)
    return 2 * sum(math.comb(P - 1, k) for k in range(min(N, P)))


def cover_fraction(P, N) -> Fraction:
    r"""The separable fraction :math:`C(P,N)/2^P` as an exact :class:`fractions.Fraction`.

    The probability that a uniformly random labelling of ``P`` points in general position in
    :math:`\mathbb{R}^N` is linearly separable (through the origin).  Exactly :math:`1/2` at
    :math:`P = 2N`; tends to 1 for :math:`P/N < 2` and 0 for :math:`P/N > 2` as :math:`N\to\infty`.
    Chapter 13.

    Parameters
    ----------
    P : int
        The number of points, at least 1.
    N : int
        The dimension of the input space, at least 1.

    Returns
    -------
    fractions.Fraction
        :math:`C(P,N)/2^P`, a probability (exact).

    Examples
    --------
    >>> cover_fraction(10, 5)
    Fraction(1, 2)
    """
    return Fraction(cover_count(P, N), 2 ** check_int(P, "P", minimum=1))


def random_patterns(P, N, *, kind: str = "gaussian", seed=None) -> np.ndarray:
    r"""``P`` random patterns in :math:`\mathbb{R}^N` as a ``(P, N)`` float array.

    ``kind="gaussian"``: i.i.d. standard normal entries (in general position with probability 1);
    ``kind="binary"``: i.i.d. uniform :math:`\pm 1` entries (not always in general position for
    small ``N``).  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    P : int
        The number of patterns, at least 1.
    N : int
        The dimension of each pattern, at least 1.
    kind : {'gaussian', 'binary'}, keyword-only, default 'gaussian'
        Standard normal or uniform :math:`\pm1` entries.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the random draw.

    Returns
    -------
    numpy.ndarray, shape (P, N)
        The patterns, one per row (float).

    Examples
    --------
    >>> random_patterns(3, 4, kind="binary", seed=0).shape
    (3, 4)
    """
    P = check_int(P, "P", minimum=1)
    N = check_int(N, "N", minimum=1)
    rng = as_rng(seed)
    if kind == "gaussian":
        return rng.standard_normal((P, N))
    if kind == "binary":
        return rng.choice(np.array([-1.0, 1.0]), size=(P, N))
    raise ValueError(f"kind must be 'gaussian' or 'binary', got {kind!r}")


def _as_points(X, name="X") -> np.ndarray:
    try:
        arr = as_float(X, name)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a (P, N) array of reals: {exc}") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty (P, N) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _as_labels(y, P, name="y") -> np.ndarray:
    try:
        arr = as_float(y, name)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of +-1 labels: {exc}") from None
    if arr.shape != (P,):
        raise ValueError(f"{name} must have shape ({P},), got {arr.shape}")
    if not np.all((arr == 1.0) | (arr == -1.0)):
        raise ValueError(f"{name} must contain only +1 and -1")
    return arr


def _separable(A: np.ndarray) -> bool:
    """Is there w with A w >= 1 (rows A_mu = y_mu x_mu)?  A cheap certificate first, then an LP."""
    P, N = A.shape
    # least-squares certificate: if the min-norm solution of A w = 1 already has A w > 0, it separates
    w, *_ = np.linalg.lstsq(A, np.ones(P), rcond=None)
    margins = A @ w
    if np.all(margins > 1e-9 * max(1.0, np.abs(margins).max())):
        return True
    for method in ("highs-ds", "highs-ipm"):
        res = optimize.linprog(np.zeros(N), A_ub=-A, b_ub=-np.ones(P), bounds=[(None, None)] * N, method=method)
        if res.status == 0:
            return True
        if res.status == 2:
            return False
    # both HiGHS solvers undecided (rare, ill-conditioned): the bounded max-margin LP
    # max t  s.t.  A w >= t,  -1 <= w <= 1,  t <= 1   is always feasible; separable iff t* > 0
    res = optimize.linprog(np.r_[np.zeros(N), -1.0], A_ub=np.c_[-A, np.ones(P)], b_ub=np.zeros(P),
                           bounds=[(-1.0, 1.0)] * N + [(None, 1.0)], method="highs")
    if res.status != 0:  # pragma: no cover - should not happen for a feasible bounded LP
        raise RuntimeError(f"linprog failed to decide separability: {res.message}")
    return bool(-res.fun > 1e-9)


def is_linearly_separable(X, y) -> bool:
    r"""Is there :math:`w\in\mathbb{R}^N` with :math:`y_\mu\, w\cdot x_\mu \ge 1` for every row :math:`x_\mu` of ``X``?

    The dichotomy ``y`` (a vector of :math:`\pm1`) of the points ``X`` (shape ``(P, N)``) is
    homogeneously linearly separable iff this linear program is feasible (scaling :math:`w` turns any
    strict separator into one with margin 1).  Decided by ``scipy.optimize.linprog`` (HiGHS dual
    simplex) after a least-squares certificate.  Chapter 13.

    Parameters
    ----------
    X : array_like, shape (P, N)
        The points, one per row (finite reals).
    y : array_like, shape (P,)
        The labels, each +1 or -1.

    Returns
    -------
    bool
        Whether some :math:`w` separates the dichotomy through the origin.

    Examples
    --------
    >>> is_linearly_separable([[1.0, 0.0], [0.0, 1.0]], [1, -1])
    True
    >>> is_linearly_separable([[1.0, 0.0], [2.0, 0.0]], [1, -1])
    False
    """
    X = _as_points(X)
    y = _as_labels(y, X.shape[0])
    return _separable(y[:, None] * X)


def count_separable_dichotomies(X) -> int:
    r"""Brute force: the number of the :math:`2^P` dichotomies of the rows of ``X`` that are separable.

    Enumerates every labelling (using the symmetry :math:`y \mapsto -y`, so :math:`2^{P-1}` linear
    programs) and tests each with :func:`is_linearly_separable`.  For points in general position it
    equals :func:`cover_count`.  ``P`` is limited to 16.  Chapter 13 (tests).

    Parameters
    ----------
    X : array_like, shape (P, N)
        The points, one per row (finite reals), :math:`1 \le P \le 16`.

    Returns
    -------
    int
        The number of separable dichotomies (a count, even).

    Examples
    --------
    >>> count_separable_dichotomies(random_patterns(4, 2, seed=0)) == cover_count(4, 2)
    True
    """
    X = _as_points(X)
    P = X.shape[0]
    check_int(P, "X (number of rows P)", maximum=16)
    count = 0
    for bits in range(2 ** (P - 1)):
        y = np.array([1.0] + [1.0 if (bits >> k) & 1 else -1.0 for k in range(P - 1)])
        if _separable(y[:, None] * X):
            count += 2
    return count


def separability_sweep(N, P_values, *, trials: int = 50, kind: str = "gaussian", seed=None) -> np.ndarray:
    r"""Empirical separable fraction at each ``P`` in ``P_values``: ``trials`` random instances each.

    Every instance draws ``P`` random patterns in :math:`\mathbb{R}^N` (:func:`random_patterns`,
    ``kind`` gaussian or binary) and uniformly random labels, and records whether the dichotomy is
    linearly separable (:func:`is_linearly_separable`).  Returns the fractions (float array, same
    length as ``P_values``); each has binomial standard error :math:`\sqrt{f(1-f)/\text{trials}}`.
    Compare with :func:`cover_fraction`.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The dimension, at least 1.
    P_values : sequence of int, shape (k,)
        The numbers of points to try, each at least 1.
    trials : int, keyword-only, default 50
        Random instances per value of ``P``.
    kind : {'gaussian', 'binary'}, keyword-only, default 'gaussian'
        The pattern distribution (:func:`random_patterns`).
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the instances.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The separable fractions (probabilities), one per entry of ``P_values``.
    """
    N = check_int(N, "N", minimum=1)
    trials = check_int(trials, "trials", minimum=1)
    Ps = np.atleast_1d(np.asarray(P_values))
    if Ps.ndim != 1 or Ps.size == 0:
        raise ValueError(f"P_values must be a non-empty 1-D sequence of ints, got shape {Ps.shape}")
    Ps = [check_int(p, "P_values", minimum=1) for p in Ps.tolist()]
    if kind not in ("gaussian", "binary"):
        raise ValueError(f"kind must be 'gaussian' or 'binary', got {kind!r}")
    rng = as_rng(seed)
    out = np.empty(len(Ps))
    for j, P in enumerate(Ps):
        hits = 0
        for _ in range(trials):
            X = random_patterns(P, N, kind=kind, seed=rng)
            y = rng.choice(np.array([-1.0, 1.0]), size=P)
            hits += _separable(y[:, None] * X)
        out[j] = hits / trials
    return out


# ----------------------------------------------------------------------------------------------
# Gardner's capacity
# ----------------------------------------------------------------------------------------------


def _as_real_array(x, name):
    if isinstance(x, bool):
        raise ValueError(f"{name} must be real, got {x!r}")
    try:
        arr = as_float(x, name)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array: {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _out(arr, like):
    return float(arr) if np.ndim(like) == 0 else arr


def gardner_integral(kappa):
    r"""Closed form of :math:`\int_{-\kappa}^{\infty} Dt\,(t+\kappa)^2 = (1+\kappa^2)\Phi(\kappa) + \kappa\varphi(\kappa)`.

    :math:`\Phi(\kappa) = \tfrac12\operatorname{erfc}(-\kappa/\sqrt2)` is the standard normal CDF and
    :math:`\varphi(\kappa) = e^{-\kappa^2/2}/\sqrt{2\pi}` its density.  Valid for every real
    :math:`\kappa` (vectorised; a scalar in gives a float out).  The sympy derivation
    ``semtheory.symbolic.capacity.gardner_integral_closed_form`` proves it.  Chapter 13.

    Parameters
    ----------
    kappa : float or array_like
        The margin(s) :math:`\kappa` (finite reals).

    Returns
    -------
    float or numpy.ndarray
        The integral (dimensionless), a float for a scalar ``kappa``, else an array of its shape.

    Examples
    --------
    >>> gardner_integral(0.0)
    0.5
    """
    k = _as_real_array(kappa, "kappa")
    val = (1.0 + k**2) * 0.5 * special.erfc(-k / _SQRT2) + k * np.exp(-0.5 * k**2) / _SQRT2PI
    return _out(val, kappa)


def gardner_integral_quad(kappa) -> float:
    r"""The same integral :math:`\int_{-\kappa}^{\infty} (t+\kappa)^2\varphi(t)\,dt` by ``scipy.integrate.quad`` (scalar).

    The numerical counterpart used to check :func:`gardner_integral`.  Chapter 13.

    Parameters
    ----------
    kappa : float
        The margin :math:`\kappa` (a finite real scalar).

    Returns
    -------
    float
        The integral by quadrature (dimensionless).

    Examples
    --------
    >>> round(gardner_integral_quad(1.0) - gardner_integral(1.0), 10)
    0.0
    """
    k = _as_real_array(kappa, "kappa")
    if k.ndim != 0:
        raise ValueError(f"kappa must be a scalar, got shape {k.shape}")
    k = float(k)
    val, _ = integrate.quad(lambda t: (t + k) ** 2 * math.exp(-0.5 * t * t) / _SQRT2PI, -k, np.inf,
                            epsabs=1e-13, epsrel=1e-12)
    return val


def gardner_alpha(kappa):
    r"""Gardner's critical load :math:`\alpha_c(\kappa) = [(1+\kappa^2)\Phi(\kappa) + \kappa\varphi(\kappa)]^{-1}`.

    The largest :math:`P/N` (as :math:`N\to\infty`) at which random patterns with random labels can
    be stored by a perceptron with stability margin :math:`\kappa \ge 0` (Gardner 1988);
    :math:`\alpha_c(0) = 2` (Cover's :math:`P = 2N`), decreasing in :math:`\kappa`,
    :math:`\alpha_c(\kappa) \sim \kappa^{-2}` for large :math:`\kappa`.  Vectorised.  Chapter 13.

    Parameters
    ----------
    kappa : float or array_like
        The margin(s) :math:`\kappa \ge 0`.

    Returns
    -------
    float or numpy.ndarray
        The critical load(s) :math:`\alpha_c(\kappa)` (patterns per weight, dimensionless), a float for a
        scalar ``kappa``.

    Examples
    --------
    >>> gardner_alpha(0.0)
    2.0
    """
    k = _as_real_array(kappa, "kappa")
    if np.any(k < 0):
        raise ValueError(f"kappa must be >= 0 (Gardner's replica-symmetric result), got min {k.min()!r}")
    return _out(1.0 / np.asarray(gardner_integral(k)), kappa)


def gardner_margin(alpha) -> float:
    r"""The margin :math:`\kappa \ge 0` at which Gardner's capacity equals ``alpha``: the root of :math:`\alpha_c(\kappa) = \alpha`.

    :math:`\alpha_c` (:func:`gardner_alpha`) decreases strictly from 2 at :math:`\kappa = 0` to 0, so the root is
    unique for :math:`0 < \alpha \le 2`; it is found by ``scipy.optimize.brentq`` on
    :math:`\ln\alpha_c(\kappa) - \ln\alpha` (log domain, so small loads are resolved), bracketed by
    :math:`1/(1+\kappa^2) < \alpha_c(\kappa)`, which puts the root below :math:`\sqrt{1/\alpha}`.  Dimensionless
    (units of Gardner's stability :math:`y\,w\cdot x/\sqrt N` at :math:`\|w\|^2 = N`).  Chapter 13.

    Parameters
    ----------
    alpha : float
        The load :math:`P/N`, in :math:`(0, 2]`.

    Returns
    -------
    float
        The margin :math:`\kappa \ge 0` with :math:`\alpha_c(\kappa) = \alpha` (dimensionless).

    Examples
    --------
    >>> gardner_margin(2.0)
    0.0
    >>> round(float(gardner_alpha(gardner_margin(0.5))), 12)
    0.5
    """
    a = check_positive(alpha, "alpha")
    if a > 2.0:
        raise ValueError(f"alpha must be in (0, 2] (alpha_c(0) = 2 is the largest capacity), got {alpha!r}")
    if a == 2.0:
        return 0.0
    hi = math.sqrt(1.0 / a) + 1.0
    return float(optimize.brentq(lambda k: math.log(gardner_alpha(k)) - math.log(a), 0.0, hi,
                                 xtol=1e-14, rtol=1e-14))


def _gardner_saddle_integral(q: float, k: float) -> float:
    s1, sq = math.sqrt(1.0 - q), math.sqrt(q)

    def f(t):
        u = (k + sq * t) / s1
        du = t / (2.0 * sq * s1) + (k + sq * t) / (2.0 * s1**3)
        ratio = math.exp(-0.5 * u * u - 0.5 * math.log(2.0 * math.pi) - special.log_ndtr(-u))  # phi(u)/H(u)
        return math.exp(-0.5 * t * t) / _SQRT2PI * ratio * du

    val, _ = integrate.quad(f, -np.inf, np.inf, limit=200, epsabs=1e-13, epsrel=1e-11)
    return val


def gardner_rs_load(q, kappa=0.0):
    r"""The load :math:`\alpha` at which Gardner's replica-symmetric overlap of two solutions equals ``q`` (vectorised in ``q``).

    Gardner's typical log-volume of couplings with stabilities :math:`\ge\kappa` is, per weight,

    .. math:: G(q) = \tfrac12\ln(1-q) + \frac{q}{2(1-q)} + \alpha\int Dt\,\ln H(u),\qquad
              u = \frac{\kappa + \sqrt q\,t}{\sqrt{1-q}},\quad H(u) = \int_u^\infty Dz,

    extremised over the overlap :math:`q` of two solutions.  :math:`\partial G/\partial q = 0` is linear in
    :math:`\alpha`, so

    .. math:: \alpha(q) = \frac{q}{2(1-q)^2}\Bigl[\int Dt\,\frac{\varphi(u)}{H(u)}\,\frac{\partial u}{\partial q}\Bigr]^{-1},

    computed by ``scipy.integrate.quad`` with :math:`\varphi/H` in the log domain (``log_ndtr``).  As
    :math:`q \to 1` the solutions shrink to one point and :math:`\alpha(q) \to \alpha_c(\kappa)`
    (:func:`gardner_alpha`), a route to the capacity independent of the closed form.  ``q`` in
    :math:`(0, 1)`, ``kappa`` :math:`\ge 0`; dimensionless.  Chapter 13.

    Parameters
    ----------
    q : float or array_like
        The overlap(s) of two solutions, in :math:`(0, 1)`.
    kappa : float, default 0.0
        The margin :math:`\kappa \ge 0`.

    Returns
    -------
    float or numpy.ndarray
        The load(s) :math:`\alpha(q)` (dimensionless), a float for a scalar ``q``.
    """
    qq = _as_real_array(q, "q")
    if np.any((qq <= 0) | (qq >= 1)):
        raise ValueError("q must lie in the open interval (0, 1)")
    k = float(_as_real_array(kappa, "kappa"))
    if k < 0:
        raise ValueError(f"kappa must be >= 0, got {kappa!r}")
    out = np.array([v / (2.0 * (1.0 - v) ** 2 * _gardner_saddle_integral(v, k)) for v in qq.ravel()])
    return _out(out.reshape(qq.shape), q)


_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(201)
_GH_W = _GH_W / _GH_W.sum()  # E over a standard normal


def _mills(u):
    """phi(u) / H(u) with H(u) = 1 - Phi(u), in the log domain."""
    return np.exp(-0.5 * u * u - 0.5 * math.log(2.0 * math.pi) - special.log_ndtr(-u))


@dataclass(frozen=True)
class IsingRS:
    r"""Replica-symmetric saddle point of the Ising perceptron at load ``alpha``: overlap ``q``, conjugate
    ``q_hat``, and ``entropy`` (per weight, units of the call's ``base``) of the couplings that store the
    patterns.  Chapter 13.

    Attributes
    ----------
    alpha : float
        The load :math:`P/N` (dimensionless).
    q : float
        The overlap of two typical solutions, in :math:`[0, 1)`.
    q_hat : float
        Its conjugate :math:`\hat q \ge 0`.
    entropy : float
        The replica-symmetric entropy per weight, in units of log ``base`` of the call (bits by default).
    """

    alpha: float
    q: float
    q_hat: float
    entropy: float


def ising_perceptron_rs(alpha, *, base=2, tol: float = 1e-13, max_iter: int = 5000) -> IsingRS:
    r"""Gardner & Derrida's replica-symmetric entropy of the Ising perceptron (weights :math:`w_i = \pm 1`, :math:`\kappa = 0`).

    .. math:: s(\alpha) = -\frac{\hat q(1-q)}{2} + \int Dz\,\ln 2\cosh(\sqrt{\hat q}\,z)
              + \alpha\int Dt\,\ln H\!\Bigl(\sqrt{\tfrac{q}{1-q}}\,t\Bigr),

    at the saddle point :math:`q = \int Dz\,\tanh^2(\sqrt{\hat q}\,z)`,
    :math:`\hat q = \frac{\alpha}{1-q}\int Dt\,[\varphi(u)/H(u)]^2`, :math:`u = \sqrt{q/(1-q)}\,t`, found by damped
    iteration (Gauss–Hermite quadrature, 201 nodes; :math:`\varphi/H` in the log domain).  :math:`s` is the
    typical :math:`\frac1N\ln` of the number of the :math:`2^N` sign vectors that store :math:`\alpha N` random
    patterns with random labels; it lies below the annealed :math:`(1-\alpha)\ln 2` and vanishes at
    :math:`\alpha \approx 0.833` (:func:`ising_perceptron_capacity`; Krauth & Mézard 1989).  ``alpha`` in
    :math:`(0, 2]`.  Units of ``base`` per weight.  Chapter 13.

    Parameters
    ----------
    alpha : float
        The load :math:`P/N`, in :math:`(0, 2]`.
    base : float, keyword-only, default 2
        Logarithm base of ``entropy`` (2: bits, e: nats).
    tol : float, keyword-only, default 1e-13
        Stopping tolerance on the change of :math:`q`.
    max_iter : int, keyword-only, default 5000
        Iteration limit of the damped iteration.

    Returns
    -------
    IsingRS
        The saddle point, its ``entropy`` in units of log ``base`` per weight (bits by default).

    Examples
    --------
    >>> rs = ising_perceptron_rs(0.5)
    >>> 0 < rs.entropy < 0.5
    True
    """
    lb = log_base(base)
    a = check_positive(alpha, "alpha")
    if a > 2.0:
        raise ValueError(f"alpha must be in (0, 2], got {alpha!r}")
    tol = check_positive(tol, "tol")
    q = 0.5
    qh = 0.0
    for _ in range(check_int(max_iter, "max_iter", minimum=1)):
        u = math.sqrt(q / (1.0 - q)) * _GH_X
        qh = a / (1.0 - q) * float(_GH_W @ _mills(u) ** 2)
        qn = float(_GH_W @ np.tanh(math.sqrt(qh) * _GH_X) ** 2)
        if abs(qn - q) < tol:
            q = qn
            break
        q = 0.5 * (q + qn)
    u = math.sqrt(q / (1.0 - q)) * _GH_X
    z = math.sqrt(qh) * np.abs(_GH_X)
    ln2cosh = z + np.log1p(np.exp(-2.0 * z))
    s = -qh * (1.0 - q) / 2.0 + float(_GH_W @ ln2cosh) + a * float(_GH_W @ special.log_ndtr(-u))
    return IsingRS(a, q, qh, s / lb)


def ising_perceptron_capacity() -> float:
    r"""The load where the replica-symmetric entropy of the Ising perceptron vanishes: :math:`\alpha_c \approx 0.833`.

    Root of :func:`ising_perceptron_rs` ``(alpha).entropy`` by ``brentq`` on :math:`[0.5, 1]`.  Krauth & Mézard
    (1989) identified this zero-entropy point as the capacity (the replica-symmetric saddle itself stays
    formally valid up to Gardner & Derrida's :math:`4/\pi`, beyond the counting bound :math:`\alpha \le 1`);
    Ding & Sun (2019) proved, under a numerical hypothesis, that below it random patterns are storable with
    probability bounded away from 0.  Chapter 13.

    Returns
    -------
    float
        The critical load :math:`\alpha_c` (patterns per weight, dimensionless).
    """
    return float(optimize.brentq(lambda a: ising_perceptron_rs(a).entropy, 0.5, 1.0, xtol=1e-12))


# ----------------------------------------------------------------------------------------------
# Hebbian Hopfield network: replica-symmetric theory (AGS) at T = 0
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RSSolution:
    r"""A zero-temperature replica-symmetric retrieval solution of the Hebbian Hopfield network.

    ``alpha`` the load :math:`P/N`; ``m`` the overlap with the retrieved pattern; ``C`` the
    susceptibility-like order parameter; ``r`` the (rescaled) spin-glass order parameter of the
    non-condensed patterns; ``y`` :math:`= m/\sqrt{2\alpha r}`.

    Attributes
    ----------
    alpha : float
        The load :math:`P/N` (dimensionless).
    m : float
        The overlap with the retrieved pattern, in :math:`[0, 1]`.
    C : float
        The susceptibility-like order parameter.
    r : float
        The rescaled spin-glass order parameter of the non-condensed patterns.
    y : float
        :math:`m/\sqrt{2\alpha r}`.
    """

    alpha: float
    m: float
    C: float
    r: float
    y: float


def hopfield_rs_gain(y):
    r""":math:`g(y) = \operatorname{erf}(y)/y - (2/\sqrt\pi)\,e^{-y^2}` for :math:`y > 0` (vectorised).

    The AGS zero-temperature equations reduce to :math:`m = \operatorname{erf}(y)`,
    :math:`\sqrt{2\alpha} = g(y)`.  :math:`g > 0`, :math:`g(0^+) = 0`, :math:`g(y)\sim 1/y` at
    infinity, with a single maximum.  Chapter 13.

    Parameters
    ----------
    y : float or array_like
        Positive reals.

    Returns
    -------
    float or numpy.ndarray
        :math:`g(y)` (dimensionless), a float for a scalar ``y``.
    """
    yy = _as_real_array(y, "y")
    if np.any(yy <= 0):
        raise ValueError("y must be > 0")
    return _out(special.erf(yy) / yy - 2.0 / math.sqrt(math.pi) * np.exp(-(yy**2)), y)


def _rs_peak() -> float:
    res = optimize.minimize_scalar(lambda y: -hopfield_rs_gain(y), bounds=(0.2, 5.0), method="bounded",
                                   options={"xatol": 1e-12})
    return float(res.x)


def _rs_from_y(y: float, alpha: float) -> RSSolution:
    m = float(special.erf(y))
    r = m**2 / (2.0 * alpha * y**2)
    C = 1.0 - 1.0 / math.sqrt(r)
    return RSSolution(alpha=alpha, m=m, C=C, r=r, y=y)


def hopfield_rs_capacity() -> RSSolution:
    r"""The replica-symmetric storage capacity of the Hebbian Hopfield network at :math:`T = 0`.

    Maximises :math:`g(y)` (:func:`hopfield_rs_gain`) numerically; returns the solution at the
    largest load with a retrieval state, :math:`\alpha_c = g(y^\ast)^2/2 \approx 0.138`
    (Amit, Gutfreund & Sompolinsky 1985), with its overlap :math:`m_c = \operatorname{erf}(y^\ast)`.
    Chapter 13.

    Returns
    -------
    RSSolution
        The retrieval solution at the critical load; its ``alpha`` is :math:`\alpha_c` (dimensionless).

    Examples
    --------
    >>> round(hopfield_rs_capacity().alpha, 3)
    0.138
    """
    y = _rs_peak()
    alpha = float(hopfield_rs_gain(y)) ** 2 / 2.0
    return _rs_from_y(y, alpha)


def hopfield_rs_solution(alpha) -> RSSolution:
    r"""The retrieval solution :math:`(m, C, r)` of the AGS zero-temperature equations at load ``alpha``.

    Solves :math:`g(y) = \sqrt{2\alpha}` on the stable branch :math:`y > y^\ast` (the larger overlap)
    with ``brentq``, then :math:`m = \operatorname{erf}(y)`, :math:`r = m^2/(2\alpha y^2)`,
    :math:`C = 1 - r^{-1/2}`.  ``alpha`` must lie in :math:`(0, \alpha_c]`; above :math:`\alpha_c` there
    is no retrieval solution and a ``ValueError`` is raised.  Chapter 13.

    Parameters
    ----------
    alpha : float
        The load :math:`P/N`, in :math:`(0, \alpha_c]`.

    Returns
    -------
    RSSolution
        The retrieval solution at ``alpha``.

    Examples
    --------
    >>> bool(abs(hopfield_rs_residuals(hopfield_rs_solution(0.1))).max() < 1e-9)
    True
    """
    alpha = check_positive(alpha, "alpha")
    cap = hopfield_rs_capacity()
    if alpha > cap.alpha * (1 + 1e-12):
        raise ValueError(f"alpha = {alpha!r} exceeds the RS capacity {cap.alpha:.6f}: no retrieval solution")
    if alpha >= cap.alpha:
        return _rs_from_y(cap.y, alpha)
    target = math.sqrt(2.0 * alpha)
    hi = max(2.0 * cap.y, 2.0 / target)  # g(y) < 1/y, so g(hi) < target
    y = optimize.brentq(lambda t: hopfield_rs_gain(t) - target, cap.y, hi, xtol=1e-14, rtol=1e-14)
    return _rs_from_y(float(y), alpha)


def hopfield_rs_overlap(alpha):
    r"""The RS retrieval overlap :math:`m(\alpha)` at :math:`T=0` (vectorised), 0 above :math:`\alpha_c`.

    :math:`m(0) = 1`; :math:`m` decreases to :math:`m_c \approx 0.967` at :math:`\alpha_c` and then
    jumps to 0 (only the non-retrieval solution remains).  Chapter 13.

    Parameters
    ----------
    alpha : float or array_like
        The load(s) :math:`P/N \ge 0`.

    Returns
    -------
    float or numpy.ndarray
        The overlap(s) :math:`m(\alpha)` in :math:`[0, 1]`, a float for a scalar ``alpha``.
    """
    a = _as_real_array(alpha, "alpha")
    if np.any(a < 0):
        raise ValueError("alpha must be >= 0")
    cap = hopfield_rs_capacity().alpha
    out = np.array([1.0 if v == 0 else (hopfield_rs_solution(v).m if v <= cap else 0.0) for v in a.ravel()])
    return _out(out.reshape(a.shape), alpha)


def hopfield_rs_residuals(sol: RSSolution) -> np.ndarray:
    r"""Residuals of the three AGS equations at ``sol`` (all zero at a solution).

    Returns :math:`[\,m - \operatorname{erf}(m/\sqrt{2\alpha r}),\; C - \sqrt{2/(\pi\alpha r)}\,
    e^{-m^2/(2\alpha r)},\; r - (1-C)^{-2}\,]`.  Chapter 13.

    Parameters
    ----------
    sol : RSSolution
        A candidate solution (``alpha > 0``, ``r > 0``, ``C != 1``).

    Returns
    -------
    numpy.ndarray, shape (3,)
        The three residuals (dimensionless).
    """
    if not isinstance(sol, RSSolution):
        raise ValueError(f"sol must be an RSSolution, got {type(sol).__name__}")
    a, m, C, r = sol.alpha, sol.m, sol.C, sol.r
    if not (a > 0 and r > 0 and C != 1):
        raise ValueError("sol must have alpha > 0, r > 0 and C != 1")
    s = 2.0 * a * r
    return np.array([
        m - math.erf(m / math.sqrt(s)),
        C - math.sqrt(2.0 / (math.pi * a * r)) * math.exp(-m * m / s),
        r - 1.0 / (1.0 - C) ** 2,
    ])


def hopfield_rs_finite_temperature(alphas, temperatures, *, iterations: int = 300, nodes: int = 200):
    r"""Replica-symmetric retrieval overlap :math:`m(\alpha, T)` of the Hebbian network on a grid (AGS 1987).

    At temperature :math:`T = 1/\beta` the replica-symmetric retrieval state solves

    .. math:: m = \int Dz\,\tanh\beta(m + \sqrt{\alpha r}\,z),\quad
              C = \beta\Bigl(1 - \int Dz\,\tanh^2\beta(m + \sqrt{\alpha r}\,z)\Bigr),\quad
              r = \frac{q}{(1 - C)^2},\ q = 1 - C/\beta

    (Amit, Gutfreund & Sompolinsky 1987; :math:`C = \beta(1-q)` stays finite as :math:`T \to 0`, where the
    equations become those of :func:`hopfield_rs_solution`).  Iterated from the pattern (:math:`m = 1`,
    :math:`C = 0`), damped, for all grid points at once, with Gauss–Legendre quadrature of ``nodes`` nodes on
    :math:`z \in [-10, 10]` (fine enough for the near-step integrand down to :math:`T \approx 0.05`); where no
    retrieval state exists the iteration falls to :math:`m = 0`.  Returns ``m`` of shape
    ``(len(temperatures), len(alphas))``.  :math:`\alpha \to 0` gives the Curie–Weiss equation
    :math:`m = \tanh(m/T)`.  Chapter 13.

    Parameters
    ----------
    alphas : array_like, shape (a,)
        The loads :math:`P/N \ge 0`.
    temperatures : array_like, shape (t,)
        The temperatures :math:`T > 0`.
    iterations : int, keyword-only, default 300
        The number of damped iterations.
    nodes : int, keyword-only, default 200
        Gauss–Legendre nodes, at least 20.

    Returns
    -------
    numpy.ndarray, shape (t, a)
        The overlaps :math:`m(\alpha, T)` in :math:`[0, 1]`.
    """
    a = _as_real_array(alphas, "alphas")
    T = _as_real_array(temperatures, "temperatures")
    if a.ndim != 1 or np.any(a < 0):
        raise ValueError("alphas must be a 1-D array of loads >= 0")
    if T.ndim != 1 or np.any(T <= 0):
        raise ValueError("temperatures must be a 1-D array of temperatures > 0")
    iterations = check_int(iterations, "iterations", minimum=1)
    z, w = np.polynomial.legendre.leggauss(check_int(nodes, "nodes", minimum=20))
    z, w = 10.0 * z, w * np.exp(-0.5 * (10.0 * z) ** 2)
    w = w / w.sum()
    A, B = np.meshgrid(a, 1.0 / T)  # (T, alpha)
    m, C = np.ones_like(A), np.zeros_like(A)
    for _ in range(iterations):
        q = 1.0 - C / B
        r = q / np.maximum(1.0 - C, 1e-9) ** 2
        th = np.tanh(B[..., None] * (m[..., None] + np.sqrt(A * r)[..., None] * z))
        m = 0.5 * m + 0.5 * (th @ w)
        C = 0.5 * C + 0.5 * B * ((1.0 - th**2) @ w)
    return m


# ----------------------------------------------------------------------------------------------
# Hebbian Hopfield network: simulation
# ----------------------------------------------------------------------------------------------


def _as_spins(x, name, ndim=2) -> np.ndarray:
    try:
        arr = as_float(x, name)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of +-1 spins: {exc}") from None
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array of +-1, got shape {arr.shape}")
    if not np.all((arr == 1.0) | (arr == -1.0)):
        raise ValueError(f"{name} must contain only +1 and -1")
    return arr


def hebbian_couplings(patterns) -> np.ndarray:
    r"""Hebb's rule :math:`J_{ij} = \frac1N\sum_\mu \xi^\mu_i\xi^\mu_j` for :math:`i\ne j`, :math:`J_{ii} = 0`.

    ``patterns``: a ``(P, N)`` array of :math:`\pm1`.  Returns the symmetric ``(N, N)`` coupling
    matrix of the Hopfield network (Hopfield 1982).  Chapter 13.

    Parameters
    ----------
    patterns : array_like, shape (P, N)
        The stored patterns, entries :math:`\pm1`.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        The symmetric coupling matrix, zero diagonal.

    Examples
    --------
    >>> hebbian_couplings([[1, -1, 1]])
    array([[ 0.        , -0.33333333,  0.33333333],
           [-0.33333333,  0.        , -0.33333333],
           [ 0.33333333, -0.33333333,  0.        ]])
    """
    xi = _as_spins(patterns, "patterns")
    J = xi.T @ xi / xi.shape[1]
    np.fill_diagonal(J, 0.0)
    return J


def perceptron_couplings(patterns) -> np.ndarray:
    r"""Couplings learned neuron by neuron that make every pattern a fixed point (Gardner's :math:`\kappa = 0` problem).

    For each neuron :math:`i` a linear program (``scipy.optimize.linprog``, HiGHS dual simplex) finds a row
    :math:`J_{i\cdot}` with :math:`J_{ii} = 0` and

    .. math:: \xi^\mu_i \sum_{j \ne i} J_{ij}\,\xi^\mu_j \ge 1 \quad\text{for every pattern } \mu,

    so that :math:`\operatorname{sgn}(J\xi^\mu) = \xi^\mu`.  Each row is a perceptron storing :math:`P` labelled
    patterns in :math:`N-1` inputs, feasible for random patterns up to :math:`P \approx 2N` (Gardner 1988).  The
    rows are solved independently, so :math:`J` is in general **not symmetric** (no energy function), and the
    program asks for no margin beyond scale, so the normalised stabilities (:func:`pattern_stabilities`) of the
    vertex solution can be close to 0.  ``patterns``: a ``(P, N)`` array of :math:`\pm1`.  Raises ``ValueError``
    (naming ``patterns``) if some neuron's program is infeasible.  Returns the ``(N, N)`` matrix.  Chapter 13.

    Parameters
    ----------
    patterns : array_like, shape (P, N)
        The patterns to store, entries :math:`\pm1`, :math:`N \ge 2`.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        The coupling matrix (zero diagonal, in general not symmetric).
    """
    xi = _as_spins(patterns, "patterns")
    P, N = xi.shape
    if N < 2:
        raise ValueError(f"patterns must have at least 2 neurons (columns), got {N}")
    J = np.zeros((N, N))
    for i in range(N):
        others = np.r_[0:i, i + 1:N]
        A = xi[:, i:i + 1] * xi[:, others]
        res = optimize.linprog(np.zeros(N - 1), A_ub=-A, b_ub=-np.ones(P), bounds=[(None, None)] * (N - 1),
                               method="highs-ds")
        if res.status != 0:
            raise ValueError(f"patterns cannot all be fixed points: the program of neuron {i} is infeasible "
                             f"(status {res.status}); P/N = {P / N:.3g} is probably above capacity")
        J[i, others] = res.x
    return J


def pattern_stabilities(J, patterns) -> np.ndarray:
    r"""Normalised stabilities :math:`\Delta^\mu_i = \xi^\mu_i \sum_j J_{ij}\xi^\mu_j / \lVert J_{i\cdot}\rVert_2`, shape ``(P, N)``.

    Gardner's stability of pattern :math:`\mu` at neuron :math:`i` (dimensionless, invariant under rescaling each
    row of :math:`J`); the pattern is a fixed point of :math:`\sigma \mapsto \operatorname{sgn}(J\sigma)` iff all
    :math:`\Delta^\mu_i > 0`, and a margin :math:`\kappa` means :math:`\min_i \Delta^\mu_i \ge \kappa` (with
    :math:`\pm1` patterns, :math:`\lVert\xi\rVert = \sqrt N`, this is Gardner's :math:`\xi J\cdot x/\sqrt N` at
    :math:`\lVert J_{i\cdot}\rVert^2 = N`).  Rows of :math:`J` must be non-zero.  Chapter 13.

    Parameters
    ----------
    J : array_like, shape (N, N)
        A finite coupling matrix with non-zero rows.
    patterns : array_like, shape (P, N)
        The patterns, entries :math:`\pm1`.

    Returns
    -------
    numpy.ndarray, shape (P, N)
        The stabilities :math:`\Delta^\mu_i` (dimensionless).
    """
    try:
        J = as_float(J, "J")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"J must be a square real matrix: {exc}") from None
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] == 0 or not np.all(np.isfinite(J)):
        raise ValueError(f"J must be a finite square matrix, got shape {J.shape}")
    xi = _as_spins(patterns, "patterns")
    if xi.shape[1] != J.shape[0]:
        raise ValueError(f"patterns must have {J.shape[0]} columns (one per neuron), got {xi.shape[1]}")
    norms = np.linalg.norm(J, axis=1)
    if np.any(norms == 0):
        raise ValueError("J has a zero row: stabilities are undefined")
    return xi * (xi @ J.T) / norms


def _sign_keep(h, s):
    return np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))


def hopfield_dynamics(J, states, *, mode: str = "async", max_sweeps: int = 100, seed=None) -> np.ndarray:
    r"""Zero-temperature dynamics :math:`\sigma_i \leftarrow \operatorname{sgn}(\sum_j J_{ij}\sigma_j)` until a fixed point.

    ``states``: ``(B, N)`` array of :math:`\pm1` (several runs at once; a tie keeps the spin).
    ``mode="async"``: sweeps through the spins in a random order (seeded), updating one at a time;
    the energy :math:`-\tfrac12\sigma^\top J\sigma` never increases, so a fixed point is reached.
    ``mode="sync"``: all spins at once (may end in a 2-cycle; stops after ``max_sweeps``).
    Returns the final states.  Chapter 13.

    Parameters
    ----------
    J : array_like, shape (N, N)
        A finite coupling matrix.
    states : array_like, shape (B, N)
        The initial states, entries :math:`\pm1`.
    mode : {'async', 'sync'}, keyword-only, default 'async'
        One spin at a time in a random order, or all at once.
    max_sweeps : int, keyword-only, default 100
        The most sweeps through the spins.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the update order (``mode='async'``).

    Returns
    -------
    numpy.ndarray, shape (B, N)
        The final states, entries :math:`\pm1`.
    """
    try:
        J = as_float(J, "J")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"J must be a square real matrix: {exc}") from None
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] == 0 or not np.all(np.isfinite(J)):
        raise ValueError(f"J must be a finite square matrix, got shape {J.shape}")
    s = _as_spins(states, "states").copy()
    if s.shape[1] != J.shape[0]:
        raise ValueError(f"states must have {J.shape[0]} columns (one per neuron), got {s.shape[1]}")
    max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    if mode not in ("async", "sync"):
        raise ValueError(f"mode must be 'async' or 'sync', got {mode!r}")
    rng = as_rng(seed)
    N = J.shape[0]
    if mode == "sync":
        for _ in range(max_sweeps):
            new = _sign_keep(s @ J, s)
            if np.array_equal(new, s):
                break
            s = new
        return s
    h = s @ J  # J symmetric: local fields, kept up to date
    for _ in range(max_sweeps):
        changed = False
        for i in rng.permutation(N):
            new = _sign_keep(h[:, i], s[:, i])
            flip = new != s[:, i]
            if flip.any():
                changed = True
                rows = np.nonzero(flip)[0]
                h[rows] += (2.0 * new[rows])[:, None] * J[i][None, :]
                s[rows, i] = new[rows]
        if not changed:
            break
    return s


def hopfield_retrieval(N, P, *, trials: int = 1, probes: int | None = None, rho: float = 0.0,
                       mode: str = "async", max_sweeps: int = 100, seed=None) -> np.ndarray:
    r"""Final overlaps :math:`m = \frac1N\xi^\mu\cdot\sigma` of Hebbian Hopfield networks started at (noisy) stored patterns.

    For each of ``trials`` networks: ``P`` random :math:`\pm1` patterns of length ``N``, Hebbian
    couplings (:func:`hebbian_couplings`), and ``probes`` (default ``min(P, 10)``) of the stored
    patterns as initial states, each with :math:`\lfloor\rho N\rfloor` bits flipped; runs
    :func:`hopfield_dynamics` and returns the overlaps with the probed patterns, shape
    ``(trials, probes)``.  The RS theory predicts :math:`m \approx 1` below
    :math:`\alpha_c\approx0.138` and a collapse above.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The number of neurons, at least 2.
    P : int
        The number of stored patterns, at least 1.
    trials : int, keyword-only, default 1
        The number of independent networks.
    probes : int or None, keyword-only
        Probed patterns per network, at most ``P`` (default ``min(P, 10)``).
    rho : float, keyword-only, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.
    mode : {'async', 'sync'}, keyword-only, default 'async'
        The dynamics (:func:`hopfield_dynamics`).
    max_sweeps : int, keyword-only, default 100
        The most sweeps of the dynamics.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of patterns, cues and dynamics.

    Returns
    -------
    numpy.ndarray, shape (trials, probes)
        The final overlaps, in :math:`[-1, 1]`.
    """
    N = check_int(N, "N", minimum=2)
    P = check_int(P, "P", minimum=1)
    trials = check_int(trials, "trials", minimum=1)
    probes = min(P, 10) if probes is None else check_int(probes, "probes", minimum=1, maximum=P)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2 (a cue must be closer to its pattern than to its negative), got {rho!r}")
    rng = as_rng(seed)
    out = np.empty((trials, probes))
    nflip = int(math.floor(rho * N))
    for t in range(trials):
        xi = random_patterns(P, N, kind="binary", seed=rng)
        J = hebbian_couplings(xi)
        s0 = xi[:probes].copy()
        for b in range(probes):
            if nflip:
                s0[b, rng.choice(N, nflip, replace=False)] *= -1.0
        s = hopfield_dynamics(J, s0, mode=mode, max_sweeps=max_sweeps, seed=rng)
        out[t] = np.einsum("bn,bn->b", s, xi[:probes]) / N
    return out


def hopfield_overlap_sweep(N, alphas, *, trials: int = 2, probes: int = 10, mode: str = "async",
                           seed=None) -> np.ndarray:
    r"""Mean final overlap of :func:`hopfield_retrieval` at each load in ``alphas`` (``P = round(alpha N)``, at least 1).

    Returns a float array like ``alphas``.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The number of neurons, at least 2.
    alphas : array_like, shape (k,)
        The loads :math:`P/N > 0`.
    trials : int, keyword-only, default 2
        Networks per load.
    probes : int, keyword-only, default 10
        Probed patterns per network (at most ``P``).
    mode : {'async', 'sync'}, keyword-only, default 'async'
        The dynamics (:func:`hopfield_dynamics`).
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the whole sweep.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The mean final overlaps, in :math:`[-1, 1]`.
    """
    N = check_int(N, "N", minimum=2)
    a = _as_real_array(alphas, "alphas")
    if a.ndim != 1 or np.any(a <= 0):
        raise ValueError("alphas must be a 1-D array of loads > 0")
    probes = check_int(probes, "probes", minimum=1)
    rng = as_rng(seed)
    out = np.empty(a.size)
    for j, al in enumerate(a):
        P = max(1, int(round(al * N)))
        out[j] = hopfield_retrieval(N, P, trials=trials, probes=min(probes, P), mode=mode, seed=rng).mean()
    return out


# ----------------------------------------------------------------------------------------------
# Dense (polynomial) and modern (exponential) associative memories
# ----------------------------------------------------------------------------------------------


def cramer_rate(x):
    r"""Cramér rate of a mean of :math:`\pm1` coins: :math:`I(x) = \tfrac12[(1+x)\ln(1+x) + (1-x)\ln(1-x)]`, :math:`|x|\le1`.

    :math:`P(\frac1N\sum_i \xi_i \ge x) = e^{-N I(x) + o(N)}` for :math:`0 \le x \le 1`; in nats;
    :math:`I(1) = \ln 2`.  Vectorised.  Chapter 13.

    Parameters
    ----------
    x : float or array_like
        Mean(s) in :math:`[-1, 1]`.

    Returns
    -------
    float or numpy.ndarray
        :math:`I(x)` in nats, a float for a scalar ``x``.

    Examples
    --------
    >>> import math
    >>> math.isclose(cramer_rate(1.0), math.log(2))
    True
    """
    a = _as_real_array(x, "x")
    if np.any(np.abs(a) > 1):
        raise ValueError("x must lie in [-1, 1]")
    val = 0.5 * (special.xlogy(1 + a, 1 + a) + special.xlogy(1 - a, 1 - a))
    return _out(val, x)


def _double_factorial_odd(k: int) -> int:
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def _as_sizes(N, name="N", minimum=2.0):
    a = _as_real_array(N, name)
    if np.any(a < minimum):
        raise ValueError(f"{name} must be >= {minimum:g}")
    if np.any(a != np.round(a)):
        raise ValueError(f"{name} must be whole numbers (sizes), got {N!r}")
    return a


def dense_capacity(N, n, *, rho: float = 0.0, level: float | None = None):
    r"""Signal-to-noise capacity of the dense memory :math:`F(x)=x^n` (Krotov & Hopfield 2016), vectorised in ``N``.

    A cue at overlap :math:`(1-2\rho)N` with a stored pattern gets a signal
    :math:`\approx 2n[(1-2\rho)N]^{n-1}` per spin; each other pattern adds an independent, roughly
    Gaussian crosstalk of variance :math:`4n^2(2n-3)!!\,N^{n-1}`, so with :math:`P` patterns the
    signal-to-noise ratio is :math:`s = \sqrt{(1-2\rho)^{2n-2}N^{n-1}/((2n-3)!!\,(P-1))}` and the
    :math:`N` spins are all right with probability :math:`\approx\Phi(s)^N`.

    * ``level=None`` (Krotov–Hopfield's asymptotic no-error capacity): :math:`s^2 = 2\ln N`, i.e.
      :math:`P = (1-2\rho)^{2n-2}N^{n-1}/(2(2n-3)!!\ln N)` (:math:`n=2`, :math:`\rho=0`: the
      classical :math:`N/(2\ln N)`);
    * ``level`` in (0, 1): the finite-:math:`N` number of patterns at which a given pattern is
      retrieved exactly with probability ``level``: :math:`\Phi(s)^N = \text{level}`,
      :math:`P = 1 + (1-2\rho)^{2n-2}N^{n-1}/((2n-3)!!\,s^2)`.

    Either way it grows like :math:`N^{n-1}`.  ``N`` > 1.  Chapter 13.

    Parameters
    ----------
    N : float or array_like
        The number(s) of neurons, whole numbers :math:`\ge 2`.
    n : int
        The interaction degree, at least 2.
    rho : float, keyword-only, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.
    level : float or None, keyword-only
        ``None`` for the asymptotic capacity, or a retrieval probability in (0, 1).

    Returns
    -------
    float or numpy.ndarray
        The capacity as a number of patterns (not rounded), a float for a scalar ``N``.
    """
    a = _as_sizes(N, minimum=2.0)
    n = check_int(n, "n", minimum=2)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    signal = (1 - 2 * rho) ** (2 * n - 2) * a ** (n - 1) / _double_factorial_odd(2 * n - 3)
    if level is None:
        return _out(signal / (2.0 * np.log(a)), N)
    level = check_probability(level, "level", low_open=True, high_open=True)
    s = special.ndtri(np.exp(np.log(level) / a))
    return _out(1.0 + signal / s**2, N)


def demircigil_exponent(rho: float = 0.0) -> float:
    r"""Demircigil et al.'s capacity exponent :math:`I(1-2\rho)/2` of the exponential memory :math:`F(x)=e^x`.

    With :math:`M = e^{\alpha N}` random patterns and :math:`\alpha` below this exponent, every
    pattern is recovered in one update, with probability tending to 1, from any cue with
    :math:`\rho N` flipped bits (Demircigil et al. 2017).  :math:`\rho = 0` gives :math:`\ln 2/2`,
    i.e. :math:`2^{N/2}` patterns.  In nats per neuron.  Chapter 13.

    Parameters
    ----------
    rho : float, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.

    Returns
    -------
    float
        The exponent :math:`I(1-2\rho)/2`, in nats per neuron.

    Examples
    --------
    >>> import math
    >>> math.isclose(demircigil_exponent(), math.log(2) / 2)
    True
    """
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    return float(cramer_rate(1.0 - 2.0 * rho)) / 2.0


def exponential_capacity(N, *, rho: float = 0.0, criterion: str = "all"):
    r"""Capacity of the exponential memory :math:`F(x)=e^x` as a number of patterns (vectorised in ``N``).

    ``criterion="all"``: Demircigil et al.'s threshold :math:`e^{N I(1-2\rho)/2}` for retrieving
    *every* stored pattern (:func:`demircigil_exponent`).  ``criterion="typical"``: a first-moment
    estimate for *a given* pattern.  With the cue at overlap :math:`o = N - 2\lfloor\rho N\rfloor`
    with its target, a competitor at overlap :math:`o_\mu` contributes :math:`e^{o_\mu+1}` against
    the target's :math:`e^{o-1}` at every spin where the cue agrees with the target and the competitor
    does not, so one-step retrieval is
    spoilt once some competitor reaches :math:`o_\mu \ge o - 2`; with :math:`q_N` the (exact binomial)
    probability of that for one random pattern, the median capacity is :math:`\ln 2/q_N`.  Its
    exponent tends to :math:`I(1-2\rho)`, twice Demircigil's: the factor 2 is the price of a union
    over all :math:`e^{\alpha N}` patterns.  Chapter 13.

    Parameters
    ----------
    N : float or array_like
        The number(s) of neurons, whole numbers :math:`\ge 1`.
    rho : float, keyword-only, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.
    criterion : {'all', 'typical'}, keyword-only, default 'all'
        Every pattern (Demircigil's threshold) or a given pattern (first-moment estimate).

    Returns
    -------
    float or numpy.ndarray
        The capacity as a number of patterns (not rounded), a float for a scalar ``N``.

    Examples
    --------
    >>> round(exponential_capacity(10), 6)
    32.0
    """
    a = _as_sizes(N, minimum=1.0)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    if criterion == "all":
        return _out(np.exp(a * demircigil_exponent(rho)), N)
    if criterion == "typical":
        n = np.round(a).astype(int)
        if not np.allclose(a, n):
            raise ValueError("N must be integer-valued for criterion='typical'")
        flips = np.floor(rho * n)
        # overlap sum >= n - 2 flips - 2  <=>  number of agreeing coordinates k >= n - flips - 1
        q = stats.binom.sf(n - flips - 2, n, 0.5)
        return _out(np.log(2.0) / q, N)
    raise ValueError(f"criterion must be 'all' or 'typical', got {criterion!r}")


def ramsauer_capacity_bound(d, *, beta: float = 1.0, K: float = 3.0, p: float = 0.001):
    r"""Ramsauer et al.'s lower bound :math:`\sqrt{p}\,c^{(d-1)/4}` on the patterns a continuous modern Hopfield net stores.

    Theorem 3 of Ramsauer et al. (2021): for random patterns on the sphere of radius
    :math:`M = K\sqrt{d-1}` in :math:`\mathbb{R}^d`, failure probability ``p`` and inverse temperature
    :math:`\beta`, set :math:`a = \frac{2}{d-1}(1+\ln(2\beta K^2 p(d-1)))`, :math:`b = 2K^2\beta/5`,
    :math:`c = b/W_0(e^{a+\ln b})` (:math:`W_0` the Lambert W function); if
    :math:`c \ge (2/\sqrt p)^{4/(d-1)}`, then with probability :math:`1-p` at least
    :math:`\sqrt p\, c^{(d-1)/4}` patterns are stored.  Where the condition fails the bound is
    returned as ``nan`` (and bounds beyond the float range as ``inf``).  Exponential in :math:`d`:
    as :math:`d\to\infty`, :math:`c \to e^{W_0(b)} > 1`.  Vectorised in ``d``.  Chapter 13.

    Parameters
    ----------
    d : float or array_like
        The dimension(s), whole numbers :math:`\ge 2`.
    beta : float, keyword-only, default 1.0
        The inverse temperature, positive.
    K : float, keyword-only, default 3.0
        The sphere radius factor (:math:`M = K\sqrt{d-1}`), positive.
    p : float, keyword-only, default 0.001
        The failure probability, in (0, 1].

    Returns
    -------
    float or numpy.ndarray
        The bound as a number of patterns (``nan`` where its condition fails, ``inf`` beyond the float range),
        a float for a scalar ``d``.
    """
    dd = _as_sizes(d, name="d", minimum=2.0)
    beta = check_positive(beta, "beta")
    K = check_positive(K, "K")
    p = check_probability(p, "p", low_open=True)
    a = 2.0 / (dd - 1) * (1.0 + np.log(2.0 * beta * K**2 * p * (dd - 1)))
    b = 2.0 * K**2 * beta / 5.0
    c = b / np.real(special.lambertw(np.exp(a + np.log(b)), 0))
    ok = c >= (2.0 / math.sqrt(p)) ** (4.0 / (dd - 1))
    with np.errstate(over="ignore"):  # astronomically large bounds overflow to inf
        val = np.where(ok, math.sqrt(p) * c ** ((dd - 1) / 4.0), np.nan)
    return _out(val, d)


def _interaction(interaction, degree):
    if interaction == "poly":
        n = check_int(degree, "degree", minimum=2)
        return ("poly", n)
    if interaction == "exp":
        return ("exp", None)
    raise ValueError(f"interaction must be 'poly' or 'exp', got {interaction!r}")


def _one_step(xi: np.ndarray, cues: np.ndarray, kind: str, n) -> np.ndarray:
    r"""One synchronous update of every spin of every cue under E = -sum_mu F(xi^mu . sigma)."""
    P, N = xi.shape
    out = np.empty_like(cues)
    chunk = max(1, int(2_000_000 // (P * N)))
    for s0 in range(0, cues.shape[0], chunk):
        s = cues[s0:s0 + chunk]  # (q, N)
        o = s @ xi.T  # (q, P)
        # overlap without spin i: o'_{q mu i} = o_{q mu} - xi_{mu i} s_{q i}
        op = o[:, :, None] - xi[None, :, :] * s[:, None, :]
        if kind == "poly":
            D = (op + 1.0) ** n - (op - 1.0) ** n
            diff = np.einsum("qmi,mi->qi", D, xi)
        else:
            w = np.exp(op - op.max(axis=1, keepdims=True))
            diff = np.einsum("qmi,mi->qi", w, xi)
        out[s0:s0 + chunk] = _sign_keep(diff, s)
    return out


def _corrupt(x: np.ndarray, nflip: int, rng) -> np.ndarray:
    c = x.copy()
    if nflip:
        for b in range(c.shape[0]):
            c[b, rng.choice(c.shape[1], nflip, replace=False)] *= -1.0
    return c


def dam_retrieval(N, P, *, interaction: str = "poly", degree: int = 2, rho: float = 0.0, probes: int = 16,
                  seed=None) -> float:
    r"""Fraction of probed patterns retrieved exactly by one update of a dense associative memory.

    ``P`` random :math:`\pm1` patterns of length ``N`` are stored in the energy
    :math:`E(\sigma) = -\sum_\mu F(\xi^\mu\cdot\sigma)`, :math:`F(x) = x^n` (``interaction="poly"``,
    ``degree=n``; :math:`n=2` is the Hebbian Hopfield network) or :math:`F(x) = e^x`
    (``interaction="exp"``).  Each of ``probes`` stored patterns is corrupted in
    :math:`\lfloor\rho N\rfloor` random bits; every spin is then set to the sign that lowers the
    energy, :math:`\sigma_i \leftarrow \operatorname{sgn}\sum_\mu[F(\xi^\mu\cdot\sigma^{(i+)}) -
    F(\xi^\mu\cdot\sigma^{(i-)})]` (computed in the log domain for the exponential).  Returns the
    fraction of cues mapped exactly onto their pattern.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The number of neurons, at least 2.
    P : int
        The number of stored patterns, at least 1.
    interaction : {'poly', 'exp'}, keyword-only, default 'poly'
        :math:`F(x) = x^n` or :math:`F(x) = e^x`.
    degree : int, keyword-only, default 2
        The degree :math:`n \ge 2` of ``'poly'``.
    rho : float, keyword-only, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.
    probes : int, keyword-only, default 16
        The number of probed patterns, at most ``P``.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of patterns and cues.

    Returns
    -------
    float
        The fraction of probes retrieved exactly (a probability estimate, in [0, 1]).

    Examples
    --------
    >>> dam_retrieval(32, 2, probes=2, seed=0)
    1.0
    """
    N = check_int(N, "N", minimum=2)
    P = check_int(P, "P", minimum=1)
    kind, n = _interaction(interaction, degree)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    probes = check_int(probes, "probes", minimum=1, maximum=P)
    rng = as_rng(seed)
    xi = random_patterns(P, N, kind="binary", seed=rng)
    cues = _corrupt(xi[:probes], int(math.floor(rho * N)), rng)
    new = _one_step(xi, cues, kind, n)
    return float(np.mean(np.all(new == xi[:probes], axis=1)))


def dam_empirical_capacity(N, *, interaction: str = "poly", degree: int = 2, rho: float = 0.0, probes: int = 32,
                           level: float = 0.5, P_max: int = 1 << 16, seed=None) -> int:
    r"""Largest number of stored patterns at which at least a fraction ``level`` of probes is retrieved in one step.

    Draws one pool of ``P_max`` random patterns and ``probes`` corrupted cues (of the first
    ``probes`` patterns); the memory with ``P`` patterns stores the first ``P`` of the pool and is
    probed with the cues of its first ``min(P, probes)`` patterns, so the
    success fraction (as in :func:`dam_retrieval`) is a nearly monotone function of ``P``, and the
    crossing is located by doubling then bisection.  Returns ``P_max`` if it is never crossed
    (0 if even one pattern fails).
    Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The number of neurons, at least 2.
    interaction : {'poly', 'exp'}, keyword-only, default 'poly'
        :math:`F(x) = x^n` or :math:`F(x) = e^x`.
    degree : int, keyword-only, default 2
        The degree :math:`n \ge 2` of ``'poly'``.
    rho : float, keyword-only, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.
    probes : int, keyword-only, default 32
        The number of corrupted cues.
    level : float, keyword-only, default 0.5
        The success fraction required, in (0, 1].
    P_max : int, keyword-only, default 65536
        The pool size and the largest capacity reported.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the pool and the cues.

    Returns
    -------
    int
        The empirical capacity, a number of patterns in ``[0, P_max]``.
    """
    N = check_int(N, "N", minimum=2)
    kind, n = _interaction(interaction, degree)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    probes = check_int(probes, "probes", minimum=1)
    level = check_probability(level, "level", low_open=True)
    P_max = check_int(P_max, "P_max", minimum=1)
    rng = as_rng(seed)
    pool = random_patterns(P_max, N, kind="binary", seed=rng)
    cues = _corrupt(pool[:probes], int(math.floor(rho * N)), rng)

    def ok(P):
        q = min(P, probes)
        new = _one_step(pool[:P], cues[:q], kind, n)
        return np.mean(np.all(new == pool[:q], axis=1)) >= level

    lo, hi = 0, 1
    while ok(hi):
        lo = hi
        if hi == P_max:
            return P_max
        hi = min(2 * hi, P_max)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo
