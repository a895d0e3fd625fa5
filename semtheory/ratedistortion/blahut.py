r"""Classical Blahut–Arimoto in the log domain with a certified stop: one point, a curve, a point at a given
distortion, and the block (:math:`|\mathcal X|^n`-letter) curve of a sequence (chapter 5).  Part of
:mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import measures
from .._validate import as_pmf, check_int, log_base
from ._common import (
    as_betas,
    as_distortion,
    as_source_law,
    check_beta,
    check_flag,
    check_tol,
    lse,
    scaling_gap,
    zero_rate_column,
)
from .distortion import additive_distortion


_MIX = 1e-30  # uniform mass mixed into a warm start so that no reproduction is lost for good (a larger
# mass, e.g. 1e-8, puts tails on a fine lattice far above the optimum and BA then needs ~1e5 iterations to remove them)
_FAST_Z_FLOOR = 1e-280  # below this a row's partition sum is recomputed exactly in the log domain
_WARM_MIX = 1e-3  # uniform mass mixed into a warm start of rate_distortion_curve
_WARM_BUDGET = 2  # iterations a warm start may use before the point is solved from the uniform law
_WARM_PAUSE = 8  # points started cold after a warm start that failed its budget
_SQ_MAX_STEP = 1e4  # largest squared-extrapolation step length of the Blahut-Arimoto output law
_SQ_MAX_DROP = 30.0  # an extrapolated log output mass never falls more than this below the plain iterate


@dataclass(frozen=True)
class BAResult:
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


@dataclass(frozen=True)
class RDCurve:
    r"""A rate-distortion curve traced by :func:`rate_distortion_curve` (points in increasing ``beta``).

    Arrays ``betas`` (nats per unit distortion), ``rate`` (units of ``base``, per symbol), ``distortion`` (per
    symbol), ``gap`` (certificate, units of ``base``), ``iterations``, ``converged``.  ``symbols`` is the block
    length the rates and distortions are divided by (1 for a single-letter curve).  :meth:`channel` rebuilds
    the test channel of a point exactly from its stored output marginal.

    Attributes
    ----------
    betas : numpy.ndarray, shape (k,)
        The multipliers, increasing, in nats per unit of distortion.
    rate : numpy.ndarray, shape (k,)
        Rates per symbol, in units of log ``base``.
    distortion : numpy.ndarray, shape (k,)
        Distortions per symbol, in the units of the distortion matrix.
    gap : numpy.ndarray, shape (k,)
        Certificates per symbol, in units of log ``base``.
    iterations : numpy.ndarray, shape (k,)
        Iterations used at each point.
    converged : numpy.ndarray of bool, shape (k,)
        Whether each point met ``gap <= tol``.
    base : float
        Logarithm base of ``rate`` and ``gap``.
    symbols : int
        The block length the rates and distortions are divided by.
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
    return np.exp(A - lse(A, axis=1, keepdims=True))


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
        logZ = lse(logr[None, :] + E, axis=1)
        with np.errstate(divide="ignore"):
            logc = lse(self.logp[:, None] - logZ[:, None] + E, axis=0)
        return logZ, logc

    def solve(self, beta: float, logr: np.ndarray, tol_nats: float, max_iter: int, restart=None):
        """BA at ``beta`` from ``logr``; ``restart = (budget, logr2)``: from ``logr2`` if not certified in ``budget``."""
        self.eliminated = np.zeros(0, dtype=int)
        if beta == 0.0:  # the zero-rate end (D_max, 0): the best constant reproduction, exactly
            y, dmax = zero_rate_column(self.p, self.d)
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
            return u - lse(u)

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
                gap = min(gap, scaling_gap(self.logp, logu, logc, 0.25 * tol_nats))
                scaled = True
                last_check = k
                if gap > tol_nats and self.eliminate and act.size > 1:
                    kill = self._eliminable(logu, logc) & np.isfinite(lr_a)
                    if kill.any():
                        lr_a = np.where(kill, -np.inf, lr_a)
                        lr_a = lr_a - lse(lr_a)
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
                ue = ue - lse(ue)
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
            gap = min(gap, scaling_gap(self.logp, Ea - logZ[:, None], logc))
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
    d = as_distortion(distortion, p.size)
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
    prob = _ba_problem(p, distortion)
    prob.accelerate = check_flag(accelerate, "accelerate")
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

    Parameters
    ----------
    p : array_like, shape (nx,)
        The source pmf.
    distortion : array_like, shape (nx, ny)
        Distortion matrix :math:`d(x, y)` (``+inf`` forbids a pair).
    betas : array_like, shape (k,)
        Multipliers :math:`\beta \ge 0`, in nats per unit of distortion (any order; sorted on output).
    base : float, keyword-only, default 2
        Logarithm base of the rates and gaps (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Certificate target per point (units of log ``base``).
    max_iter : int, keyword-only, default 100000
        Iteration limit per point.
    warm_start : bool, keyword-only, default False
        Try each point from the previous point's output law first.
    accelerate : bool, keyword-only, default True
        As in :func:`blahut_arimoto`.

    Returns
    -------
    RDCurve
        The points sorted by ``beta``: rates in units of log ``base`` (bits by default), distortions in the
        matrix's units.
    """
    lb = log_base(base)
    tol, max_iter = check_tol(tol, max_iter)
    prob = _ba_problem(p, distortion)
    prob.accelerate = check_flag(accelerate, "accelerate")
    b = as_betas(betas)
    return _trace(prob, b, lb, tol, max_iter, check_flag(warm_start, "warm_start"), 1, base, prob.d_full)


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


def block_rate_distortion_curve(px, distortion, betas, *, base=2, tol=1e-9, max_iter=100_000) -> RDCurve:
    r"""Shannon's rate-distortion function of the :math:`n`-block, per symbol: :math:`R_n(D) = \frac1n \min I(X^n; Y^n)`.

    The minimum is over *all* test channels :math:`q(y^n \mid x^n)` with
    :math:`\frac1n \sum_t \mathbb E d(X_t, Y_t) \le D`: Blahut–Arimoto (:func:`rate_distortion_curve`) on the
    super-alphabet with the additive distortion :func:`additive_distortion`.  Same ``betas`` convention as
    the single-letter curve (nats per unit of per-symbol distortion), so it is directly comparable with
    :func:`directed_rate_distortion_curve`, which adds the causality constraint:
    :math:`R^{\mathrm{DI}}_n(D) \ge R_n(D)`.  Rates per symbol in ``base``.  Chapter 5.

    Parameters
    ----------
    px : array_like, shape (nx,) * n
        The law of :math:`X^n`, one axis per step, one alphabet.
    distortion : array_like, shape (nx, ny)
        Per-letter distortion matrix (``+inf`` forbids a pair).
    betas : array_like, shape (k,)
        Multipliers :math:`\beta \ge 0`, in nats per unit of per-symbol distortion.
    base : float, keyword-only, default 2
        Logarithm base of the rates and gaps (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Certificate target per point (units of log ``base``, per symbol).
    max_iter : int, keyword-only, default 100000
        Iteration limit per point.

    Returns
    -------
    RDCurve
        :math:`R_n` per symbol in units of log ``base`` (bits by default), ``symbols = n``; distortions per
        symbol in the matrix's units.
    """
    lb = log_base(base)
    tol, max_iter = check_tol(tol, max_iter)
    p = as_source_law(px)
    d = as_distortion(distortion, p.shape[0])
    n = p.ndim
    dn = additive_distortion(d, n)
    flat_d = dn.reshape(p.size, -1)
    prob = _BAProblem(p.ravel(), flat_d)
    b = as_betas(betas)
    return _trace(prob, b, lb, tol, max_iter, False, n, base, flat_d)
