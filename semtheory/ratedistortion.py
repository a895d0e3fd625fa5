r"""Rate-distortion functions: Blahut–Arimoto in the log domain, closed forms, the directed (nonanticipative)
rate-distortion function of short sequences, Gauss–Markov sources, and pre-training as a log-loss point.

Chapter 5 (pre-training: the directed rate-distortion function).

**Classical.**  For a source :math:`p(x)` and a distortion matrix :math:`d(x, y) \in [0, \infty]` (``+inf``
forbids a pair), Shannon's rate-distortion function is

.. math:: R(D) = \min_{q(y \mid x):\ \mathbb E d(X, Y) \le D} I(X; Y).

For a multiplier :math:`\beta > 0` the Lagrangian :math:`\min_q I(X;Y) + \beta\,\mathbb E d` is minimised by the
Gibbs test channel :math:`q(y \mid x) = q(y) e^{-\beta d(x,y)} / Z(x)`; the Blahut–Arimoto (BA) iteration
alternates that channel with the output marginal :math:`q(y) \leftarrow \sum_x p(x) q(y \mid x)`
(Blahut 1972; Arimoto 1972).  The point it reaches lies on the curve where the slope is
:math:`R'(D) = -\beta` **in nats**: ``beta`` is always in nats per unit of distortion, whatever ``base``
the rates are reported in (``dit`` writes :math:`2^{-\beta d}`, so its :math:`\beta` is ours divided by
:math:`\ln 2`).

Every update here is done in the log domain (output marginals are kept as logs and the exponent is
shifted by each row's minimum distortion), so no :math:`\beta` produces NaN or inf; a linear-domain update
(``q(y) * exp(-beta * d)``) underflows to an all-zero row, hence 0/0, once :math:`\beta \min_y d(x,y)` passes
about 745 (1075 in base 2).  Each BA stop is *certified*: Blahut's lower bound on the Lagrangian gives
``gap`` with :math:`R(D_{\text{achieved}}) \ge \text{rate} - \text{gap}` at the achieved distortion, and the
iteration stops when ``gap <= tol``.

**Directed.**  For a source :math:`P(x^n)` (no feedback) and a causal test channel
:math:`q(y^n \| x^n) = \prod_t q(y_t \mid x^t, y^{t-1})`, the directed rate-distortion function per symbol is

.. math:: R^{\mathrm{DI}}_n(D) = \frac1n \min_{q(y^n \| x^n):\ \frac1n\sum_t \mathbb E d(X_t,Y_t) \le D}
          I(X^n \to Y^n),

the nonanticipative rate-distortion function of Gorbunov & Pinsker (1973) (Charalambous, Stavrou & Ahmed
2014; Tanaka et al. 2017), written with Massey's directed information.  :func:`directed_blahut_arimoto`
solves it exactly for short sequences by alternating minimisation over causally conditioned kernels with a
backward (dynamic-programming) recursion, and certifies the result with a Frank–Wolfe gap.

Units: rates in ``base`` (2 = bits, the default; ``math.e`` = nats) per symbol; distortions in the units
of the distortion matrix.  Kernels use the layout of :mod:`semtheory.directed`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np

from . import measures
from ._validate import (
    as_pmf,
    as_stochastic,
    check_int,
    check_positive,
    check_probability,
    log_base,
)

__all__ = [
    # distortion measures
    "hamming_distortion",
    "squared_error_distortion",
    "log_loss_distortion",
    "additive_distortion",
    # classical Blahut-Arimoto
    "BAResult",
    "RDCurve",
    "blahut_arimoto",
    "rate_distortion_curve",
    "rate_distortion_at",
    "naive_ba_step",
    # closed forms
    "binary_hamming_rd",
    "gaussian_rd",
    "log_loss_rd",
    "WaterFilling",
    "reverse_waterfilling",
    "discrete_gaussian",
    # directed rate-distortion
    "DirectedBAResult",
    "DirectedRDCurve",
    "directed_blahut_arimoto",
    "directed_rate_distortion_curve",
    "block_rate_distortion_curve",
    "markov_source_law",
    "gauss_markov_source_law",
    # Gauss-Markov
    "gauss_markov_sequential_rd",
    "gauss_markov_sequential_rd_finite",
    "gauss_markov_block_rd",
    "gauss_markov_rd",
    # pre-training
    "LogLossPoint",
    "log_loss_point",
    "pretraining_point",
    "pretraining_sweep",
    "PretrainingSweep",
    # the whole sequence
    "SequencePredictor",
    "strictly_causal_predictor",
    "log_loss_sequence_lower_bound",
    "CausalityPrice",
    "price_of_causality",
    "plot_pretraining_plane",
    "gaussian_scalar_quantizer",
    "shannon_lower_bound",
    "difference_distortion",
    # the information bottleneck as log-loss rate-distortion
    "BottleneckDistortion",
    "bottleneck_distortion",
]

_MAX_CELLS = 2**23  # largest (X^n, Y^n) table the directed solver builds
_MIX = 1e-30  # uniform mass mixed into a warm start so that no reproduction is lost for good (a larger
# mass, e.g. 1e-8, puts tails on a fine lattice far above the optimum and BA then needs ~1e5 iterations to remove them)
_FAST_Z_FLOOR = 1e-280  # below this a row's partition sum is recomputed exactly in the log domain
_CERTIFY_EVERY = 5  # the directed solver's Frank-Wolfe certificate is computed every few iterations
_WARM_MIX = 1e-3  # uniform mass mixed into a warm start of rate_distortion_curve
_WARM_BUDGET = 2  # iterations a warm start may use before the point is solved from the uniform law
_WARM_PAUSE = 8  # points started cold after a warm start that failed its budget
_SQ_MAX_STEP = 1e4  # largest squared-extrapolation step length of the Blahut-Arimoto output law
_SQ_MAX_DROP = 30.0  # an extrapolated log output mass never falls more than this below the plain iterate


def _lse(A: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    """log-sum-exp along ``axis`` (plain numpy: scipy's version costs ~1 ms of overhead per call)."""
    m = np.max(A, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", under="ignore"):
        out = np.log(np.sum(np.exp(A - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def _scaling_gap(logp: np.ndarray, logu: np.ndarray, logc: np.ndarray, merge: float = 0.0) -> float:
    r"""Certified dual gap (nats) of a Gibbs test channel: a feasible rescaling of Blahut's dual point.

    Blahut's dual point :math:`\lambda_0(x) = 1/Z(x)` has constraint values
    :math:`c(y) = \sum_x a(x, y)`, :math:`a(x,y) = p(x)\,u(x,y)`, :math:`u = q(y \mid x)/r(y)`; it is feasible where
    :math:`c(y) \le 1`.  For each violated :math:`y` the best rescaling :math:`s_y(x) \le 1` of that single constraint
    is :math:`s_y(x) = \min(1, p(x)/(\nu_y a(x,y)))` with :math:`\sum_x \min(a(x,y), p(x)/\nu_y) = 1`; then
    :math:`s(x) = \min_y s_y(x)` satisfies every constraint, so :math:`L^* \ge U(r) + \sum_x p(x)\log s(x)` and the
    returned gap is :math:`-\sum_x p(x)\log s(x)` (0 when :math:`\lambda_0` is already feasible).  Unlike
    :math:`\max_y \log c(y)` it charges a violated reproduction only to the source letters that feed it, so
    far reproductions that are still converging (to zero mass) do not dominate it.  ``logp`` over the support.
    Reproductions violated by at most ``merge`` (``0 < log c(y) <= merge``) share the uniform rescaling
    :math:`s \le 1/\max c(y)` over them (feasible for each, since :math:`\sum_x a(x,y) = c(y)`), which adds at
    most ``merge`` to the gap and spares their sort.
    """
    small = logc[(logc > 0) & (logc <= merge)]
    small_max = float(small.max()) if small.size else 0.0
    viol = np.nonzero(logc > max(merge, 0.0))[0]
    if viol.size == 0:
        return small_max
    m = viol.size
    lu = logu[:, viol]
    order = np.argsort(-lu, axis=0, kind="stable")  # b = 1/u ascending
    lus = np.take_along_axis(lu, order, axis=0)
    ps = np.exp(logp)[order]
    la = logp[order] + lus
    # when no term a(x, y) is astronomically large (a <= c(y), so this is the usual case) the cumulative sums
    # run in the linear domain after a shift by each column's largest term: what underflows then is below
    # e^{-745} of that term, i.e. absolute errors under e^{-445}, far below round-off of the sums near 1
    top = la.max(axis=0)
    fast = float(top.max()) < 300.0 and float(ps.min()) > 1e-290
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        if fast:
            a = np.exp(la - top)
            rev = np.log(np.cumsum(a[::-1], axis=0)[::-1]) + top  # log sum_{i >= k} a_i
            logP = np.log(np.cumsum(ps, axis=0))  # log sum_{i <= k} p_i
        else:
            rev = np.logaddexp.accumulate(la[::-1], axis=0)[::-1]
            logP = np.logaddexp.accumulate(logp[order], axis=0)
        logA_gt = np.vstack([rev[1:], np.full((1, m), -np.inf)])  # log sum_{i > k} a_i
        nxt = np.vstack([lus[1:], np.full((1, m), -np.inf)])  # log u of the next entry (b_{k+1} = 1/u)
        logf_end = np.logaddexp(logP + nxt, logA_gt)  # f at the right end of bracket k
    k = np.argmax(logf_end <= 0, axis=0)
    cols = np.arange(m)
    lA = logA_gt[k, cols]
    with np.errstate(divide="ignore"):
        lognu = logP[k, cols] - np.log(-np.expm1(np.minimum(lA, -1e-300)))
    logs = np.minimum(-small_max, (-lu - lognu[None, :]).min(axis=1))
    val = float(-(np.exp(logp) @ logs))
    return val if math.isfinite(val) else math.inf


# ==============================================================================================
# Distortion measures
# ==============================================================================================


def _flag(v, name: str) -> bool:
    """A boolean switch: ``True`` or ``False`` (numpy booleans too), else ValueError naming it."""
    if not isinstance(v, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {v!r}")
    return bool(v)


def _reject_complex(v, name: str) -> None:
    """Raise ValueError if ``v`` is a complex array (``np.asarray(v, dtype=float)`` would drop the imaginary part)."""
    try:
        if np.iscomplexobj(np.asarray(v)):
            raise ValueError(f"{name} must hold real numbers, got complex values")
    except (TypeError, ValueError) as e:  # ragged input and the like: the caller's conversion reports it
        if "complex" in str(e):
            raise


def _as_distortion(d, nx: int | None = None, name: str = "distortion") -> np.ndarray:
    _reject_complex(d, name)
    try:
        arr = np.array(d, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a matrix of real numbers d[x, y]") from None
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty matrix d[x, y], got shape {arr.shape}")
    if nx is not None and arr.shape[0] != nx:
        raise ValueError(f"{name} has {arr.shape[0]} rows but the source has {nx} outcomes")
    if np.isnan(arr).any() or (arr == -np.inf).any():
        raise ValueError(f"{name} contains NaN or -inf (+inf is allowed: it forbids a pair)")
    if not np.isfinite(arr).any(axis=1).all():
        raise ValueError(f"{name} has a row with no finite entry: every reproduction of that source symbol is forbidden")
    return arr


def hamming_distortion(size, reproductions=None) -> np.ndarray:
    r"""Hamming distortion :math:`d(x, y) = \mathbb 1[x \ne y]` on ``size`` source symbols.

    ``reproductions`` (default ``size``) is the number of reproduction symbols; symbol ``y`` reproduces ``x``
    exactly iff ``y == x``.  Dimensionless (an error probability).  Chapter 5.
    """
    m = check_int(size, "size", minimum=1)
    k = m if reproductions is None else check_int(reproductions, "reproductions", minimum=1)
    return (np.arange(m)[:, None] != np.arange(k)[None, :]).astype(float)


def squared_error_distortion(points, reproductions=None) -> np.ndarray:
    r"""Squared-error distortion :math:`d(x, y) = (x - y)^2` between real source ``points`` and ``reproductions``.

    Both are 1-D arrays of finite reals (``reproductions`` defaults to ``points``).  Units: squared units of
    the points.  Chapter 5.
    """
    x = _as_points(points, "points")
    y = x if reproductions is None else _as_points(reproductions, "reproductions")
    return (x[:, None] - y[None, :]) ** 2


def _as_points(v, name: str) -> np.ndarray:
    _reject_complex(v, name)
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 1-D array of real numbers") from None
    if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
        raise ValueError(f"{name} must be a non-empty 1-D array of finite reals, got shape {arr.shape}")
    return arr


def log_loss_distortion(reproductions, base=2) -> np.ndarray:
    r"""Log-loss distortion :math:`d(x, q) = -\log q(x)` for a list of reproduction pmfs ``q``.

    ``reproductions[j]`` is a pmf over the source alphabet (rows of a row-stochastic matrix of shape
    ``(|Y|, |X|)``); the result has shape ``(|X|, |Y|)`` with ``+inf`` where :math:`q_j(x) = 0`.  The average
    distortion of a test channel is then a cross-entropy, in units of ``base``.  With the point masses
    :math:`\delta_x` and the source pmf itself among the reproductions, :math:`R(D) = H(X) - D`
    exactly (:func:`log_loss_rd`).  Chapter 5.
    """
    lb = log_base(base)
    Q = as_stochastic(reproductions, "reproductions")
    if Q.ndim != 2:
        raise ValueError(f"reproductions must be a matrix whose rows are pmfs, got shape {Q.shape}")
    with np.errstate(divide="ignore"):
        return (-np.log(Q) / lb).T.copy()


def additive_distortion(distortion, n) -> np.ndarray:
    r"""Block distortion :math:`d_n(x^n, y^n) = \sum_{t=1}^n d(x_t, y_t)` as an array with axes :math:`X_1..X_n, Y_1..Y_n`.

    The *total* (not the average) per-letter distortion; divide by ``n`` for the per-symbol average.  The axis
    layout is the joint layout of :mod:`semtheory.directed`.  Chapter 5.
    """
    d = _as_distortion(distortion)
    n = check_int(n, "n", minimum=1)
    nx, ny = d.shape
    if (nx * ny) ** n > _MAX_CELLS:
        raise ValueError(f"n={n} with a {nx}x{ny} distortion gives more than {_MAX_CELLS} cells")
    out = np.zeros((nx,) * n + (ny,) * n)
    for t in range(n):
        shape = [1] * (2 * n)
        shape[t], shape[n + t] = nx, ny
        out = out + d.reshape(shape)
    return out


# ==============================================================================================
# Classical Blahut-Arimoto (log domain, certified stop)
# ==============================================================================================


@dataclass(frozen=True)
class BAResult:
    r"""One point of the rate-distortion curve computed by :func:`blahut_arimoto`.

    ``rate`` = :math:`I(X;Y)` of ``channel`` (units of ``base``), ``distortion`` = :math:`\mathbb E d(X,Y)`,
    ``channel[x, y]`` = :math:`q(y \mid x)`, ``output`` = :math:`q(y)`.  ``gap`` (units of ``base``) certifies the
    point: :math:`\text{rate} - \text{gap} \le R(\text{distortion}) \le \text{rate}`.  ``beta`` (nats per unit
    distortion) is minus the slope of :math:`R(D)` in nats there.  ``converged`` is ``gap <= tol``.
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


@dataclass(frozen=True)
class RDCurve:
    r"""A rate-distortion curve traced by :func:`rate_distortion_curve` (points in increasing ``beta``).

    Arrays ``betas`` (nats per unit distortion), ``rate`` (units of ``base``, per symbol), ``distortion`` (per
    symbol), ``gap`` (certificate, units of ``base``), ``iterations``, ``converged``.  ``symbols`` is the block
    length the rates and distortions are divided by (1 for a single-letter curve).  :meth:`channel` rebuilds
    the test channel of a point exactly from its stored output marginal.
    """

    betas: np.ndarray
    rate: np.ndarray
    distortion: np.ndarray
    gap: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    base: float
    symbols: int
    _log_outputs: np.ndarray = field(repr=False)
    _distortion_matrix: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return self.betas.size

    def channel(self, i) -> np.ndarray:
        r"""Test channel :math:`q(y \mid x) \propto r(y) e^{-\beta d(x,y)}` of point ``i`` (rows are pmfs)."""
        i = check_int(i, "i", minimum=-len(self), maximum=len(self) - 1)
        return _gibbs_channel(self._log_outputs[i], self._distortion_matrix, self.betas[i])

    def output(self, i) -> np.ndarray:
        r"""The reproduction law :math:`r(y)` that generated point ``i``'s channel."""
        i = check_int(i, "i", minimum=-len(self), maximum=len(self) - 1)
        return np.exp(self._log_outputs[i])

    @property
    def lagrangian(self) -> np.ndarray:
        r""":math:`R + \beta D` per symbol, in nats."""
        return self.rate * log_base(self.base) + self.betas * self.distortion

    def rate_at(self, D) -> np.ndarray:
        r"""Chord interpolation of the computed points at distortion(s) ``D`` (an upper bound on :math:`R(D)` by convexity).

        Outside the computed range: the rate of the nearest end.  Units of ``base``.
        """
        D = np.asarray(D, dtype=float)
        if not np.isfinite(D).all():
            raise ValueError("D must be finite")
        order = np.argsort(self.distortion, kind="stable")
        return np.interp(D, self.distortion[order], self.rate[order])

    def rate_lower(self, D) -> np.ndarray:
        r"""Certified lower bound :math:`R(D) \ge \max_j [L_j - \beta_j D] / \ln b` from the supporting lines.

        ``L_j`` are the certified lower bounds on the Lagrangian (``lagrangian - gap``), so this never exceeds
        the true :math:`R(D)` (up to round-off).  Clipped at 0.  Units of ``base``.
        """
        D = np.asarray(D, dtype=float)
        if not np.isfinite(D).all():
            raise ValueError("D must be finite")
        lb = log_base(self.base)
        low = self.lagrangian - self.gap * lb
        vals = low[:, None] - self.betas[:, None] * D.reshape(1, -1)
        return np.maximum(vals.max(axis=0), 0.0).reshape(D.shape) / lb


def _gibbs_channel(logr: np.ndarray, d: np.ndarray, beta: float) -> np.ndarray:
    if beta == 0.0:  # the zero-rate end: every row on the reproduction the output law sits on
        q = np.zeros(d.shape)
        q[:, int(np.argmax(logr))] = 1.0
        return q
    E = -beta * (d - d.min(axis=1, keepdims=True))
    A = logr[None, :] + E
    return np.exp(A - _lse(A, axis=1, keepdims=True))


def _check_beta(beta, name: str = "beta") -> float:
    return check_positive(beta, name, allow_zero=True)


def _zero_rate_column(p: np.ndarray, d: np.ndarray) -> tuple[int, float]:
    r"""The best constant reproduction: :math:`\arg\min_y \sum_x p(x) d(x,y)` and :math:`D_{\max}` (p on its support).

    This is the point of slope :math:`\beta = 0`, the zero-rate end :math:`(D_{\max}, 0)` of the curve.
    Raises ``ValueError`` naming ``beta`` when every reproduction has infinite expected distortion."""
    finite = np.isfinite(d)
    col = np.where(finite.all(axis=0), p @ np.where(finite, d, 0.0), np.inf)
    y = int(np.argmin(col))
    if not math.isfinite(col[y]):
        raise ValueError("beta = 0 is the zero-rate point (R = 0, D = D_max), but every reproduction has an "
                         "infinite expected distortion, so D_max is infinite")
    return y, float(col[y])


def _check_tol(tol, max_iter) -> tuple[float, int]:
    return check_positive(tol, "tol"), check_int(max_iter, "max_iter", minimum=1)


class _BAProblem:
    r"""A source on its support and a distortion matrix, with the log-domain BA iteration at one beta.

    **Elimination of reproductions** (``eliminate``, on by default).  Write :math:`K(x,y) = e^{-\beta(d(x,y) -
    \min_{y'} d(x,y'))}`, :math:`Z_r(x) = \sum_y r(y) K(x,y)`, :math:`c_r(y) = \sum_x p(x) K(x,y)/Z_r(x)` and let
    :math:`r^*` minimise :math:`U(r) = -\sum_x p(x)\log Z_r(x)`; :math:`Z^* = Z_{r^*}` is unique (``log`` is strictly
    concave) and Kuhn–Tucker give :math:`c^*(y) \le 1` for every :math:`y`, with :math:`r^*(y) = 0` wherever
    :math:`c^*(y) < 1` (as :math:`\sum_y r^* c^* = 1`).  For the current :math:`r` put :math:`s(x) = Z_r(x)/Z^*(x)`.
    Then :math:`\mathbb E_p s = \sum_y r(y) c^*(y) \le 1` and :math:`\mathbb E_p[1/s] = \sum_y r^*(y) c_r(y) \le
    e^{m}`, :math:`m = \max_{y \in A} \log c_r(y)` over any set :math:`A` known to contain the support of
    :math:`r^*`, so :math:`\mathbb E_p[(s-1)^2/s] \le \varepsilon = e^m - 1`.  With :math:`a(x) = p(x)K(x,y)/Z_r(x)`,
    Cauchy–Schwarz gives

    .. math:: c^*(y) - c_r(y) = \sum_x a(x)(s(x) - 1) \le \Big(\sum_x \frac{a(x)^2 s(x)}{p(x)}\Big)^{1/2}
              \varepsilon^{1/2} \le \big(A_y\, c^*(y)\, \varepsilon\big)^{1/2},
              \qquad A_y = \max_x K(x,y)/Z_r(x),

    hence :math:`\sqrt{c^*(y)} \le \tfrac12\big(\sqrt{A_y\varepsilon} + \sqrt{A_y\varepsilon + 4c_r(y)}\big)`.  When
    that bound is below 1 (with a margin of ``1e-9`` for round-off) the reproduction :math:`y` carries no mass in
    any optimum and is removed for good at this ``beta`` (its log mass is set to :math:`-\infty`); the
    reduced problem has the same optimum, so the certificate of the reduced problem certifies the full one.
    This is the rate-distortion counterpart of the output-elimination tests for the capacity iteration
    (Yu 2010, "Squeezing the Arimoto–Blahut algorithm for faster convergence"): the test tightens as
    :math:`m \to 0` and removes the reproductions that the plain iteration would take thousands of steps to
    empty.
    """

    def __init__(self, p: np.ndarray, d: np.ndarray):
        self.p_full = p
        self.d_full = d
        keep = p > 0
        self.p = p[keep]
        self.logp = np.log(self.p)
        self.d = d[keep]
        self.dmin = self.d.min(axis=1, keepdims=True)
        self.dd = self.d - self.dmin  # >= 0, +inf on forbidden pairs
        self.d0 = np.where(np.isfinite(self.d), self.d, 0.0)
        self.dmin_total = float(self.p @ self.dmin.ravel())
        self.ny = d.shape[1]
        self.accelerate = True
        self.eliminate = True
        self.eliminated = np.zeros(0, dtype=int)  # the reproductions removed at the last solve (for the tests)

    def exact_terms(self, logr: np.ndarray, E: np.ndarray):
        """log Z(x) (shifted), log c(y) exactly in the log domain."""
        logZ = _lse(logr[None, :] + E, axis=1)
        with np.errstate(divide="ignore"):
            logc = _lse(self.logp[:, None] - logZ[:, None] + E, axis=0)
        return logZ, logc

    def solve(self, beta: float, logr: np.ndarray, tol_nats: float, max_iter: int, restart=None):
        """BA at ``beta`` from ``logr``; ``restart = (budget, logr2)``: from ``logr2`` if not certified in ``budget``."""
        self.eliminated = np.zeros(0, dtype=int)
        if beta == 0.0:  # the zero-rate end (D_max, 0): the best constant reproduction, exactly
            y, dmax = _zero_rate_column(self.p, self.d)
            logr = np.full(self.ny, -np.inf)
            logr[y] = 0.0
            return 0.0, dmax, 0.0, logr, 0
        with np.errstate(invalid="ignore"):
            E = -beta * self.dd  # <= 0, -inf on forbidden pairs, 0 at each row's minimum
        with np.errstate(under="ignore"):
            K = np.exp(E)
        big = E.size > 1024  # there the sharper certificate costs a few iterations: check it adaptively
        act = np.arange(self.ny)  # the reproductions not yet eliminated (a proof that r*(y) = 0 removes one)
        Ea, Ka, lr_a = E, K, logr.copy()

        def terms(lr):
            m = lr.max()
            with np.errstate(under="ignore"):
                rs = np.exp(lr - m)
            Z = Ka @ rs
            if Z.min() > _FAST_Z_FLOOR:
                with np.errstate(under="ignore", divide="ignore"):
                    lz = np.log(Z) + m  # log sum_y r(y) e^{-beta (d - dmin)}
                    lc = np.log(Ka.T @ np.exp(self.logp - lz))
                return lz, lc
            return self.exact_terms(lr, Ea)  # some row's partition sum underflows: exact log arithmetic

        def step(lr, lc):
            u = lr + lc
            return u - _lse(u)

        logZ, logc = terms(lr_a)
        it, k, last_check = 0, 0, 0
        U_prev = math.inf
        scaled = False
        while True:
            gap = float(np.max(logc))
            scaled = False
            U = -float(self.p @ logZ)  # the objective, which every cycle lowers
            # the sharper certificate costs a few iterations on a big matrix: there it is computed only once the
            # objective has nearly stopped moving (while it still falls by more than tol a cycle, the gap of the
            # previous point exceeded tol), or after 16 cycles without it
            want = not big or (U_prev < math.inf and U_prev - U <= 10 * tol_nats) or k - last_check >= 16
            U_prev = U
            if gap > tol_nats and want:
                logu = Ea - logZ[:, None]
                gap = min(gap, _scaling_gap(self.logp, logu, logc, 0.25 * tol_nats))
                scaled = True
                last_check = k
                if gap > tol_nats and self.eliminate and act.size > 1:
                    kill = self._eliminable(logu, logc) & np.isfinite(lr_a)
                    if kill.any():
                        lr_a = np.where(kill, -np.inf, lr_a)
                        lr_a = lr_a - _lse(lr_a)
                        if kill.sum() * 8 >= act.size:  # compact: the matrix products shrink with the support
                            keep = ~kill & np.isfinite(lr_a)
                            act, lr_a = act[keep], lr_a[keep]
                            Ea, Ka = np.ascontiguousarray(E[:, act]), np.ascontiguousarray(K[:, act])
                        logZ, logc = terms(lr_a)
                        continue
            if gap <= tol_nats or it >= max_iter:
                break
            if restart is not None and it >= restart[0]:  # the first start was not certified in its budget
                act, lr_a, restart = np.arange(self.ny), restart[1].copy(), None
                Ea, Ka = E, K
                logZ, logc = terms(lr_a)
                U_prev, last_check = math.inf, k
                continue
            k += 1
            u1 = step(lr_a, logc)
            it += 1
            if not self.accelerate or it >= max_iter:
                lr_a = u1
                logZ, logc = terms(lr_a)
                continue
            z1, c1 = terms(u1)
            u2 = step(u1, c1)
            it += 1
            z2, c2 = terms(u2)
            # squared extrapolation (SQUAREM, Varadhan & Roland 2008) of the log output law, kept only if it
            # lowers the Blahut-Arimoto objective U(r) = -sum_x p(x) log Z(x) below that of the plain two steps
            with np.errstate(invalid="ignore"):  # -inf - -inf on letters with no mass
                d1, d2 = u1 - lr_a, (u2 - u1) - (u1 - lr_a)
            ok = np.isfinite(d1) & np.isfinite(d2)
            d1o, d2o = d1[ok], d2[ok]
            w = np.exp(u2[ok])
            # two step lengths: in the mass-weighted norm (the letters that carry the law: the linear phase of
            # an ill-conditioned kernel) and in the plain norm of the log law (letters emptying at a steady
            # log rate: the sublinear zero-rate end); the longer is tried first, then the other
            steps = []
            for n1, n2 in ((float(np.sqrt(w @ d1o**2)), float(np.sqrt(w @ d2o**2))),
                           (float(np.linalg.norm(d1o)), float(np.linalg.norm(d2o)))):
                if n1 > 0 and n2 > 0:
                    steps.append(max(min(-n1 / n2, -1.0), -_SQ_MAX_STEP))
            accepted = False
            for a in sorted(set(steps)):
                if a > -1.0 - 1e-12:  # a = -1 is the plain double step itself
                    continue
                with np.errstate(invalid="ignore"):
                    ue = np.where(ok, lr_a - 2 * a * d1 + a * a * d2, u2)
                ue = np.maximum(ue, u2 - _SQ_MAX_DROP)  # never kill a letter outright: the certificate decides
                ue = ue - _lse(ue)
                ze, ce = terms(ue)
                if np.isfinite(ze).all() and float(self.p @ (ze - z2)) > 0:  # U(ue) < U(u2), U = -p . log Z
                    accepted = True
                    break
            if accepted:
                lr_a, logZ, logc = ue, ze, ce
                continue
            lr_a, logZ, logc = u2, z2, c2
        logr = np.full(self.ny, -np.inf)
        logr[act] = lr_a
        alive = np.zeros(self.ny, dtype=bool)
        alive[act[np.isfinite(lr_a)]] = True
        self.eliminated = np.nonzero(~alive)[0]
        if not (scaled or gap <= tol_nats):  # stopped by max_iter on an iteration without the sharper certificate
            gap = min(gap, _scaling_gap(self.logp, Ea - logZ[:, None], logc))
        return self.finish(beta, logr, E, K, it, gap, np.isfinite(logc).all())

    def _eliminable(self, logu: np.ndarray, logc: np.ndarray) -> np.ndarray:
        """The active reproductions whose optimal mass the bound of the class docstring proves to be zero."""
        m = float(np.max(logc))
        eps = math.expm1(max(m, 0.0))
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            logA = logu.max(axis=0)  # log max_x K(x, y) / Z(x)
            Ae = np.exp(logA) * eps
            bound = 0.5 * (np.sqrt(Ae) + np.sqrt(Ae + 4.0 * np.exp(logc)))
        return np.isfinite(bound) & (bound < 1.0 - 1e-9)

    def finish(self, beta, logr, E, K, it, gap, finite):
        """Rate and distortion (nats) of the Gibbs channel of ``logr``; ``gap`` is the certificate of the run."""
        m = float(logr.max())
        with np.errstate(under="ignore", divide="ignore"):
            r = np.exp(logr - m)
            Z = K @ r
        if finite and Z.min() > _FAST_Z_FLOOR:
            # one pass: D = sum_y r(y) sum_x p(x) K(x,y) d(x,y) / Z(x), and with q(y|x) = r(y) K(x,y) / Z(x),
            # w(y) = r(y) c(y):  I = sum p q log(q / w) = -beta (D - D_min) - sum_x p log Z - sum_y w log c
            with np.errstate(under="ignore", divide="ignore"):
                logZ = np.log(Z) + m
                v = np.exp(self.logp - logZ)
                c = K.T @ v
                w = np.exp(logr) * c
                logc = np.log(c)
                dist = float(np.exp(logr) @ ((K * self.d0).T @ v))
            rate = -beta * (dist - self.dmin_total) - float(self.p @ logZ) - float(w[w > 0] @ logc[w > 0])
            gap = min(gap, max(float(logc.max()), 0.0))  # Blahut's bound on the full problem holds as well
            return max(rate, 0.0), dist, max(gap, 0.0), logr, it
        logZ, logc = self.exact_terms(logr, E)
        gap = max(gap, 0.0)
        L = E - logZ[:, None]  # log q(y|x) - log r(y)
        with np.errstate(under="ignore"):
            q = np.exp(logr[None, :] + L)
        with np.errstate(invalid="ignore"):
            dens = np.where(q > 0, L - logc[None, :], 0.0)  # log q(y|x)/w(y), w = r c
            dist_terms = np.where(q > 0, q * self.d, 0.0)
        rate = float(self.p @ (q * dens).sum(axis=1))
        dist = float(self.p @ dist_terms.sum(axis=1))
        return max(rate, 0.0), dist, gap, logr, it


def _ba_problem(p, distortion) -> _BAProblem:
    p = as_pmf(p, "p", ndim=1)
    d = _as_distortion(distortion, p.size)
    return _BAProblem(p, d)


def _init_logr(init, ny: int) -> np.ndarray:
    if init is None:
        return np.full(ny, -math.log(ny))
    r = as_pmf(init, "init", ndim=1)
    if r.size != ny:
        raise ValueError(f"init must be a pmf over the {ny} reproductions, got {r.size} entries")
    mixed = (1 - _MIX) * r + _MIX / ny
    return np.log(mixed)


def blahut_arimoto(p, distortion, beta, *, base=2, tol=1e-9, max_iter=100_000, init=None,
                   accelerate=True) -> BAResult:
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
    docstring of ``_BAProblem``; their ``output`` is then exactly 0).  Returns :class:`BAResult`.
    Units: rates in ``base`` (bits by default).  Chapter 5.
    """
    lb = log_base(base)
    beta = _check_beta(beta)
    tol, max_iter = _check_tol(tol, max_iter)
    prob = _ba_problem(p, distortion)
    prob.accelerate = _flag(accelerate, "accelerate")
    logr0 = _init_logr(init, prob.ny)
    rate, dist, gap, logr, it = prob.solve(beta, logr0, tol * lb, max_iter)
    channel = _gibbs_channel(logr, prob.d_full, beta)
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


def _as_betas(betas) -> np.ndarray:
    _reject_complex(betas, "betas")
    try:
        b = np.asarray(betas, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("betas must be a 1-D array of non-negative numbers") from None
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"betas must be a non-empty 1-D array, got shape {b.shape}")
    if not (np.isfinite(b).all() and (b >= 0).all()):
        raise ValueError("betas must be finite and >= 0 (beta = 0 is the zero-rate end of the curve)")
    return np.sort(b)


def _trace(prob: _BAProblem, betas: np.ndarray, lb: float, tol: float, max_iter: int, warm_start: bool, symbols: int,
           base: float, d_for_channel: np.ndarray) -> RDCurve:
    k = betas.size
    rate, dist, gap, its = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k, dtype=int)
    logrs = np.zeros((k, prob.ny))
    logr = np.full(prob.ny, -math.log(prob.ny))
    skip_until = 0
    for i, beta in enumerate(betas):
        uniform = np.full(prob.ny, -math.log(prob.ny))
        if warm_start and i > 0 and betas[i - 1] > 0 and i >= skip_until:
            # a short certified attempt from the previous law (mixed with 1e-3 of the uniform law, so that no
            # reproduction starts from zero); if it is not certified within _WARM_BUDGET iterations the point
            # is solved from the uniform law in the same call, and the next _WARM_PAUSE points start cold, so
            # a warm start costs at most a few iterations more than a cold one over the whole curve
            start = np.logaddexp(logr + math.log1p(-_WARM_MIX), math.log(_WARM_MIX / prob.ny))
            r, dd, g, logr, it = prob.solve(float(beta), start, tol * lb * symbols, max_iter,
                                            restart=(_WARM_BUDGET, uniform))
            if it > _WARM_BUDGET:
                skip_until = i + 1 + _WARM_PAUSE
        else:
            r, dd, g, logr, it = prob.solve(float(beta), uniform, tol * lb * symbols, max_iter)
        rate[i], dist[i], gap[i], its[i] = r, dd, g, it
        logrs[i] = logr
    return RDCurve(
        betas=betas,
        rate=rate / lb / symbols,
        distortion=dist / symbols,
        gap=gap / lb / symbols,
        iterations=its,
        converged=gap <= tol * lb * symbols * (1 + 1e-12),
        base=float(base),
        symbols=symbols,
        _log_outputs=logrs,
        _distortion_matrix=d_for_channel,
    )


def rate_distortion_curve(p, distortion, betas, *, base=2, tol=1e-9, max_iter=100_000, warm_start=False,
                          accelerate=True) -> RDCurve:
    r"""The whole curve :math:`\{(D_\beta, R(D_\beta))\}` over a grid of multipliers ``betas`` (nats per unit distortion).

    Runs :func:`blahut_arimoto` at each :math:`\beta` in increasing order, each from the uniform reproduction
    law and stopped by the certificate ``gap <= tol`` (units of ``base``).  ``warm_start=True`` first tries
    each point from the previous point's reproduction law (mixed with :math:`10^{-3}` of the uniform law so
    that no reproduction starts from zero) for two iterations; if that start is not certified by then the
    point is solved from the uniform law, and the next few points start cold.  It is *not* the default
    because on a fine lattice the previous law's far tails sit many orders of magnitude away from the new
    optimum and the accelerated iteration from a uniform start certifies in a handful of steps anyway; the
    bounded attempt keeps a warm curve within a few iterations of a cold one.
    ``accelerate`` as in :func:`blahut_arimoto`.  Returns an :class:`RDCurve` whose
    points are sorted by :math:`\beta` (so :math:`D` decreases and :math:`R` increases along it).  Rates in
    ``base``; distortions in the matrix's units.  Chapter 5.
    """
    lb = log_base(base)
    tol, max_iter = _check_tol(tol, max_iter)
    prob = _ba_problem(p, distortion)
    prob.accelerate = _flag(accelerate, "accelerate")
    b = _as_betas(betas)
    return _trace(prob, b, lb, tol, max_iter, _flag(warm_start, "warm_start"), 1, base, prob.d_full)


def rate_distortion_at(p, distortion, D, *, base=2, tol=1e-9, max_iter=100_000) -> BAResult:
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
    """
    lb = log_base(base)
    tol, max_iter = _check_tol(tol, max_iter)
    prob = _ba_problem(p, distortion)
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
        return const if pt[4] is None else _gibbs_channel(pt[4], prob.d_full, pt[0])

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


def naive_ba_step(p, distortion, beta, output=None) -> np.ndarray:
    r"""One *linear-domain* Blahut–Arimoto channel update :math:`q(y \mid x) = r(y) e^{-\beta d(x,y)} / \sum_{y'} r(y') e^{-\beta d(x,y')}`.

    Written the way peer libraries write it (``dit`` uses ``q_y * exp2(-beta * d)``), without the row shift:
    for :math:`\beta \min_y d(x, y) \gtrsim 745` the whole row underflows to 0 and the division returns NaN.
    Kept only to show that failure next to :func:`blahut_arimoto`; do not use it to compute anything.
    ``output`` is :math:`r(y)` (uniform by default).  Chapter 5.
    """
    p = as_pmf(p, "p", ndim=1)
    d = _as_distortion(distortion, p.size)
    beta = _check_beta(beta)
    r = np.full(d.shape[1], 1.0 / d.shape[1]) if output is None else as_pmf(output, "output", ndim=1)
    if r.size != d.shape[1]:
        raise ValueError(f"output must be a pmf over the {d.shape[1]} reproductions")
    with np.errstate(under="ignore", invalid="ignore", divide="ignore"):
        q = r[None, :] * np.exp(-beta * d)
        return q / q.sum(axis=1, keepdims=True)


# ==============================================================================================
# Closed forms
# ==============================================================================================


def _as_nonneg_array(x, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{name} must be a real number or an array of them, got {x!r}")
    _reject_complex(x, name)
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or an array of them") from None
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must be finite and >= 0")
    return arr


def _out(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def binary_hamming_rd(p, D, base=2):
    r"""Rate-distortion function of a Bernoulli(``p``) source under Hamming distortion.

    .. math:: R(D) = h(p) - h(D) \quad (0 \le D < \min(p, 1-p)), \qquad R(D) = 0 \text{ otherwise}

    (Cover & Thomas, Thm 10.3.1).  ``D`` may be an array.  Its slope is :math:`R'(D) = -\log\frac{1-D}{D}`, so the
    point of slope :math:`-\beta` (nats) is :math:`D = 1/(1+e^{\beta})`.  Units of ``base``.  Chapter 5.
    """
    p = check_probability(p, "p")
    D = _as_nonneg_array(D, "D")
    lb = log_base(base)
    m = min(p, 1 - p)
    h = lambda x: measures.binary_entropy(x, base=math.e)  # noqa: E731
    with np.errstate(invalid="ignore"):
        val = np.where(D < m, (h(p) - h(np.minimum(D, 0.5))) / lb, 0.0)
    return _out(np.maximum(val, 0.0))


def gaussian_rd(variance, D, base=2):
    r"""Rate-distortion function of a Gaussian :math:`N(\mu, \sigma^2)` source under squared error.

    .. math:: R(D) = \max\left(0, \tfrac12 \log \frac{\sigma^2}{D}\right), \qquad D > 0

    (Cover & Thomas, Thm 10.3.2).  ``D`` may be an array (every entry > 0).  Units of ``base``.  Chapter 5.
    """
    s2 = check_positive(variance, "variance")
    D = _as_nonneg_array(D, "D")
    if (D <= 0).any():
        raise ValueError("D must be > 0 (R(0) is infinite for a continuous source)")
    lb = log_base(base)
    return _out(np.maximum(0.5 * np.log(s2 / D), 0.0) / lb)


def log_loss_rd(p, D, base=2):
    r"""Rate-distortion function under log-loss, :math:`d(x, q) = -\log q(x)`, with reproductions all pmfs on :math:`\mathcal X`.

    .. math:: R(D) = \max\bigl(0, H(X) - D\bigr)

    (Courtade & Weissman 2014): :math:`I(X;Y) = H(X) - H(X \mid Y) \ge H(X) - \mathbb E[-\log q_Y(X)]`, with
    equality when every reproduction is the posterior it induces; erasing :math:`X` with probability
    :math:`1 - R/H` achieves it.  ``D`` (units of ``base``, like the rate) may be an array.  Chapter 5.
    """
    p = as_pmf(p, "p")
    D = _as_nonneg_array(D, "D")
    return _out(np.maximum(measures.entropy(p, base=base) - D, 0.0))


class WaterFilling(NamedTuple):
    """Reverse water-filling solution: ``rate`` (per component, units of ``base``), water ``level`` and the
    per-component distortions ``distortions`` (their mean is the ``D`` asked for)."""

    rate: float
    level: float
    distortions: np.ndarray


def reverse_waterfilling(variances, D, base=2) -> WaterFilling:
    r"""Reverse water-filling for independent Gaussian components :math:`N(0, \sigma_i^2)`, :math:`i = 1..k`.

    .. math:: R(D) = \frac1k \sum_i \max\Bigl(0, \tfrac12\log\frac{\sigma_i^2}{\theta}\Bigr), \qquad
              \frac1k \sum_i \min(\theta, \sigma_i^2) = D,

    rate and distortion *per component* (Cover & Thomas, Thm 10.3.3).  Stationarity of the Lagrangian gives
    :math:`D_i = \theta` on every component with :math:`\sigma_i^2 > \theta`.  Applied to the eigenvalues of a
    covariance matrix it is the rate-distortion function of a Gaussian vector (per coordinate).
    ``0 < D``; for :math:`D \ge` mean variance the rate is 0.  Units of ``base``.  Chapter 5.
    """
    lb = log_base(base)
    v = _as_nonneg_array(variances, "variances")
    if v.ndim != 1:
        raise ValueError(f"variances must be a 1-D array, got shape {v.shape}")
    if v.size == 0 or (v <= 0).any():
        raise ValueError("variances must be a non-empty array of positive numbers")
    D = check_positive(D, "D")
    if D >= v.mean():
        return WaterFilling(0.0, float(v.max()), v.copy())
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
    return WaterFilling(rate / lb, float(theta), Di)


def discrete_gaussian(variance, spacing, width=9.0) -> tuple[np.ndarray, np.ndarray]:
    r"""A discrete Gaussian on the lattice :math:`\delta\mathbb Z \cap [-w\sigma, w\sigma]`: ``(points, pmf)``.

    :math:`p(x_i) \propto e^{-x_i^2/(2\sigma^2)}`.  For :math:`\delta \ll \sigma` its squared-error
    rate-distortion function equals :math:`\tfrac12\log(\sigma^2/D)` up to terms of order
    :math:`e^{-2\pi^2 D(\sigma^2-D)/(\sigma^2\delta^2)}` (lattice sums of Gaussians are flat to that order, so
    the Gaussian test channel :math:`X = Y + Z` exists on the lattice and meets the Shannon lower bound), which
    is how the book checks the Gaussian closed form with Blahut–Arimoto.  ``width`` is in standard deviations.
    Chapter 5.
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
    p = np.exp(logp - _lse(logp))
    return x, p / p.sum()


# ==============================================================================================
# Directed (nonanticipative) rate-distortion of short sequences
# ==============================================================================================


@dataclass(frozen=True)
class DirectedBAResult:
    r"""A point of the directed rate-distortion curve computed by :func:`directed_blahut_arimoto`.

    ``rate`` = :math:`\frac1n I(X^n \to Y^n)` of the causal test channel ``kernels`` (units of ``base`` per
    symbol), ``distortion`` = :math:`\frac1n\sum_t \mathbb E d(X_t, Y_t)`; ``kernels[t-1]`` has axes
    :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` and holds :math:`q(y_t \mid x^t, y^{t-1})` (the channel layout of
    :mod:`semtheory.directed`, so it has no axis for future inputs).  ``gap`` certifies the point (Frank–Wolfe
    bound, per symbol): :math:`\text{rate} - \text{gap} \le R^{\mathrm{DI}}_n(\text{distortion}) \le \text{rate}`.
    :meth:`joint` gives the joint law of :math:`(X^n, Y^n)` in the layout of :mod:`semtheory.directed`.
    """

    beta: float
    rate: float
    distortion: float
    kernels: list
    gap: float
    iterations: int
    converged: bool
    n: int
    base: float
    source: np.ndarray = field(repr=False)

    def joint(self) -> np.ndarray:
        r"""Joint law :math:`P(x^n)\,q(y^n \| x^n)` with axes :math:`X_1..X_n, Y_1..Y_n`."""
        from . import directed

        return directed.joint_law(directed.policy_from_source(self.source), self.kernels)


@dataclass(frozen=True)
class DirectedRDCurve:
    r"""The directed rate-distortion curve over a grid of ``betas`` (increasing): arrays ``rate`` (per symbol,
    units of ``base``), ``distortion`` (per symbol), ``gap``, ``iterations``, ``converged``; ``n`` the block length.
    ``points`` holds the :class:`DirectedBAResult` of each beta when asked for (``keep=True``)."""

    betas: np.ndarray
    rate: np.ndarray
    distortion: np.ndarray
    gap: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    n: int
    base: float
    points: tuple = ()

    def __len__(self) -> int:
        return self.betas.size

    @property
    def lagrangian(self) -> np.ndarray:
        r""":math:`R + \beta D` per symbol, in nats."""
        return self.rate * log_base(self.base) + self.betas * self.distortion

    def rate_at(self, D) -> np.ndarray:
        r"""Chord interpolation at distortion(s) ``D`` (an upper bound on :math:`R^{\mathrm{DI}}_n(D)`).  Units of ``base``."""
        D = np.asarray(D, dtype=float)
        if not np.isfinite(D).all():
            raise ValueError("D must be finite")
        order = np.argsort(self.distortion, kind="stable")
        return np.interp(D, self.distortion[order], self.rate[order])

    def rate_lower(self, D) -> np.ndarray:
        r"""Certified lower bound :math:`R^{\mathrm{DI}}_n(D) \ge \max_j [L_j - \beta_j D] / \ln b` from the supporting lines.

        :math:`L_j` = ``lagrangian - gap`` (nats per symbol) bounds the Lagrangian of point :math:`j` from below
        (Frank–Wolfe / dual certificate), and :math:`R^{\mathrm{DI}}_n` is convex (the causal channels form a
        convex set and :math:`I(X^n;Y^n)` is convex in the channel), so every such line lies below the curve.
        Clipped at 0.  Together with :meth:`rate_at` it brackets :math:`R^{\mathrm{DI}}_n(D)`.  Units of ``base``.
        """
        D = np.asarray(D, dtype=float)
        if not np.isfinite(D).all():
            raise ValueError("D must be finite")
        lb = log_base(self.base)
        low = self.lagrangian - self.gap * lb
        vals = low[:, None] - self.betas[:, None] * D.reshape(1, -1)
        return np.maximum(vals.max(axis=0), 0.0).reshape(D.shape) / lb


def _as_source_law(px, name: str = "px") -> np.ndarray:
    p = as_pmf(px, name)
    if p.ndim == 0:
        raise ValueError(f"{name} must have one axis per time step X_1..X_n, got a scalar")
    if len(set(p.shape)) != 1:
        raise ValueError(f"{name} must use the same alphabet at every step, got shape {p.shape}")
    return p


class _DirectedProblem:
    r"""Arrays on the joint space :math:`(X^n, Y^n)` (axes :math:`X_1..X_n, Y_1..Y_n`) for the directed solver."""

    def __init__(self, px: np.ndarray, d: np.ndarray):
        n = px.ndim
        nx, ny = d.shape
        if px.shape[0] != nx:
            raise ValueError(f"distortion has {nx} rows but the source alphabet has {px.shape[0]} symbols")
        if (nx * ny) ** n > _MAX_CELLS:
            raise ValueError(f"n={n} with {nx} source and {ny} reproduction symbols gives more than {_MAX_CELLS} cells")
        self.n, self.nx, self.ny = n, nx, ny
        self.px = px
        pad = (1,) * n
        with np.errstate(divide="ignore"):
            self.logpx = np.log(px).reshape(px.shape + pad)
        # source conditionals P(x_t | x^{t-1}), axes (X^t, 1.., 1..)
        self.cond = []
        prev = np.ones((1,) * n)
        for t in range(1, n + 1):
            m = px.sum(axis=tuple(range(t, n)), keepdims=True) if t < n else px
            with np.errstate(invalid="ignore", divide="ignore"):
                c = np.where(prev > 0, m / np.where(prev > 0, prev, 1.0), 1.0 / nx)
            self.cond.append(c.reshape(c.shape + pad))
            prev = m
        self.dist = []
        for t in range(1, n + 1):
            shape = [1] * (2 * n)
            shape[t - 1], shape[n + t - 1] = nx, ny
            self.dist.append(d.reshape(shape))
        self.finite = [np.isfinite(dt) for dt in self.dist]

    def y_axis(self, t: int) -> int:
        return self.n + t - 1

    def uniform_logr(self) -> list[np.ndarray]:
        n = self.n
        return [np.full((1,) * n + (self.ny,) * t + (1,) * (n - t), -math.log(self.ny)) for t in range(1, n + 1)]

    def kernels(self, beta: float, logr: list[np.ndarray]) -> list[np.ndarray]:
        """Backward soft recursion: log q_t for the causal channel minimising F(q, r)."""
        n = self.n
        G = np.zeros(())
        logq = [None] * n
        for t in range(n, 0, -1):
            with np.errstate(invalid="ignore"):
                A = logr[t - 1] - beta * self.dist[t - 1] - G
            lse = _lse(A, axis=self.y_axis(t), keepdims=True)
            logq[t - 1] = A - lse
            V = -lse
            c = self.cond[t - 1]
            with np.errstate(invalid="ignore"):
                G = np.where(c > 0, c * V, 0.0).sum(axis=t - 1, keepdims=True)
        self._upper = float(np.sum(G))  # U(r) = min over causal q of F(q, r) = E V_1
        return logq

    def dual_lower(self, logq: list[np.ndarray], logr: list[np.ndarray], L: np.ndarray) -> float:
        r"""Dual lower bound on the Lagrangian (nats) for causal kernels.

        For a causal kernel :math:`q'`, Jensen gives :math:`L(q') \ge \mathbb E_{q'}\log\Psi` whenever
        :math:`\sum_{x^n} p(x^n)e^{-\beta d_n(x^n,y^n)}\Psi(x^n,y^n) \le 1` for every :math:`y^n`.  The choice
        :math:`\log\Psi = \sum_t (V_t - G_{t+1}) + \log s(x^n)` telescopes: its mean under *every* causal
        :math:`q'` is :math:`U(r) + \mathbb E_p\log s`.  With :math:`s \equiv 1` the constraint values are
        :math:`c(y^n) = w(y^n)/r(y^n)`, the output law of the Gibbs kernel over :math:`r`, and :func:`_scaling_gap`
        finds a feasible :math:`s`.
        """
        n = self.n
        live = (self.px > 0).ravel()
        logu = (sum(logq) - sum(logr))  # log q(y^n || x^n) / r(y^n)
        logu = np.broadcast_to(logu, L.shape).reshape(self.px.size, -1)[live]
        logc = (_lse(L, axis=tuple(range(n)), keepdims=True) - sum(logr)).reshape(-1)
        gap = min(float(np.max(logc)), _scaling_gap(np.log(self.px.ravel()[live]), logu, logc))
        return self._upper - gap

    def evaluate(self, beta: float, logq: list[np.ndarray], certify: bool = True, logr=None):
        """Forward pass: output conditionals, rate and distortion (nats, totals) and a certified lower bound."""
        n = self.n
        L = self.logpx
        for t in range(n):
            L = L + logq[t]
        xs = tuple(range(n))
        logw = []
        prev = np.zeros(())
        for t in range(1, n + 1):
            drop = xs + tuple(range(n + t, 2 * n))
            m = _lse(L, axis=drop, keepdims=True)
            with np.errstate(invalid="ignore"):
                lw = np.where(np.isfinite(prev), m - prev, -math.log(self.ny))
            logw.append(lw)
            prev = m
        P = np.exp(L)
        dens = np.zeros(L.shape)
        dist = 0.0
        for t in range(n):
            with np.errstate(invalid="ignore"):
                dens = dens + np.where(P > 0, logq[t] - logw[t], 0.0)
                dist += float(np.where(P > 0, P * self.dist[t], 0.0).sum())
        rate = float((P * dens).sum())
        if not certify:
            return logw, max(rate, 0.0), dist, -math.inf
        # Frank-Wolfe: min over causal kernels of E[c], c_t = log q_t - log w_t + beta d_t (hard backward DP)
        W = np.zeros(())
        for t in range(n, 0, -1):
            with np.errstate(invalid="ignore"):
                ct = logq[t - 1] - logw[t - 1] + beta * self.dist[t - 1]
            ct = np.where(self.finite[t - 1] & np.isfinite(ct), ct, np.inf)
            M = (ct + W).min(axis=self.y_axis(t), keepdims=True)
            c = self.cond[t - 1]
            with np.errstate(invalid="ignore"):
                W = np.where(c > 0, c * M, 0.0).sum(axis=t - 1, keepdims=True)
        lower = float(np.sum(W))
        if logr is not None:
            lower = max(lower, self.dual_lower(logq, logr, L))
        return logw, max(rate, 0.0), dist, lower

    def zero_rate(self):
        """beta = 0: a constant reproduction per step, y_t = argmin_y E d(X_t, y); rate 0, distortion n D_max."""
        n = self.n
        logq, dist = [], 0.0
        for t in range(1, n + 1):
            pt = self.px.sum(axis=tuple(u for u in range(n) if u != t - 1))
            y, dm = _zero_rate_column(pt[pt > 0], self.dist[t - 1].reshape(self.nx, self.ny)[pt > 0])
            lq = np.full((1,) * n + (1,) * (t - 1) + (self.ny,) + (1,) * (n - t), -np.inf)
            lq.reshape(-1)[y] = 0.0
            logq.append(lq)
            dist += dm
        return logq, [lq.copy() for lq in logq], 0.0, dist, 0.0, 0

    def solve(self, beta: float, logr: list[np.ndarray], tol_nats: float, max_iter: int):
        if beta == 0.0:
            return self.zero_rate()
        it = 0
        while True:
            logq = self.kernels(beta, logr)
            certify = it % _CERTIFY_EVERY == 0 or it >= max_iter
            logw, rate, dist, lower = self.evaluate(beta, logq, certify, logr)
            gap = max(rate + beta * dist - lower, 0.0)
            if certify and (gap <= tol_nats * self.n or it >= max_iter):
                break
            logr = logw
            it += 1
        return logq, logw, rate, dist, gap, it

    def to_layout(self, logq: list[np.ndarray]) -> list[np.ndarray]:
        n = self.n
        out = []
        for t in range(1, n + 1):
            q = np.exp(logq[t - 1])
            q = np.broadcast_to(q, (self.nx,) * t + (1,) * (n - t) + (self.ny,) * t + (1,) * (n - t))
            k = q.reshape((self.nx,) * t + (self.ny,) * t)
            out.append(np.ascontiguousarray(k / k.sum(axis=-1, keepdims=True)))
        return out


def directed_blahut_arimoto(px, distortion, beta, *, base=2, tol=1e-9, max_iter=100_000) -> DirectedBAResult:
    r"""The point of slope :math:`-\beta` (nats) of the directed rate-distortion function of a short sequence.

    Minimises :math:`I(X^n \to Y^n) + \beta \sum_t \mathbb E d(X_t, Y_t)` over causal test channels
    :math:`q(y^n \| x^n) = \prod_t q(y_t \mid x^t, y^{t-1})` for the source law ``px`` (axes :math:`X_1..X_n`, one
    alphabet; no feedback from :math:`Y` to :math:`X`, so :math:`I(X^n\to Y^n) = I(X^n;Y^n)` here) and the
    per-letter ``distortion[x, y]``.  Alternating minimisation of the jointly convex
    :math:`F(q, r) = \mathbb E\bigl[\log \frac{q(Y^n\|X^n)}{r(Y^n)}\bigr] + \beta\,\mathbb E\sum_t d(X_t,Y_t)`:

    * given :math:`r(y^n) = \prod_t r(y_t \mid y^{t-1})`, the best causal kernel is the backward Gibbs recursion
      (log domain, :math:`G_{n+1} = 0`)

      .. math:: q(y_t \mid x^t, y^{t-1}) \propto r(y_t \mid y^{t-1})\, e^{-\beta d(x_t, y_t) - G_{t+1}(x^t, y^t)},\quad
                V_t = -\log\sum_{y_t} r\,e^{-\beta d - G_{t+1}},\quad
                G_t(x^{t-1}, y^{t-1}) = \sum_{x_t} P(x_t \mid x^{t-1}) V_t(x^t, y^{t-1});

    * given :math:`q`, the best :math:`r` is the output law :math:`P_q(y_t \mid y^{t-1})`.

    With :math:`n = 1` this is Blahut–Arimoto.  The stop is certified: the objective is convex in the causal
    kernel (a convex set), so the Frank–Wolfe bound :math:`\min_{q'} \mathbb E_{q'}[c]` with
    :math:`c = \sum_t \log\frac{q(y_t \mid x^t,y^{t-1})}{P_q(y_t \mid y^{t-1})} + \beta d(x_t,y_t)` (a hard backward
    recursion over deterministic causal policies) bounds the optimum from below, and the iteration stops
    when the gap per symbol is at most ``tol`` (units of ``base``).  Cost per iteration:
    :math:`O(n |\mathcal X|^n |\mathcal Y|^n)`.  ``beta = 0`` is the zero-rate end: a constant reproduction
    at each step, :math:`y_t = \arg\min_y \mathbb E\, d(X_t, y)`, rate 0 (``beta < 0`` is an error).  Returns
    :class:`DirectedBAResult`.  Chapter 5.
    """
    lb = log_base(base)
    beta = _check_beta(beta)
    tol, max_iter = _check_tol(tol, max_iter)
    p = _as_source_law(px)
    d = _as_distortion(distortion, p.shape[0])
    prob = _DirectedProblem(p, d)
    logq, _, rate, dist, gap, it = prob.solve(beta, prob.uniform_logr(), tol * lb, max_iter)
    n = prob.n
    return DirectedBAResult(
        beta=beta,
        rate=rate / lb / n,
        distortion=dist / n,
        kernels=prob.to_layout(logq),
        gap=gap / lb / n,
        iterations=it,
        converged=gap <= tol * lb * n,
        n=n,
        base=float(base),
        source=p,
    )


def directed_rate_distortion_curve(px, distortion, betas, *, base=2, tol=1e-9, max_iter=100_000,
                                   keep=False) -> DirectedRDCurve:
    r"""The directed rate-distortion curve :math:`R^{\mathrm{DI}}_n(D)` over a grid of ``betas`` (nats).

    Runs :func:`directed_blahut_arimoto` at each :math:`\beta` (increasing), each from the uniform output law
    and stopped by its certificate.  Rates per symbol in ``base``; distortions per symbol.  ``keep=True``
    stores every point's :class:`DirectedBAResult` (kernels included) in ``points``.  Chapter 5.
    """
    lb = log_base(base)
    keep = _flag(keep, "keep")
    tol, max_iter = _check_tol(tol, max_iter)
    p = _as_source_law(px)
    d = _as_distortion(distortion, p.shape[0])
    prob = _DirectedProblem(p, d)
    b = _as_betas(betas)
    n = prob.n
    k = b.size
    rate, dist, gap, its = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k, dtype=int)
    pts = []
    for i, beta in enumerate(b):
        logq, _, r, dd, g, it = prob.solve(float(beta), prob.uniform_logr(), tol * lb, max_iter)
        rate[i], dist[i], gap[i], its[i] = r, dd, g, it
        if keep:
            pts.append(DirectedBAResult(float(beta), r / lb / n, dd / n, prob.to_layout(logq), g / lb / n, it,
                                        g <= tol * lb * n, n, float(base), p))
    return DirectedRDCurve(b, rate / lb / n, dist / n, gap / lb / n, its, gap <= tol * lb * n * (1 + 1e-12), n,
                           float(base), tuple(pts))


def block_rate_distortion_curve(px, distortion, betas, *, base=2, tol=1e-9, max_iter=100_000) -> RDCurve:
    r"""Shannon's rate-distortion function of the :math:`n`-block, per symbol: :math:`R_n(D) = \frac1n \min I(X^n; Y^n)`.

    The minimum is over *all* test channels :math:`q(y^n \mid x^n)` with
    :math:`\frac1n \sum_t \mathbb E d(X_t, Y_t) \le D`: Blahut–Arimoto (:func:`rate_distortion_curve`) on the
    super-alphabet with the additive distortion :func:`additive_distortion`.  Same ``betas`` convention as
    the single-letter curve (nats per unit of per-symbol distortion), so it is directly comparable with
    :func:`directed_rate_distortion_curve`, which adds the causality constraint:
    :math:`R^{\mathrm{DI}}_n(D) \ge R_n(D)`.  Rates per symbol in ``base``.  Chapter 5.
    """
    lb = log_base(base)
    tol, max_iter = _check_tol(tol, max_iter)
    p = _as_source_law(px)
    d = _as_distortion(distortion, p.shape[0])
    n = p.ndim
    dn = additive_distortion(d, n)
    flat_d = dn.reshape(p.size, -1)
    prob = _BAProblem(p.ravel(), flat_d)
    b = _as_betas(betas)
    return _trace(prob, b, lb, tol, max_iter, False, n, base, flat_d)


def markov_source_law(transition, n, initial=None) -> np.ndarray:
    r"""Law of :math:`X^n` for a first-order Markov chain: :math:`P(x^n) = \pi(x_1)\prod_{t\ge2} P(x_t \mid x_{t-1})`.

    ``initial`` defaults to the stationary law :math:`\pi` (so the block is stationary).  Axes
    :math:`X_1..X_n`.  Chapter 5.
    """
    P = as_stochastic(transition, "transition")
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"transition must be a square matrix, got shape {P.shape}")
    n = check_int(n, "n", minimum=1)
    if initial is None:
        from .sources import stationary_distribution

        pi = stationary_distribution(P)
    else:
        pi = as_pmf(initial, "initial", ndim=1)
        if pi.size != P.shape[0]:
            raise ValueError(f"initial must be a pmf over {P.shape[0]} states")
    if P.shape[0] ** n > _MAX_CELLS:
        raise ValueError(f"n={n} gives more than {_MAX_CELLS} cells")
    return measures.markov_chain_law(pi, *([P] * (n - 1)))


def gauss_markov_source_law(a, noise_variance, points, n) -> np.ndarray:
    r"""A discretised stationary Gauss–Markov block: the law of :math:`X^n` on the lattice ``points``.

    :math:`x_t = a x_{t-1} + w_t`, :math:`w_t \sim N(0, \sigma_w^2)`, started in the stationary law
    :math:`N(0, \sigma_w^2/(1-a^2))`: :math:`P(x_1) \propto e^{-x_1^2/(2\sigma_x^2)}` and
    :math:`P(x_t \mid x_{t-1}) \propto e^{-(x_t - a x_{t-1})^2/(2\sigma_w^2)}` on the points (each row
    normalised).  Axes :math:`X_1..X_n`.  Chapter 5.
    """
    a, w = _check_ar(a, noise_variance)
    x = _as_points(points, "points")
    n = check_int(n, "n", minimum=1)
    if x.size**n > _MAX_CELLS:
        raise ValueError(f"n={n} with {x.size} points gives more than {_MAX_CELLS} cells")
    s2 = w / (1 - a * a)
    l0 = -(x**2) / (2 * s2)
    pi = np.exp(l0 - _lse(l0))
    LT = -((x[None, :] - a * x[:, None]) ** 2) / (2 * w)
    T = np.exp(LT - _lse(LT, axis=1, keepdims=True))
    T = T / T.sum(axis=1, keepdims=True)
    out = measures.markov_chain_law(pi / pi.sum(), *([T] * (n - 1)))
    return out / out.sum()


# ==============================================================================================
# Gauss-Markov sources: sequential (causal) and classical rate-distortion functions
# ==============================================================================================


def _check_ar(a, noise_variance) -> tuple[float, float]:
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)) or not -1 < float(a) < 1:
        raise ValueError(f"a must be a real number in (-1, 1) (a stationary AR(1) source), got {a!r}")
    return float(a), check_positive(noise_variance, "noise_variance")


def _positive_D(D) -> np.ndarray:
    D = _as_nonneg_array(D, "D")
    if (D <= 0).any():
        raise ValueError("D must be > 0")
    return D


def gauss_markov_sequential_rd(a, noise_variance, D, base=2):
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
    """
    a, w = _check_ar(a, noise_variance)
    D = _positive_D(D)
    lb = log_base(base)
    return _out(np.maximum(0.5 * np.log(a * a + w / D), 0.0) / lb)


def gauss_markov_sequential_rd_finite(a, noise_variance, D, n, *, initial_variance=None, base=2) -> float:
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
    """
    from scipy.optimize import minimize

    a, w = _check_ar(a, noise_variance)
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


def gauss_markov_block_rd(a, noise_variance, D, n, base=2) -> float:
    r"""Shannon's rate-distortion function of :math:`n` consecutive samples of the stationary Gauss–Markov source, per symbol.

    Reverse water-filling (:func:`reverse_waterfilling`) on the eigenvalues of the Toeplitz covariance
    :math:`\Sigma_{ij} = \sigma_x^2 a^{|i-j|}`, :math:`\sigma_x^2 = \sigma_w^2/(1-a^2)`.  No causality constraint:
    always :math:`\le` the sequential rate of the same block.  Units of ``base``.  Chapter 5.
    """
    a, w = _check_ar(a, noise_variance)
    D = check_positive(D, "D")
    n = check_int(n, "n", minimum=1, maximum=4096)
    s2 = w / (1 - a * a)
    idx = np.arange(n)
    cov = s2 * a ** np.abs(idx[:, None] - idx[None, :])
    return reverse_waterfilling(np.linalg.eigvalsh(cov), D, base).rate


def gauss_markov_rd(a, noise_variance, D, base=2) -> float:
    r"""Shannon's rate-distortion function of the stationary Gauss–Markov *process*, per symbol.

    Reverse water-filling on the spectral density :math:`S(\omega) = \sigma_w^2 / (1 - 2a\cos\omega + a^2)`
    (Kolmogorov; Berger 1971):

    .. math:: D = \frac1{2\pi}\int_{-\pi}^{\pi} \min(\theta, S(\omega))\,d\omega,\qquad
              R(D) = \frac1{4\pi}\int_{-\pi}^{\pi} \max\Bigl(0, \log\frac{S(\omega)}{\theta}\Bigr) d\omega.

    For :math:`D \le \sigma_w^2/(1+|a|)^2` every frequency is above the water and
    :math:`R(D) = \tfrac12\log(\sigma_w^2/D)` (since :math:`\frac1{2\pi}\int \log S = \log\sigma_w^2`).  Computed by
    adaptive quadrature on both sides of the crossing frequency.  Units of ``base``.  Chapter 5.
    """
    from scipy.integrate import quad
    from scipy.optimize import brentq

    a, w = _check_ar(a, noise_variance)
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


# ==============================================================================================
# Pre-training as a point on the log-loss rate-distortion curve
# ==============================================================================================


class LogLossPoint(NamedTuple):
    r"""A predictor placed on the log-loss plane (units of ``base`` per token).

    ``distortion`` = :math:`\mathbb E[-\log Q_C(X)]` (the per-token cross-entropy, the pre-training loss),
    ``rate`` = :math:`I(X; Q_C)` (what its predictions carry about the next token), ``entropy`` = :math:`H(X)`,
    ``conditional_entropy`` = :math:`H(X \mid C)` (the best loss from the same context).  Always
    ``rate >= entropy - distortion`` (the log-loss :math:`R(D)`), with equality iff the predictor is
    calibrated (:math:`P(X \mid Q_C) = Q_C`)."""

    distortion: float
    rate: float
    entropy: float
    conditional_entropy: float


def log_loss_point(block_law, predictive=None, base=2) -> LogLossPoint:
    r"""Place a predictor :math:`Q(x \mid c)` of the next token :math:`X` from a context :math:`C` on the log-loss plane.

    ``block_law`` is the joint pmf of (context, next token): any number of context axes, the next token on the
    **last** axis (e.g. the stationary law of :math:`k+1` consecutive tokens).  ``predictive`` has the same
    shape (or broadcasts to it) and holds :math:`Q(\cdot \mid c)` on its last axis; ``None`` means the true
    conditional :math:`P(x \mid c)` (the population model, calibrated by construction).  Returns
    :class:`LogLossPoint` with distortion :math:`D = \mathbb E[-\log Q_C(X)]` and rate :math:`I(X; Q_C)`
    (contexts with equal predictions are merged, since the rate counts what the *prediction* reveals).

    Since :math:`\mathbb E[-\log Q_C(X)] \ge H(X \mid Q_C)`, the point satisfies :math:`R \ge H(X) - D`: it lies on
    or above the log-loss rate-distortion line (:func:`log_loss_rd`), and no predictor from this context goes
    left of :math:`D = H(X \mid C)`.  Units of ``base``.  Chapter 5.
    """
    lb = log_base(base)
    J = as_pmf(block_law, "block_law")
    if J.ndim == 0:
        raise ValueError("block_law must have at least one axis (the next token)")
    V = J.shape[-1]
    Jf = J.reshape(-1, V)
    if predictive is None:
        Q = _conditional_rows(Jf)
    else:
        try:
            Qa = np.broadcast_to(as_stochastic(predictive, "predictive"), J.shape)
        except ValueError as exc:
            if "predictive" in str(exc):
                raise
            raise ValueError(f"predictive must broadcast to block_law's shape {J.shape}") from None
        Q = Qa.reshape(-1, V)
    with np.errstate(divide="ignore"):
        logQ = np.log(Q)
    if np.any((Jf > 0) & (Q == 0)):
        dist = math.inf
    else:
        dist = float(-(np.where(Jf > 0, Jf * logQ, 0.0)).sum())
    # group contexts by their prediction
    live = Jf.sum(axis=1) > 0
    _, inv = np.unique(np.round(Q[live], 12), axis=0, return_inverse=True)
    G = np.zeros((int(inv.max()) + 1, V))
    np.add.at(G, inv.ravel(), Jf[live])
    rate = measures.mutual_information(G, 0, 1, base=math.e)
    H = measures.entropy(Jf.sum(axis=0), base=math.e)
    Hc = measures.conditional_entropy(Jf, 1, 0, base=math.e)
    return LogLossPoint(dist / lb, rate / lb, H / lb, Hc / lb)


def _conditional_rows(J: np.ndarray) -> np.ndarray:
    den = J.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, J / np.where(den > 0, den, 1.0), 1.0 / J.shape[1])


def pretraining_point(source, model, order=None, base=2) -> LogLossPoint:
    r"""The log-loss point of a language model ``model`` of context length ``order`` on a stationary ``source``.

    ``source`` is a :class:`semtheory.channel.LanguageModel` whose first ``order + 1`` tokens are stationary (every
    source of :mod:`semtheory.sources` starts in its stationary law); ``model`` any language model whose
    prediction depends only on the last ``order`` tokens (an n-gram :class:`semtheory.sources.NGramModel`, a
    :class:`semtheory.channel.MarkovLM`); ``order`` defaults to ``model.order``.  The stationary law of
    :math:`(X_{t-k}^{t-1}, X_t)` comes from :func:`semtheory.channel.sequence_law`, the predictions from
    ``model.next_token_probs``; then :func:`log_loss_point`.  Its ``distortion`` is the model's exact per-token
    cross-entropy rate against the source (the population pre-training loss).  Units of ``base``.  Chapter 5.
    """
    from .channel import LanguageModel, sequence_law

    if not isinstance(source, LanguageModel):
        raise ValueError(f"source must be a semtheory LanguageModel, got {type(source).__name__}")
    if not isinstance(model, LanguageModel):
        raise ValueError(f"model must be a semtheory LanguageModel, got {type(model).__name__}")
    if model.vocab_size != source.vocab_size:
        raise ValueError(f"model has vocab_size {model.vocab_size}, source has {source.vocab_size}")
    if order is None:
        order = getattr(model, "order", None)
        if order is None:
            raise ValueError("order must be given for a model without an 'order' attribute")
    k = check_int(order, "order", minimum=0, maximum=12)
    V = source.vocab_size
    if V ** (k + 1) > 2**20:
        raise ValueError(f"order={k} with vocab_size={V} gives more than 2**20 blocks")
    J = sequence_law(source, k + 1)
    Q = np.empty((V**k, V))
    for i, ctx in enumerate(np.ndindex(*((V,) * k))):
        Q[i] = model.next_token_probs(list(ctx))
    return log_loss_point(J, Q.reshape(J.shape), base)


# ==============================================================================================
# The whole sequence: the ideal predictor as a strictly causal test channel
# ==============================================================================================


class SequencePredictor(NamedTuple):
    r"""The ideal strictly causal predictor of a block, as a test channel (per symbol, units of ``base``).

    ``reproductions[k]`` is the :math:`k`-th distinct predictive pmf :math:`P(\cdot \mid x^{t-1})`;
    ``joint`` the law of :math:`(X^n, Y^n)` (axes :math:`X_1..X_n, Y_1..Y_n`, :math:`Y_t` the index of the
    reproduction used at step :math:`t`); ``distortion`` = :math:`\frac1n\sum_t\mathbb E[-\log Y_t(X_t)]`
    (equal to :math:`H(X^n)/n`); ``rate`` = :math:`\frac1n I(X^n \to Y^n)` computed from ``joint`` by
    :func:`semtheory.directed.directed_information`; ``entropy`` = :math:`H(X^n)/n`."""

    distortion: float
    rate: float
    entropy: float
    reproductions: np.ndarray
    joint: np.ndarray


def strictly_causal_predictor(px, base=2) -> SequencePredictor:
    r"""The ideal next-token predictor :math:`Y_t = P(\cdot \mid X^{t-1})` of a block, read as a causal test channel.

    ``px`` is the law of :math:`X^n` (one axis per step, one alphabet).  The predictor is *strictly* causal:
    :math:`Y_t` is a function of :math:`X^{t-1}` only, so it is one of the causal test channels of the
    directed rate-distortion function under log-loss, with reproductions the distinct predictive pmfs.
    Its distortion is the sequence log-loss :math:`\frac1n\sum_t \mathbb E[-\log P(X_t \mid X^{t-1})] = H(X^n)/n`
    (the pre-training loss of the population model) and its rate is :math:`\frac1n I(X^n \to Y^n)`, which for
    this deterministic channel equals :math:`H(Y^n)/n`.  Returns :class:`SequencePredictor`.  Units of
    ``base`` per symbol.  Chapter 5.
    """
    from . import directed

    lb = log_base(base)
    p = _as_source_law(px)
    n, nx = p.ndim, p.shape[0]
    if nx ** (2 * n) > _MAX_CELLS:
        raise ValueError(f"px with n={n} steps of {nx} symbols is too large for the joint table")
    conds = []  # P(x_t | x^{t-1}) as rows indexed by the prefix, t = 1..n
    for t in range(1, n + 1):
        m = p.sum(axis=tuple(range(t, n))) if t < n else p
        conds.append(_conditional_rows(m.reshape(-1, nx)))
    reps, inv = np.unique(np.round(np.vstack(conds), 12), axis=0, return_inverse=True)
    reps = reps / reps.sum(axis=1, keepdims=True)
    idx = np.split(inv.ravel(), np.cumsum([c.shape[0] for c in conds])[:-1])
    m = reps.shape[0]
    J = np.zeros((nx,) * n + (m,) * n)
    xs = np.array(list(np.ndindex(*((nx,) * n))), dtype=int).reshape(-1, n)
    ys = np.stack([idx[t][np.ravel_multi_index(xs[:, :t].T, (nx,) * t) if t else np.zeros(len(xs), int)]
                   for t in range(n)], axis=1)
    J[tuple(xs.T) + tuple(ys.T)] = p.ravel()
    with np.errstate(divide="ignore"):
        logrep = np.log(reps)
    terms = logrep[ys, xs]  # log Y_t(X_t) for every x^n
    live = p.ravel() > 0
    dist = float(-(p.ravel()[live] @ terms[live].sum(axis=1)))
    rate = directed.directed_information(J, base=math.e)
    H = measures.entropy(p.ravel(), base=math.e)
    return SequencePredictor(dist / lb / n, rate / lb / n, H / lb / n, reps, J)


def log_loss_sequence_lower_bound(px, D, base=2):
    r"""Lower bound :math:`\max(0, H(X^n)/n - D)` on the block and the directed rate-distortion functions under log-loss.

    For any test channel whose reproductions :math:`Y_t` are pmfs on the source alphabet,
    :math:`I(X^n; Y^n) = H(X^n) - H(X^n \mid Y^n) \ge H(X^n) - \sum_t H(X_t \mid Y_t) \ge H(X^n) - \sum_t \mathbb E[-\log Y_t(X_t)]`
    (chain rule, conditioning reduces entropy, cross-entropy at least conditional entropy); divided by
    :math:`n`, :math:`R^{\mathrm{DI}}_n(D) \ge R_n(D) \ge H(X^n)/n - D`.  ``D`` per symbol in units of ``base``.
    Chapter 5.
    """
    lb = log_base(base)
    p = _as_source_law(px)
    Dv = _as_nonneg_array(D, "D")
    H = measures.entropy(p.ravel(), base=math.e) / lb / p.ndim
    return _out(np.maximum(H - Dv, 0.0))


class CausalityPrice(NamedTuple):
    r"""Directed and block rate-distortion curves of one block and the price of causality between them.

    ``directed`` (:class:`DirectedRDCurve`) and ``block`` (:class:`RDCurve`) over the same ``betas``;
    ``block_at`` = :math:`R_n` solved by :func:`rate_distortion_at` at each distortion the directed points
    reached; ``gap`` = ``directed.rate - block_at`` (per symbol, units of ``base``); ``certified`` whether every
    point met its certificate."""

    directed: DirectedRDCurve
    block: RDCurve
    block_at: np.ndarray
    gap: np.ndarray
    certified: bool


def price_of_causality(px, distortion, betas, *, base=2, tol=1e-8) -> CausalityPrice:
    r""":math:`R^{\mathrm{DI}}_n(D) - R_n(D)` at the distortions of the directed curve's points.

    Runs :func:`directed_rate_distortion_curve` and :func:`block_rate_distortion_curve` over ``betas`` (nats
    per unit distortion) for the block law ``px``, then solves the block function :math:`R_n` exactly at each
    distortion the directed points reached (:func:`rate_distortion_at` on the :math:`|\mathcal X|^n`-letter
    alphabet with the per-symbol additive distortion), so the two rates are compared at the same
    :math:`D`.  Returns :class:`CausalityPrice`.  Rates per symbol in ``base``.  Chapter 5.
    """
    p = _as_source_law(px)
    d = _as_distortion(distortion, p.shape[0])
    n = p.ndim
    dirc = directed_rate_distortion_curve(p, d, betas, base=base, tol=tol)
    blk = block_rate_distortion_curve(p, d, betas, base=base, tol=tol)
    dn = additive_distortion(d, n).reshape(p.size, -1) / n
    at = [rate_distortion_at(p.ravel(), dn, float(D), base=base, tol=tol) for D in dirc.distortion]
    rates = np.array([r.rate for r in at]) / n
    ok = bool(dirc.converged.all() and blk.converged.all() and all(r.converged for r in at))
    return CausalityPrice(dirc, blk, rates, dirc.rate - rates, ok)


class PretrainingSweep(NamedTuple):
    r"""Ideal order-:math:`k` predictors and fitted :math:`n`-gram models of a source on the log-loss plane.

    ``orders`` the context lengths; ``ideal[k]`` the :class:`LogLossPoint` of :math:`P(x_t \mid x_{t-k}^{t-1})`;
    ``fitted[N][k]`` that of the Laplace-smoothed :math:`n`-gram of order :math:`k` fitted on ``N`` sampled
    tokens (exact population cross-entropy)."""

    orders: tuple
    ideal: list
    fitted: dict


def pretraining_sweep(source, orders, train_sizes, *, seed=1, base=2) -> PretrainingSweep:
    r"""Place ideal predictors and fitted :math:`n`-gram models of growing order on the log-loss plane.

    For each order :math:`k` in ``orders``: the ideal predictor (:func:`log_loss_point` of the stationary law of
    :math:`k + 1` consecutive tokens) and, for each ``N`` in ``train_sizes``, the
    :class:`semtheory.sources.NGramModel` of order :math:`k` (Laplace smoothing) fitted on ``source.sample(N,
    seed=seed)``, placed with :func:`pretraining_point`.  Deterministic under ``seed``.  Units of ``base``
    per token.  Chapter 5.
    """
    from .channel import LanguageModel, sequence_law
    from .sources import NGramModel

    if not isinstance(source, LanguageModel):
        raise ValueError(f"source must be a semtheory LanguageModel, got {type(source).__name__}")
    for name, v in (("orders", orders), ("train_sizes", train_sizes)):
        if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
            raise ValueError(f"{name} must be an iterable of integers, got {v!r}")
    ks = tuple(check_int(k, "orders", minimum=0, maximum=12) for k in orders)
    Ns = tuple(check_int(N, "train_sizes", minimum=1) for N in train_sizes)
    if not ks or not Ns:
        raise ValueError("orders and train_sizes must be non-empty")
    ideal = [log_loss_point(sequence_law(source, k + 1), base=base) for k in ks]
    fitted = {}
    for N in Ns:
        train = source.sample(N, seed=seed)
        fitted[N] = [pretraining_point(source, NGramModel(train, k, vocab_size=source.vocab_size), base=base)
                     for k in ks]
    return PretrainingSweep(ks, ideal, fitted)


def plot_pretraining_plane(ax, sweep, entropy_rate, *, xlim=None, ylim=None):
    r"""Draw a :class:`PretrainingSweep` on the per-token log-loss plane (the left panel of the chapter's figure).

    The line :math:`R = H(X) - D`, a dashed vertical line at ``entropy_rate`` (bits), the ideal order-:math:`k`
    predictors (circles) and the fitted :math:`n`-gram models of each training size (one marker each, the
    smallest training size labelled by order); ``xlim``/``ylim`` optional axis limits.  Rates and distortions in the units of ``sweep``.  Returns
    ``ax``.  Chapter 5.
    """
    from .plotting import COLORS

    if not isinstance(sweep, PretrainingSweep):
        raise ValueError(f"sweep must be a PretrainingSweep, got {type(sweep).__name__}")
    Hb = check_positive(entropy_rate, "entropy_rate")
    H1 = sweep.ideal[0].entropy
    ax.plot([0, H1], [H1, 0], color=COLORS["entropy"], label=r"$R(D) = H(X) - D$")
    ax.axvline(Hb, ls="--", color=COLORS["bound"], label=r"entropy rate $\bar H$")
    ax.plot([pt.distortion for pt in sweep.ideal], [pt.rate for pt in sweep.ideal], "o", color=COLORS["truth"],
            ms=9, mfc="none", label="ideal order $k$")
    sizes = sorted(sweep.fitted, reverse=True)
    for N, mk, col in zip(sizes, ("s", "^", "v", "D"), ("di", "model", "mi", "entropy")):
        pts = sweep.fitted[N]
        ax.plot([pt.distortion for pt in pts], [pt.rate for pt in pts], mk, color=COLORS[col], ms=5,
                label=f"$n$-gram, {N} tokens")
    small = sizes[-1]
    for k, pt in zip(sweep.orders, sweep.fitted[small]):
        ax.annotate(f"$k={k}$", (pt.distortion, pt.rate), textcoords="offset points",
                    xytext=(5, 4) if k != 2 else (0, -13), fontsize=7, color=COLORS["model"])
    ax.set(xlabel="per-token cross-entropy $D$ (bits)", ylabel=r"rate $I(X_t; Q_{C_t})$ (bits)")
    if xlim is not None:
        ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    return ax


def gaussian_scalar_quantizer(variance, step, *, width=12.0, base=2) -> tuple[float, float]:
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
        w = np.exp(a - _lse(a))
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


def shannon_lower_bound(p, rho, D, base=2):
    r"""Shannon's lower bound :math:`R(D) \ge H(X) - \phi(D)` for a difference distortion on :math:`\mathbb Z_m`.

    ``p`` is a pmf on :math:`\{0..m-1\}`, ``rho[z]`` (:math:`z = 0..m-1`, ``rho[0]`` the smallest) the distortion of
    the difference, :math:`d(x, y) = \rho((x - y) \bmod m)`, and
    :math:`\phi(D) = \max\{H(Z) : \mathbb E\rho(Z) \le D\}`, attained by :math:`w_s(z) \propto e^{-s\rho(z)}` with
    :math:`\mathbb E_{w_s}\rho = D` (or the uniform law once :math:`D \ge` the mean of ``rho``).  The bound
    :math:`I(X;Y) = H(X) - H(X - Y \mid Y) \ge H(X) - H(X - Y) \ge H(X) - \phi(D)` holds for every test channel, with
    equality when the backward channel :math:`X = Y + Z`, :math:`Z \sim w_s` independent of :math:`Y`, exists (always
    for a uniform source).  Clipped at 0.  ``D`` scalar; units of ``base``.  Chapter 5.
    """
    lb = log_base(base)
    P = as_pmf(p, "p", ndim=1)
    _reject_complex(rho, "rho")
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


def difference_distortion(rho) -> np.ndarray:
    r"""The matrix :math:`d(x, y) = \rho((x - y) \bmod m)` of a difference distortion on :math:`\mathbb Z_m` (chapter 5)."""
    _reject_complex(rho, "rho")
    try:
        r = np.asarray(rho, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("rho must be a 1-D array of finite distortions") from None
    if r.ndim != 1 or r.size < 2 or not np.isfinite(r).all():
        raise ValueError("rho must be a finite 1-D array with at least two entries")
    m = r.size
    idx = (np.arange(m)[:, None] - np.arange(m)[None, :]) % m
    return r[idx]


class BottleneckDistortion(NamedTuple):
    r"""The information bottleneck of an encoder read as rate-distortion (chapter 5).

    ``distortion[x, t]`` :math:`= \KL(p(y \mid x) \,\|\, p(y \mid t))`, ``reproductions[t]`` :math:`= p(y \mid t)`
    (cells of zero mass dropped), ``cells`` the indices of the encoder columns kept, ``expected`` the
    average :math:`\mathbb E\, d(X, T)` under the encoder, ``i_xy`` :math:`= I(X;Y)` and ``i_ty`` :math:`= I(T;Y)`;
    all in units of ``base``."""

    distortion: np.ndarray
    reproductions: np.ndarray
    cells: np.ndarray
    expected: float
    i_xy: float
    i_ty: float


def bottleneck_distortion(p_xy, encoder, *, base=2) -> BottleneckDistortion:
    r"""The self-consistent log-loss distortion of an information-bottleneck encoder.

    For a joint pmf ``p_xy`` of :math:`(X, Y)` and an encoder ``encoder[x, t]`` :math:`= q(t \mid x)` (so
    :math:`Y - X - T`), the reproduction of cell :math:`t` is the pmf
    :math:`p(y \mid t) = \sum_x p(y \mid x)\, p(x \mid t)` and the distortion is

    .. math:: d(x, t) = \KL\bigl(p(y \mid x) \,\|\, p(y \mid t)\bigr)
              = \mathbb E\bigl[-\log p(Y \mid t) \mid X = x\bigr] - H(Y \mid X = x),

    the excess log-loss of predicting :math:`Y` by :math:`p(y \mid t)`.  Its average is
    :math:`\mathbb E\, d(X, T) = I(X;Y) - I(T;Y)` (Tishby, Pereira and Bialek 1999), so the bottleneck Lagrangian
    :math:`I(X;T) - \beta I(T;Y)` is the rate-distortion Lagrangian :math:`I(X;T) + \beta\,\mathbb E d` minus
    the constant :math:`\beta I(X;Y)`.  Passing ``distortion`` (with ``base=math.e``) to
    :func:`blahut_arimoto` at the encoder's own :math:`\beta` recovers the encoder's point when the encoder is a
    bottleneck fixed point.  Cells with zero mass are dropped.  Units of ``base``.  Chapter 5.
    """
    lb = log_base(base)
    P = as_pmf(p_xy, "p_xy", ndim=2)
    Q = as_stochastic(encoder, "encoder")
    if Q.ndim != 2 or Q.shape[0] != P.shape[0]:
        raise ValueError(f"encoder must have one row per x ({P.shape[0]}), got shape {Q.shape}")
    px = P.sum(1)
    pyx = np.divide(P, px[:, None], out=np.full_like(P, 1.0 / P.shape[1]), where=px[:, None] > 0)
    pxt = px[:, None] * Q
    pt = pxt.sum(0)
    cells = np.flatnonzero(pt > 0)
    pty = pxt[:, cells].T @ pyx  # p(t, y)
    rep = pty / pt[cells][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        logratio = np.where(pyx[:, None, :] > 0, np.log(pyx[:, None, :]) - np.log(rep[None, :, :]), 0.0)
    d = np.sum(np.where(pyx[:, None, :] > 0, pyx[:, None, :] * logratio, 0.0), axis=2)
    # d = +inf only where a cell's pmf misses a y that x can produce: then p(x, t) = 0 and the pair never occurs
    expected = float(np.sum(pxt[:, cells] * np.where(pxt[:, cells] > 0, d, 0.0)))
    i_xy = measures.mutual_information(P, 0, 1, base=math.e)
    i_ty = measures.mutual_information(pty, 0, 1, base=math.e)
    return BottleneckDistortion(d / lb, rep, cells, max(expected, 0.0) / lb, i_xy / lb, i_ty / lb)
