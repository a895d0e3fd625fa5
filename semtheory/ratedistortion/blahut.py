r"""Classical Blahut–Arimoto in the log domain with a certified stop: one point, the point at a given
distortion, and the linear-domain step it replaces (chapter 5).  The iteration itself (elimination of
reproductions, squared extrapolation, the certificate) is ``BAProblem`` in ``_common``, shared with
:mod:`~semtheory.ratedistortion.curve`.  Part of :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import measures
from .._validate import as_pmf, log_base
from ._common import as_distortion, ba_problem, check_beta, check_flag, check_tol, gibbs_channel
from ..core.types import ArrayLike


_MIX = 1e-30  # uniform mass mixed into a warm start so that no reproduction is lost for good (a larger
# mass, e.g. 1e-8, puts tails on a fine lattice far above the optimum and BA then needs ~1e5 iterations to remove them)


class BAResult(NamedTuple):
    r"""One point of the rate-distortion curve computed by :func:`blahut_arimoto`.

    ``rate`` = :math:`I(X;Y)` of ``channel`` (units of ``base``), ``distortion`` = :math:`\mathbb E d(X,Y)`,
    ``channel[x, y]`` = :math:`q(y \mid x)`, ``output`` = :math:`q(y)`.  ``gap`` (units of ``base``) certifies the
    point: :math:`\text{rate} - \text{gap} \le R(\text{distortion}) \le \text{rate}`.  ``beta`` (nats per unit
    distortion) is minus the slope of :math:`R(D)` in nats there.  ``converged`` is ``gap <= tol``.

    Attributes
    ----------
    beta : float
        The multiplier, in nats per unit of distortion (minus the slope of :math:`R(D)` in nats).
    rate : float
        :math:`I(X;Y)` of ``channel``, in units of log ``base``.
    distortion : float
        :math:`\mathbb E d(X, Y)`, in the units of the distortion matrix.
    channel : numpy.ndarray, shape (nx, ny)
        The test channel :math:`q(y \mid x)` (rows are pmfs).
    output : numpy.ndarray, shape (ny,)
        The output law :math:`q(y)`.
    gap : float
        The certificate, in units of log ``base``: ``rate - gap <= R(distortion) <= rate``.
    iterations : int
        Blahut--Arimoto iterations used.
    converged : bool
        ``gap <= tol``.
    base : float
        Logarithm base of ``rate`` and ``gap``.
    """

    beta: float
    rate: float
    distortion: float
    channel: np.ndarray
    output: np.ndarray
    gap: float
    iterations: int
    converged: bool
    base: float

    @property
    def lagrangian(self) -> float:
        r""":math:`I + \beta\,\mathbb E d` in nats (``beta`` is in nats)."""
        return self.rate * log_base(self.base) + self.beta * self.distortion


def _init_logr(init, ny: int) -> np.ndarray:
    if init is None:
        return np.full(ny, -math.log(ny))
    r = as_pmf(init, "init", ndim=1)
    if r.size != ny:
        raise ValueError(f"init must be a pmf over the {ny} reproductions, got {r.size} entries")
    mixed = (1 - _MIX) * r + _MIX / ny
    return np.log(mixed)


def blahut_arimoto(p: ArrayLike, distortion: ArrayLike, beta: float, *, base: float = 2, tol: float = 1e-9,
        max_iter: int = 100_000, init: ArrayLike | None = None, accelerate: bool = True) -> BAResult:
    r"""Blahut–Arimoto in the log domain: the point of :math:`R(D)` with slope :math:`-\beta` (nats).

    Iterates :math:`q(y \mid x) = r(y) e^{-\beta d(x,y)} / Z(x)`, :math:`r(y) \leftarrow \sum_x p(x) q(y \mid x)`
    with :math:`r` kept as logs and the exponent shifted by :math:`\min_y d(x,y)`, so that every
    :math:`\beta > 0` (``1e4``, ``1e300``) gives finite values.  Stops when Blahut's certificate
    :math:`\max_y \log c(y) \le` ``tol`` (units of ``base``), where
    :math:`c(y) = \sum_x p(x) e^{-\beta d(x,y)} / Z(x)`; then
    :math:`\text{rate} - \text{gap} \le R(\text{distortion}) \le \text{rate}`.

    ``p`` is the source pmf, ``distortion[x, y]`` any real matrix (``+inf`` forbids a pair), ``beta`` in nats
    per unit distortion, ``init`` an optional starting reproduction pmf.  ``beta = 0`` is the zero-rate end
    of the curve: the best constant reproduction, :math:`R = 0`, :math:`D = D_{\max} = \min_y \sum_x p(x) d(x,y)`
    (``ValueError`` if that is infinite); ``beta < 0`` is an error.  ``accelerate`` (default) applies a
    squared extrapolation (SQUAREM) to the log output law after every two Blahut–Arimoto steps, with the step
    length measured in the mass-weighted norm and then in the plain norm of the log law, and keeps it only if
    it lowers the objective :math:`-\sum_x p(x)\log Z(x)`; the certificate still decides when to stop,
    so the result is certified either way (``accelerate=False`` is the plain iteration).  Reproductions that
    a bound proves to carry no mass in the optimum are removed while iterating (the proof is in the
    docstring of ``semtheory.ratedistortion._common.BAProblem``; their ``output`` is then exactly 0).
    Returns :class:`BAResult`.  Units: rates in ``base`` (bits by default).  Chapter 5.

    Parameters
    ----------
    p : array_like, shape (nx,)
        The source pmf.
    distortion : array_like, shape (nx, ny)
        Distortion matrix :math:`d(x, y)`, real, ``+inf`` allowed (a forbidden pair).
    beta : float
        Multiplier :math:`\beta \ge 0`, in nats per unit of distortion.
    base : float, keyword-only, default 2
        Logarithm base of the rate and the gap (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Stop when the certified gap is at most ``tol`` (units of log ``base``).
    max_iter : int, keyword-only, default 100000
        Iteration limit.
    init : array_like, shape (ny,), keyword-only, optional
        Starting reproduction pmf (default uniform).
    accelerate : bool, keyword-only, default True
        Squared extrapolation of the log output law.

    Returns
    -------
    BAResult
        The point: rate in units of log ``base`` (bits by default), distortion in the matrix's units, the
        channel, the output law and the certificate ``gap``.

    Examples
    --------
    >>> from semtheory.ratedistortion import hamming_distortion
    >>> pt = blahut_arimoto([0.5, 0.5], hamming_distortion(2), 2.0)
    >>> pt.converged, round(pt.distortion, 4)
    (True, 0.1192)
    """
    lb = log_base(base)
    beta = check_beta(beta)
    tol, max_iter = check_tol(tol, max_iter)
    prob = ba_problem(p, distortion)
    prob.accelerate = check_flag(accelerate, "accelerate")
    logr0 = _init_logr(init, prob.ny)
    rate, dist, gap, logr, it = prob.solve(beta, logr0, tol * lb, max_iter)
    channel = gibbs_channel(logr, prob.d_full, beta)
    output = prob.p_full @ channel
    return BAResult(
        beta=beta,
        rate=rate / lb,
        distortion=dist,
        channel=channel,
        output=output,
        gap=gap / lb,
        iterations=it,
        converged=gap <= tol * lb,
        base=float(base),
    )


def rate_distortion_at(p: ArrayLike, distortion: ArrayLike, D: float, *, base: float = 2, tol: float = 1e-9,
        max_iter: int = 100_000) -> BAResult:
    r""":math:`R(D)` at a given distortion ``D``, by a safeguarded secant search on the slope :math:`\beta`.

    Keeps two points of the curve that bracket ``D`` (at first the zero-rate point
    :math:`(D_{\max}, 0)`, :math:`D_{\max} = \min_y \sum_x p(x)d(x,y)`, and a Blahut–Arimoto point below ``D``) and
    solves next at the slope of their chord, the multiplier at which a straight piece of the curve would be
    optimal, falling back to bisection on :math:`\log\beta`.  It stops when a point meets ``D`` or when the
    mixture of the two bracketing channels, which meets ``D`` exactly and whose rate is at most the chord's
    (:math:`I` is convex in the channel), is within ``tol`` of the certified lower bound
    :math:`\max_j (L_j - \text{gap}_j - \beta_j D)` from all the supporting lines computed.  Straight pieces
    (log-loss) cost a handful of solves.  ``D`` must be at least :math:`D_{\min} = \sum_x p(x)\min_y d(x,y)`; for
    :math:`D \ge D_{\max}` the rate is 0 (a constant reproduction).  The result's ``beta`` is the slope of the
    final chord or point (nats); ``gap`` its certificate (units of ``base``).  Chapter 5.

    Parameters
    ----------
    p : array_like, shape (nx,)
        The source pmf.
    distortion : array_like, shape (nx, ny)
        Distortion matrix :math:`d(x, y)` (``+inf`` forbids a pair).
    D : float
        Target distortion, at least :math:`D_{\min}`, in the matrix's units.
    base : float, keyword-only, default 2
        Logarithm base of the rate and the gap (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Certificate target (units of log ``base``).
    max_iter : int, keyword-only, default 100000
        Iteration limit per Blahut--Arimoto solve.

    Returns
    -------
    BAResult
        A test channel meeting ``D``: ``rate`` in units of log ``base`` (bits by default), within ``gap`` of
        :math:`R(D)`.

    Examples
    --------
    >>> from semtheory.ratedistortion import hamming_distortion
    >>> pt = rate_distortion_at([0.5, 0.5], hamming_distortion(2), 0.11)
    >>> round(pt.rate, 4)
    0.5001
    """
    lb = log_base(base)
    tol, max_iter = check_tol(tol, max_iter)
    prob = ba_problem(p, distortion)
    if isinstance(D, bool) or not isinstance(D, (int, float, np.integer, np.floating)) or not math.isfinite(D):
        raise ValueError(f"D must be a finite real number, got {D!r}")
    D = float(D)
    pf, d = prob.p, prob.d
    finite = np.isfinite(d)
    fin = d[finite]
    dmin_total = float(pf @ prob.dmin.ravel())
    col = np.where(finite.all(axis=0), pf @ np.where(finite, d, 0.0), np.inf)
    dmax_total = float(col.min())
    scale = float(fin.max() - fin.min()) or 1.0
    if D < dmin_total - 1e-12 * scale:
        raise ValueError(f"D = {D} is below the smallest achievable distortion {dmin_total}")
    const = np.zeros((prob.p_full.size, prob.ny))
    if math.isfinite(dmax_total):
        const[:, int(np.argmin(col))] = 1.0

    def channel(pt):
        return const if pt[4] is None else gibbs_channel(pt[4], prob.d_full, pt[0])

    def make(pt, rate=None, dist=None, gap=None, ch=None, beta=None):
        b, r, dd, g, _, it = pt
        r = r if rate is None else rate
        dd = dd if dist is None else dist
        g = g if gap is None else gap
        ch = channel(pt) if ch is None else ch
        return BAResult(float(b if beta is None else beta), r / lb, float(dd), ch, prob.p_full @ ch, g / lb,
                        int(it), g <= tol * lb * (1 + 1e-9), float(base))

    zero = (0.0, 0.0, dmax_total, 0.0, None, 0)  # the zero-rate end of the curve
    if D >= dmax_total:
        return make(zero)
    uniform = np.full(prob.ny, -math.log(prob.ny))
    points = []  # (beta, rate_nats, dist, gap_nats, logr, iterations)
    close = 1e-12 * max(scale, abs(D))

    def solve(beta):
        r, dd, g, logr, it = prob.solve(beta, uniform, tol * lb, max_iter)
        points.append((beta, r, dd, g, logr, it))
        return points[-1]

    def lower_at(x):  # certified: every computed point gives a supporting line of the convex curve
        return max([0.0] + [r + b * (dd - x) - g for b, r, dd, g, _, _ in points])

    hi = solve(1.0 / max(D - dmin_total, 1e-9 * scale))
    while hi[2] > D + close and hi[0] < 1e12 / scale:
        hi = solve(hi[0] * 8)
    if hi[2] >= D - close:  # met D, or D is (numerically) D_min: the largest beta tried is as close as it gets
        return make(hi)
    lo = zero if math.isfinite(dmax_total) else solve(hi[0] / 8)
    while lo[2] < D - close:  # pragma: no cover - only without a finite zero-rate point
        lo = solve(lo[0] / 8)
    last_side, repeats = None, 0
    for _ in range(300):
        lam = (D - hi[2]) / (lo[2] - hi[2])
        chord = lam * lo[1] + (1 - lam) * hi[1]
        if chord - lower_at(D) <= tol * lb:
            break
        slope = (hi[1] - lo[1]) / (lo[2] - hi[2])  # nats per unit distortion: the chord's beta
        secant_ok = lo[0] < slope < hi[0] and repeats < 2
        m = solve(slope if secant_ok else (math.sqrt(lo[0] * hi[0]) if lo[0] > 0 else hi[0] / 2))
        if abs(m[2] - D) <= close:
            return make(m)
        side = "lo" if m[2] > D else "hi"
        repeats = repeats + 1 if side == last_side else 0
        last_side = side
        if side == "lo":
            lo = m
        else:
            hi = m
        if lo[0] > 0 and hi[0] / lo[0] - 1 < 1e-14:
            break
    lam = (D - hi[2]) / (lo[2] - hi[2])
    ch = lam * channel(lo) + (1 - lam) * channel(hi)
    rate = measures.mutual_information(prob.p_full[:, None] * ch, 0, 1, base=math.e)
    gap = max(rate - lower_at(D), 0.0)
    slope = (hi[1] - lo[1]) / (lo[2] - hi[2])
    total = (slope, rate, D, gap, None, sum(pt[5] for pt in points))
    return make(total, ch=ch)


def naive_ba_step(p: ArrayLike, distortion: ArrayLike, beta: float, output: ArrayLike | None = None) -> np.ndarray:
    r"""One *linear-domain* Blahut–Arimoto channel update :math:`q(y \mid x) = r(y) e^{-\beta d(x,y)} / \sum_{y'} r(y') e^{-\beta d(x,y')}`.

    Written the way peer libraries write it (``dit`` uses ``q_y * exp2(-beta * d)``), without the row shift:
    for :math:`\beta \min_y d(x, y) \gtrsim 745` the whole row underflows to 0 and the division returns NaN.
    Kept only to show that failure next to :func:`blahut_arimoto`; do not use it to compute anything.
    ``output`` is :math:`r(y)` (uniform by default).  Chapter 5.

    Parameters
    ----------
    p : array_like, shape (nx,)
        The source pmf.
    distortion : array_like, shape (nx, ny)
        Distortion matrix :math:`d(x, y)`.
    beta : float
        Multiplier :math:`\beta \ge 0`, in nats per unit of distortion.
    output : array_like, shape (ny,), optional
        The output law :math:`r(y)` (default uniform).

    Returns
    -------
    numpy.ndarray, shape (nx, ny)
        The linear-domain channel update (NaN rows once the row underflows); dimensionless probabilities.
    """
    p = as_pmf(p, "p", ndim=1)
    d = as_distortion(distortion, p.size)
    beta = check_beta(beta)
    r = np.full(d.shape[1], 1.0 / d.shape[1]) if output is None else as_pmf(output, "output", ndim=1)
    if r.size != d.shape[1]:
        raise ValueError(f"output must be a pmf over the {d.shape[1]} reproductions")
    with np.errstate(under="ignore", invalid="ignore", divide="ignore"):
        q = r[None, :] * np.exp(-beta * d)
        return q / q.sum(axis=1, keepdims=True)
