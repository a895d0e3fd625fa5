r"""Dense (polynomial) and modern (exponential) associative memories: their capacities in closed form and
their one-step retrieval simulated (chapter 13).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import special, stats

from .._validate import as_real_array, as_rng, as_sizes, check_int, check_positive, check_probability
from ._common import float_or_array, sign_keep
from .cover import random_patterns

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, SeedLike


def cramer_rate(x: ArrayLike) -> float | FloatArray:
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
    a = as_real_array(x, "x")
    if np.any(np.abs(a) > 1):
        raise ValueError("x must lie in [-1, 1]")
    val = 0.5 * (special.xlogy(1 + a, 1 + a) + special.xlogy(1 - a, 1 - a))
    return float_or_array(val, x)


def _double_factorial_odd(k: int) -> int:
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def dense_capacity(N: ArrayLike, degree: int, *, rho: float = 0.0, level: float | None = None) -> float | FloatArray:
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
    degree : int
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
    a = as_sizes(N, "N", minimum=2.0)
    degree = check_int(degree, "degree", minimum=2)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    signal = (1 - 2 * rho) ** (2 * degree - 2) * a ** (degree - 1) / _double_factorial_odd(2 * degree - 3)
    if level is None:
        return float_or_array(signal / (2.0 * np.log(a)), N)
    level = check_probability(level, "level", low_open=True, high_open=True)
    s = special.ndtri(np.exp(np.log(level) / a))
    return float_or_array(1.0 + signal / s**2, N)


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


def exponential_capacity(N: ArrayLike, *, rho: float = 0.0, criterion: str = "all") -> float | FloatArray:
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
    a = as_sizes(N, "N", minimum=1.0)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2, got {rho!r}")
    if criterion == "all":
        return float_or_array(np.exp(a * demircigil_exponent(rho)), N)
    if criterion == "typical":
        n = np.round(a).astype(int)
        if not np.allclose(a, n):
            raise ValueError("N must be integer-valued for criterion='typical'")
        flips = np.floor(rho * n)
        # overlap sum >= n - 2 flips - 2  <=>  number of agreeing coordinates k >= n - flips - 1
        q = stats.binom.sf(n - flips - 2, n, 0.5)
        return float_or_array(np.log(2.0) / q, N)
    raise ValueError(f"criterion must be 'all' or 'typical', got {criterion!r}")


def ramsauer_capacity_bound(d: ArrayLike, *, beta: float = 1.0, K: float = 3.0,
                            p: float = 0.001) -> float | FloatArray:
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
    dd = as_sizes(d, "d", minimum=2.0)
    beta = check_positive(beta, "beta")
    K = check_positive(K, "K")
    p = check_probability(p, "p", low_open=True)
    a = 2.0 / (dd - 1) * (1.0 + np.log(2.0 * beta * K**2 * p * (dd - 1)))
    b = 2.0 * K**2 * beta / 5.0
    c = b / np.real(special.lambertw(np.exp(a + np.log(b)), 0))
    ok = c >= (2.0 / math.sqrt(p)) ** (4.0 / (dd - 1))
    with np.errstate(over="ignore"):  # astronomically large bounds overflow to inf
        val = np.where(ok, math.sqrt(p) * c ** ((dd - 1) / 4.0), np.nan)
    return float_or_array(val, d)


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
        if kind == "poly":  # op is a whole number, so every power is exact: repeated products, not pow
            up, dn = op + 1.0, op - 1.0
            pu, pd = up.copy(), dn.copy()
            for _ in range(n - 1):
                pu *= up
                pd *= dn
            D = pu - pd
            diff = np.einsum("qmi,mi->qi", D, xi)
        else:
            w = np.exp(op - op.max(axis=1, keepdims=True))
            diff = np.einsum("qmi,mi->qi", w, xi)
        out[s0:s0 + chunk] = sign_keep(diff, s)
    return out


def _corrupt(x: np.ndarray, nflip: int, rng) -> np.ndarray:
    c = x.copy()
    if nflip:
        for b in range(c.shape[0]):
            c[b, rng.choice(c.shape[1], nflip, replace=False)] *= -1.0
    return c


def dam_retrieval(N: int, P: int, *, interaction: str = "poly", degree: int = 2, rho: float = 0.0, probes: int = 16,
                  seed: SeedLike = None) -> float:
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


def dam_empirical_capacity(N: int, *, interaction: str = "poly", degree: int = 2, rho: float = 0.0,
                           probes: int = 32, level: float = 0.5, P_max: int = 1 << 16,
                           seed: SeedLike = None) -> int:
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
