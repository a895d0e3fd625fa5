r"""The directed (nonanticipative) rate-distortion function of short sequences: the causal-kernel
Blahut–Arimoto solver with its Frank–Wolfe certificate, Markov and Gauss–Markov block laws, and the price of
causality against the block function (chapter 5).  Part of :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import measures
from .._validate import as_pmf, as_real_array, as_stochastic, check_int, log_base
from ..core.alternating import Round, alternate
from ._common import (
    MAX_CELLS,
    as_betas,
    as_distortion,
    as_source_law,
    check_ar,
    check_beta,
    check_flag,
    check_tol,
    lse,
    scaling_gap,
    zero_rate_column,
)
from .blahut import rate_distortion_at
from .curve import RDCurve, block_rate_distortion_curve
from .distortion import additive_distortion
from ..core.types import ArrayLike


_CERTIFY_EVERY = 5  # the directed solver's Frank-Wolfe certificate is computed every few iterations


class DirectedBAResult(NamedTuple):
    r"""A point of the directed rate-distortion curve computed by :func:`directed_blahut_arimoto`.

    ``rate`` = :math:`\frac1n I(X^n \to Y^n)` of the causal test channel ``kernels`` (units of ``base`` per
    symbol), ``distortion`` = :math:`\frac1n\sum_t \mathbb E d(X_t, Y_t)`; ``kernels[t-1]`` has axes
    :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` and holds :math:`q(y_t \mid x^t, y^{t-1})` (the channel layout of
    :mod:`semtheory.directed`, so it has no axis for future inputs).  ``gap`` certifies the point (Frank–Wolfe
    bound, per symbol): :math:`\text{rate} - \text{gap} \le R^{\mathrm{DI}}_n(\text{distortion}) \le \text{rate}`.
    :meth:`joint` gives the joint law of :math:`(X^n, Y^n)` in the layout of :mod:`semtheory.directed`.

    Attributes
    ----------
    beta : float
        The multiplier, in nats per unit of per-symbol distortion.
    rate : float
        :math:`\frac1n I(X^n \to Y^n)`, in units of log ``base`` per symbol.
    distortion : float
        :math:`\frac1n \sum_t \mathbb E d(X_t, Y_t)`, in the units of the distortion matrix.
    kernels : list of numpy.ndarray
        ``kernels[t-1]`` holds :math:`q(y_t \mid x^t, y^{t-1})`, axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)`.
    gap : float
        The Frank--Wolfe certificate per symbol, in units of log ``base``.
    iterations : int
        Iterations used.
    converged : bool
        ``gap <= tol``.
    n : int
        Block length.
    base : float
        Logarithm base of ``rate`` and ``gap``.
    source : numpy.ndarray
        The source law :math:`P(x^n)` (not shown in the repr).
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
    source: np.ndarray

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields[:-1])
        return f"DirectedBAResult({shown})"

    def joint(self) -> np.ndarray:
        r"""Joint law :math:`P(x^n)\,q(y^n \| x^n)` with axes :math:`X_1..X_n, Y_1..Y_n`."""
        from .. import directed

        return directed.joint_law(directed.policy_from_source(self.source), self.kernels)


class DirectedRDCurve(NamedTuple):
    r"""The directed rate-distortion curve over a grid of ``betas`` (increasing): arrays ``rate`` (per symbol,
    units of ``base``), ``distortion`` (per symbol), ``gap``, ``iterations``, ``converged``; ``n`` the block length.
    ``points`` holds the :class:`DirectedBAResult` of each beta when asked for (``keep=True``).

    Attributes
    ----------
    betas : numpy.ndarray, shape (k,)
        The multipliers, increasing, in nats per unit of per-symbol distortion.
    rate : numpy.ndarray, shape (k,)
        :math:`R^{\mathrm{DI}}_n` per symbol, in units of log ``base``.
    distortion : numpy.ndarray, shape (k,)
        Distortions per symbol, in the units of the distortion matrix.
    gap : numpy.ndarray, shape (k,)
        Certificates per symbol, in units of log ``base``.
    iterations : numpy.ndarray, shape (k,)
        Iterations used at each point.
    converged : numpy.ndarray of bool, shape (k,)
        Whether each point met its certificate.
    n : int
        Block length.
    base : float
        Logarithm base of ``rate`` and ``gap``.
    points : tuple of DirectedBAResult
        Every point (with ``keep=True``), else empty.
    """

    betas: np.ndarray
    rate: np.ndarray
    distortion: np.ndarray
    gap: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    n: int
    base: float
    points: tuple = ()

    @property
    def n_points(self) -> int:
        """Number of points of the curve (the length of ``betas``)."""
        return int(self.betas.size)

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


class _DirectedProblem:
    r"""Arrays on the joint space :math:`(X^n, Y^n)` (axes :math:`X_1..X_n, Y_1..Y_n`) for the directed solver."""

    def __init__(self, px: np.ndarray, d: np.ndarray):
        n = px.ndim
        nx, ny = d.shape
        if px.shape[0] != nx:
            raise ValueError(f"distortion has {nx} rows but the source alphabet has {px.shape[0]} symbols")
        if (nx * ny) ** n > MAX_CELLS:
            raise ValueError(f"n={n} with {nx} source and {ny} reproduction symbols gives more than {MAX_CELLS} cells")
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
            lse_t = lse(A, axis=self.y_axis(t), keepdims=True)
            logq[t - 1] = A - lse_t
            V = -lse_t
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
        :math:`c(y^n) = w(y^n)/r(y^n)`, the output law of the Gibbs kernel over :math:`r`, and :func:`scaling_gap`
        finds a feasible :math:`s`.
        """
        n = self.n
        live = (self.px > 0).ravel()
        logu = (sum(logq) - sum(logr))  # log q(y^n || x^n) / r(y^n)
        logu = np.broadcast_to(logu, L.shape).reshape(self.px.size, -1)[live]
        logc = (lse(L, axis=tuple(range(n)), keepdims=True) - sum(logr)).reshape(-1)
        gap = min(float(np.max(logc)), scaling_gap(np.log(self.px.ravel()[live]), logu, logc))
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
            m = lse(L, axis=drop, keepdims=True)
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
            y, dm = zero_rate_column(pt[pt > 0], self.dist[t - 1].reshape(self.nx, self.ny)[pt > 0])
            lq = np.full((1,) * n + (1,) * (t - 1) + (self.ny,) + (1,) * (n - t), -np.inf)
            lq.reshape(-1)[y] = 0.0
            logq.append(lq)
            dist += dm
        return logq, [lq.copy() for lq in logq], 0.0, dist, 0.0, 0

    def solve(self, beta: float, logr: list[np.ndarray], tol_nats: float, max_iter: int):
        if beta == 0.0:
            return self.zero_rate()
        def step(lr, check):  # the causal kernels of lr, their Lagrangian and (when checked) its lower bound
            logq = self.kernels(beta, lr)
            logw, rate, dist, lower = self.evaluate(beta, logq, check, lr)
            lag = rate + beta * dist
            return Round(logw, lag, lower, lag, info=(logq, rate, dist))

        res = alternate(step, logr, tol=tol_nats * self.n, max_iter=max_iter, check_every=_CERTIFY_EVERY)
        logq, rate, dist = res.last.info
        return logq, res.last.next, rate, dist, res.gap, res.iterations

    def to_layout(self, logq: list[np.ndarray]) -> list[np.ndarray]:
        n = self.n
        out = []
        for t in range(1, n + 1):
            q = np.exp(logq[t - 1])
            q = np.broadcast_to(q, (self.nx,) * t + (1,) * (n - t) + (self.ny,) * t + (1,) * (n - t))
            k = q.reshape((self.nx,) * t + (self.ny,) * t)
            out.append(np.ascontiguousarray(k / k.sum(axis=-1, keepdims=True)))
        return out


def directed_blahut_arimoto(p_x: ArrayLike, distortion: ArrayLike, beta: float, *, base: float = 2,
        tol: float = 1e-9, max_iter: int = 100_000) -> DirectedBAResult:
    r"""The point of slope :math:`-\beta` (nats) of the directed rate-distortion function of a short sequence.

    Minimises :math:`I(X^n \to Y^n) + \beta \sum_t \mathbb E d(X_t, Y_t)` over causal test channels
    :math:`q(y^n \| x^n) = \prod_t q(y_t \mid x^t, y^{t-1})` for the source law ``p_x`` (axes :math:`X_1..X_n`, one
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

    Parameters
    ----------
    p_x : array_like, shape (nx,) * n
        The law of :math:`X^n`, one axis per step, one alphabet.
    distortion : array_like, shape (nx, ny)
        Per-letter distortion matrix (``+inf`` forbids a pair).
    beta : float
        Multiplier :math:`\beta \ge 0`, in nats per unit of per-symbol distortion.
    base : float, keyword-only, default 2
        Logarithm base of the rate and the gap (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Certificate target per symbol (units of log ``base``).
    max_iter : int, keyword-only, default 100000
        Iteration limit.

    Returns
    -------
    DirectedBAResult
        The point: rate per symbol in units of log ``base`` (bits by default), distortion per symbol in the
        matrix's units, the causal kernels and the certificate ``gap``.
    """
    lb = log_base(base)
    beta = check_beta(beta)
    tol, max_iter = check_tol(tol, max_iter)
    p = as_source_law(p_x)
    d = as_distortion(distortion, p.shape[0])
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


def directed_rate_distortion_curve(p_x: ArrayLike, distortion: ArrayLike, betas: ArrayLike, *, base: float = 2,
        tol: float = 1e-9, max_iter: int = 100_000, keep: bool = False) -> DirectedRDCurve:
    r"""The directed rate-distortion curve :math:`R^{\mathrm{DI}}_n(D)` over a grid of ``betas`` (nats).

    Runs :func:`directed_blahut_arimoto` at each :math:`\beta` (increasing), each from the uniform output law
    and stopped by its certificate.  Rates per symbol in ``base``; distortions per symbol.  ``keep=True``
    stores every point's :class:`DirectedBAResult` (kernels included) in ``points``.  Chapter 5.

    Parameters
    ----------
    p_x : array_like, shape (nx,) * n
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
    keep : bool, keyword-only, default False
        Store every point's :class:`DirectedBAResult` in ``points``.

    Returns
    -------
    DirectedRDCurve
        Rates per symbol in units of log ``base`` (bits by default), distortions per symbol.
    """
    lb = log_base(base)
    keep = check_flag(keep, "keep")
    tol, max_iter = check_tol(tol, max_iter)
    p = as_source_law(p_x)
    d = as_distortion(distortion, p.shape[0])
    prob = _DirectedProblem(p, d)
    b = as_betas(betas)
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


def gauss_markov_source_law(a: float, noise_variance: float, points: ArrayLike, n: int) -> np.ndarray:
    r"""A discretised stationary Gauss–Markov block: the law of :math:`X^n` on the lattice ``points``.

    :math:`x_t = a x_{t-1} + w_t`, :math:`w_t \sim N(0, \sigma_w^2)`, started in the stationary law
    :math:`N(0, \sigma_w^2/(1-a^2))`: :math:`P(x_1) \propto e^{-x_1^2/(2\sigma_x^2)}` and
    :math:`P(x_t \mid x_{t-1}) \propto e^{-(x_t - a x_{t-1})^2/(2\sigma_w^2)}` on the points (each row
    normalised).  Axes :math:`X_1..X_n`.  Chapter 5.

    Parameters
    ----------
    a : float
        AR(1) coefficient, :math:`|a| < 1`.
    noise_variance : float
        Innovation variance :math:`\sigma_w^2 > 0`.
    points : array_like, shape (m,)
        The lattice, finite reals.
    n : int
        Block length, at least 1.

    Returns
    -------
    numpy.ndarray, shape (m,) * n
        The pmf of :math:`X^n` on the lattice, axes :math:`X_1..X_n` (probabilities).
    """
    a, w = check_ar(a, noise_variance)
    x = as_real_array(points, "points", ndim=1)
    n = check_int(n, "n", minimum=1)
    if x.size**n > MAX_CELLS:
        raise ValueError(f"n={n} with {x.size} points gives more than {MAX_CELLS} cells")
    s2 = w / (1 - a * a)
    l0 = -(x**2) / (2 * s2)
    pi = np.exp(l0 - lse(l0))
    LT = -((x[None, :] - a * x[:, None]) ** 2) / (2 * w)
    T = np.exp(LT - lse(LT, axis=1, keepdims=True))
    T = T / T.sum(axis=1, keepdims=True)
    out = measures.markov_chain_law(pi / pi.sum(), *([T] * (n - 1)))
    return out / out.sum()


class CausalityPrice(NamedTuple):
    r"""Directed and block rate-distortion curves of one block and the price of causality between them.

    ``directed`` (:class:`DirectedRDCurve`) and ``block`` (:class:`RDCurve`) over the same ``betas``;
    ``block_at`` = :math:`R_n` solved by :func:`rate_distortion_at` at each distortion the directed points
    reached; ``gap`` = ``directed.rate - block_at`` (per symbol, units of ``base``); ``certified`` whether every
    point met its certificate.

    Attributes
    ----------
    directed : DirectedRDCurve
        The directed curve over ``betas``.
    block : RDCurve
        The block curve over the same ``betas``.
    block_at : numpy.ndarray, shape (k,)
        :math:`R_n` per symbol at each directed point's distortion, in units of log ``base``.
    gap : numpy.ndarray, shape (k,)
        ``directed.rate - block_at``, per symbol, in units of log ``base``.
    certified : bool
        Whether every point met its certificate.
    """

    directed: DirectedRDCurve
    block: RDCurve
    block_at: np.ndarray
    gap: np.ndarray
    certified: bool


def price_of_causality(p_x: ArrayLike, distortion: ArrayLike, betas: ArrayLike, *, base: float = 2,
        tol: float = 1e-8) -> CausalityPrice:
    r""":math:`R^{\mathrm{DI}}_n(D) - R_n(D)` at the distortions of the directed curve's points.

    Runs :func:`directed_rate_distortion_curve` and :func:`block_rate_distortion_curve` over ``betas`` (nats
    per unit distortion) for the block law ``p_x``, then solves the block function :math:`R_n` exactly at each
    distortion the directed points reached (:func:`rate_distortion_at` on the :math:`|\mathcal X|^n`-letter
    alphabet with the per-symbol additive distortion), so the two rates are compared at the same
    :math:`D`.  Returns :class:`CausalityPrice`.  Rates per symbol in ``base``.  Chapter 5.

    Parameters
    ----------
    p_x : array_like, shape (nx,) * n
        The law of :math:`X^n`, one axis per step, one alphabet.
    distortion : array_like, shape (nx, ny)
        Per-letter distortion matrix (``+inf`` forbids a pair).
    betas : array_like, shape (k,)
        Multipliers :math:`\beta \ge 0`, in nats per unit of per-symbol distortion.
    base : float, keyword-only, default 2
        Logarithm base of the rates (2: bits, e: nats).
    tol : float, keyword-only, default 1e-8
        Certificate target of every solve (units of log ``base``).

    Returns
    -------
    CausalityPrice
        Both curves and the per-symbol price of causality, in units of log ``base`` (bits by default).
    """
    p = as_source_law(p_x)
    d = as_distortion(distortion, p.shape[0])
    n = p.ndim
    dirc = directed_rate_distortion_curve(p, d, betas, base=base, tol=tol)
    blk = block_rate_distortion_curve(p, d, betas, base=base, tol=tol)
    dn = additive_distortion(d, n).reshape(p.size, -1) / n
    at = [rate_distortion_at(p.ravel(), dn, float(D), base=base, tol=tol) for D in dirc.distortion]
    rates = np.array([r.rate for r in at]) / n
    ok = bool(dirc.converged.all() and blk.converged.all() and all(r.converged for r in at))
    return CausalityPrice(dirc, blk, rates, dirc.rate - rates, ok)
