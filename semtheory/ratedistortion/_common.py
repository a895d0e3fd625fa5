"""What the parts of :mod:`semtheory.ratedistortion` share and users do not call: argument checks, the
log-sum-exp (imported from :mod:`semtheory.core.logexp`, its one home), the block-table size limit, the
certified dual gap of a Gibbs test channel and the log-domain Blahut–Arimoto iteration ``BAProblem`` behind
:mod:`~semtheory.ratedistortion.blahut` and :mod:`~semtheory.ratedistortion.curve` (chapter 5).

The names here are public within the subpackage (its sibling modules import them) but are not re-exported
by :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_pmf, check_flag, check_int, check_positive  # check_flag: blahut, curve and causal import it from here
from ..core.alternating import Round, alternate, squarem_point, squarem_steps


from ..core.law import MAX_CELLS  # largest (X^n, Y^n) table the directed solver builds


# the log-sum-exp kernel has one home, semtheory.core.logexp (lse is its logsumexp)
from ..core.logexp import EXP_ZERO as _EXP_ZERO
from ..core.logexp import exp0, log_normalise
from ..core.logexp import logsumexp as lse


def scaling_gap(logp: np.ndarray, logu: np.ndarray, logc: np.ndarray, merge: float = 0.0) -> float:
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
    # one row per violated reproduction y (the sums over x then run along contiguous memory)
    lu = np.ascontiguousarray(logu[:, viol].T)
    order = np.argsort(-lu, axis=1, kind="stable")  # b = 1/u ascending
    lus = np.take_along_axis(lu, order, axis=1)
    ps = np.exp(logp)[order]
    la = logp[order] + lus
    # when no term a(x, y) is astronomically large (a <= c(y), so this is the usual case) the cumulative sums
    # run in the linear domain after a shift by each row's largest term: what underflows then is below
    # e^{-745} of that term, i.e. absolute errors under e^{-445}, far below round-off of the sums near 1
    top = la.max(axis=1, keepdims=True)
    fast = float(top.max()) < 300.0 and float(ps.min()) > 1e-290
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        if fast:
            a = np.exp(la - top)
            rev = np.log(np.cumsum(a[:, ::-1], axis=1)[:, ::-1]) + top  # log sum_{i >= k} a_i
            logP = np.log(np.cumsum(ps, axis=1))  # log sum_{i <= k} p_i
        else:
            rev = np.logaddexp.accumulate(la[:, ::-1], axis=1)[:, ::-1]
            logP = np.logaddexp.accumulate(logp[order], axis=1)
        end = np.full((m, 1), -np.inf)
        logA_gt = np.hstack([rev[:, 1:], end])  # log sum_{i > k} a_i
        nxt = np.hstack([lus[:, 1:], end])  # log u of the next entry (b_{k+1} = 1/u)
        # f at the right end of bracket k is at most 1, i.e. logaddexp(logP + nxt, logA_gt) <= 0; on the fast path
        # it is decided in the linear domain (exp is vectorised, logaddexp ~5x slower) except within 1e-12 of 1,
        # where the two could disagree by round-off and logaddexp decides as before
        x1 = logP + nxt
        if fast:
            lin = np.exp(x1) + np.exp(logA_gt)
            ends = lin <= 1.0
            tie = np.abs(lin - 1.0) <= 1e-12
            if tie.any():
                ends[tie] = np.logaddexp(x1[tie], logA_gt[tie]) <= 0
        else:
            ends = np.logaddexp(x1, logA_gt) <= 0
    k = np.argmax(ends, axis=1)
    rows = np.arange(m)
    lA = logA_gt[rows, k]
    with np.errstate(divide="ignore"):
        lognu = logP[rows, k] - np.log(-np.expm1(np.minimum(lA, -1e-300)))
    logs = np.minimum(-small_max, (-lu - lognu[:, None]).min(axis=0))
    val = float(-(np.exp(logp) @ logs))
    return val if math.isfinite(val) else math.inf


def reject_complex(v, name: str) -> None:
    """Raise ValueError if ``v`` is a complex array (``np.asarray(v, dtype=float)`` would drop the imaginary part)."""
    try:
        if np.iscomplexobj(np.asarray(v)):
            raise ValueError(f"{name} must hold real numbers, got complex values")
    except (TypeError, ValueError) as e:  # ragged input and the like: the caller's conversion reports it
        if "complex" in str(e):
            raise


def as_distortion(d, nx: int | None = None, name: str = "distortion") -> np.ndarray:
    reject_complex(d, name)
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


def check_beta(beta, name: str = "beta") -> float:
    return check_positive(beta, name, allow_zero=True)


def zero_rate_column(p: np.ndarray, d: np.ndarray) -> tuple[int, float]:
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


def check_tol(tol, max_iter) -> tuple[float, int]:
    return check_positive(tol, "tol"), check_int(max_iter, "max_iter", minimum=1)


def as_betas(betas) -> np.ndarray:
    reject_complex(betas, "betas")
    try:
        b = np.asarray(betas, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("betas must be a 1-D array of non-negative numbers") from None
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"betas must be a non-empty 1-D array, got shape {b.shape}")
    if not (np.isfinite(b).all() and (b >= 0).all()):
        raise ValueError("betas must be finite and >= 0 (beta = 0 is the zero-rate end of the curve)")
    return np.sort(b)


def as_output(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def as_source_law(p_x, name: str = "p_x") -> np.ndarray:
    p = as_pmf(p_x, name)
    if p.ndim == 0:
        raise ValueError(f"{name} must have one axis per time step X_1..X_n, got a scalar")
    if len(set(p.shape)) != 1:
        raise ValueError(f"{name} must use the same alphabet at every step, got shape {p.shape}")
    return p


def check_ar(a, noise_variance) -> tuple[float, float]:
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)) or not -1 < float(a) < 1:
        raise ValueError(f"a must be a real number in (-1, 1) (a stationary AR(1) source), got {a!r}")
    return float(a), check_positive(noise_variance, "noise_variance")


def conditional_rows(J: np.ndarray) -> np.ndarray:
    den = J.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, J / np.where(den > 0, den, 1.0), 1.0 / J.shape[1])


_FAST_Z_FLOOR = 1e-280  # below this a row's partition sum is recomputed exactly in the log domain
_SQ_MAX_STEP = 1e4  # largest squared-extrapolation step length of the Blahut-Arimoto output law
_SQ_MAX_DROP = 30.0  # an extrapolated log output mass never falls more than this below the plain iterate


def gibbs_channel(logr: np.ndarray, d: np.ndarray, beta: float) -> np.ndarray:
    if beta == 0.0:  # the zero-rate end: every row on the reproduction the output law sits on
        q = np.zeros(d.shape)
        q[:, int(np.argmax(logr))] = 1.0
        return q
    E = -beta * (d - d.min(axis=1, keepdims=True))
    A = logr[None, :] + E
    return np.exp(A - lse(A, axis=1, keepdims=True))


class BAProblem:
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
        finite = np.isfinite(self.d)
        self.dd_max = float(np.max(self.dd, where=finite, initial=0.0))  # exp(-beta dd) underflows nowhere if beta dd_max < 745
        self.d0 = np.where(finite, self.d, 0.0)
        self.dmin_total = float(self.p @ self.dmin.ravel())
        self.ny = d.shape[1]
        self.accelerate = True
        self.eliminate = True
        self.eliminated = np.zeros(0, dtype=int)  # the reproductions removed at the last solve (for the tests)
        self._work = None  # work arrays of the shape of d on the support, shared by the solves of one problem

    def work(self):
        """Four work arrays (E, K, scratch: float; mask: bool) of the shape of ``d`` on the support, reused
        by every :meth:`solve` of this problem (a curve solves one problem at many ``beta``)."""
        if self._work is None:
            shape = self.d.shape
            self._work = (np.empty(shape), np.empty(shape), np.empty(shape), np.empty(shape, dtype=bool))
        return self._work

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
        E, K, scratch, mask = self.work()
        with np.errstate(invalid="ignore"):
            np.multiply(self.dd, -beta, out=E)  # <= 0, -inf on forbidden pairs, 0 at each row's minimum
        if -beta * self.dd_max >= _EXP_ZERO:  # no finite entry underflows: the plain exp is the fastest
            np.exp(E, out=K)
        else:
            exp0(E, out=K, mask=mask)
        big = E.size > 1024  # there the sharper certificate costs a few iterations: check it adaptively
        act = np.arange(self.ny)  # the reproductions not yet eliminated (a proof that r*(y) = 0 removes one)
        lr_a = logr.copy()

        logp = self.logp

        def terms(lr):  # (the floating-point state of the whole loop is set once, around alternate below)
            m = lr.max()
            rs = np.exp(lr - m)
            Ka = st["Ka"]  # the kernel on the reproductions not yet eliminated
            Z = Ka @ rs
            if Z.min() > _FAST_Z_FLOOR:
                lz = np.log(Z) + m  # log sum_y r(y) e^{-beta (d - dmin)}
                lc = np.log(Ka.T @ np.exp(logp - lz))
                return lz, lc
            return self.exact_terms(lr, st["Ea"])  # some row's partition sum underflows: exact log arithmetic

        def step(lr, lc):
            return log_normalise(lr + lc)

        st = {"act": act, "Ea": E, "Ka": K, "U_prev": math.inf, "last_check": 0, "k": 0, "it": 0, "restart": restart}

        def evaluate(lr, check=True):
            # one iterate: its terms, the objective U(r) = -p . log Z, Blahut's gap max_y log c(y) (a NaN gap is
            # no certificate: inf for the loop, kept in info) and the deferred BA step
            lz, lc = terms(lr)
            g = float(lc.max())
            U = -float(self.p @ lz)
            return Round(lambda: step(lr, lc), U, U - g, U, info=(lz, lc, g, False),
                         gap=math.inf if math.isnan(g) else g)

        def refine(lr, rnd, it):
            # the sharper certificate and the elimination of reproductions, at the head of each cycle
            if it != st["it"]:
                st["k"], st["it"] = st["k"] + 1, it
            k, U = st["k"], rnd.value
            # the sharper certificate costs a few iterations on a big matrix: there it is computed only once the
            # objective has nearly stopped moving (while it still falls by more than tol a cycle, the gap of the
            # previous point exceeded tol), or after 16 cycles without it
            want = not big or (st["U_prev"] < math.inf and st["U_prev"] - U <= 10 * tol_nats) or k - st["last_check"] >= 16
            st["U_prev"] = U
            lz, lc, gap, _ = rnd.info
            if not (gap > tol_nats and want):
                return None
            Ea = st["Ea"]
            # the sharper certificate reads log u = log K - log Z only on the reproductions with log c > 0 (the
            # others enter neither its rescaling nor its merge), so only those columns are formed
            pos = np.nonzero(lc > 0)[0]
            logu_pos = Ea[:, pos] - lz[:, None]
            gap = min(gap, scaling_gap(self.logp, logu_pos, lc[pos], 0.25 * tol_nats))
            st["last_check"] = k
            if gap > tol_nats and self.eliminate and st["act"].size > 1:
                logu = np.subtract(Ea, lz[:, None], out=scratch.reshape(-1)[:Ea.size].reshape(Ea.shape))
                kill = self._eliminable(logu, lc) & np.isfinite(lr)
                if kill.any():
                    lr = np.where(kill, -np.inf, lr)
                    lr = lr - lse(lr)
                    if kill.sum() * 8 >= st["act"].size:  # compact: the matrix products shrink with the support
                        keep = ~kill & np.isfinite(lr)
                        st["act"], lr = st["act"][keep], lr[keep]
                        st["Ea"], st["Ka"] = np.ascontiguousarray(E[:, st["act"]]), np.ascontiguousarray(K[:, st["act"]])
                    return lr, evaluate(lr)
            return lr, rnd._replace(lower=U - gap, gap=gap, info=(lz, lc, gap, True))

        def fallback(lr, rnd, it):
            # a warm start not certified within its budget: continue from the cold start, the count going on
            if st["restart"] is None or it < st["restart"][0]:
                return None
            lr2 = st["restart"][1].copy()
            st.update(act=np.arange(self.ny), Ea=E, Ka=K, restart=None, U_prev=math.inf, last_check=st["k"])
            return lr2, evaluate(lr2)

        def candidates(x0, u1, u2):
            # squared extrapolation (SQUAREM, Varadhan & Roland 2008) of the log output law, kept only if it
            # lowers the Blahut-Arimoto objective U(r) = -sum_x p(x) log Z(x) below that of the plain two steps.
            # Two step lengths (core.alternating.squarem_steps): in the mass-weighted norm (the letters that
            # carry the law: the linear phase of an ill-conditioned kernel) and in the plain norm of the log law
            # (letters emptying at a steady log rate: the sublinear zero-rate end); the longer is tried first
            w = np.exp(u2)
            for a in squarem_steps(x0, u1, u2, weights=w, max_step=_SQ_MAX_STEP):
                ue = squarem_point(x0, u1, u2, a)
                ue = np.maximum(ue, u2 - _SQ_MAX_DROP)  # never kill a letter outright: the certificate decides
                yield log_normalise(ue)

        def better(re, r2):  # U(ue) < U(u2), U = -p . log Z
            ze, z2 = re.info[0], r2.info[0]
            return bool(np.isfinite(ze).all() and float(self.p @ (ze - z2)) > 0)

        with np.errstate(under="ignore", divide="ignore", invalid="ignore"):  # once for the loop (log 0, 0 * inf)
            res = alternate(lambda lr, check: evaluate(lr), lr_a, tol=tol_nats, max_iter=max_iter,
                            accelerate=candidates if self.accelerate else False, better=better, refine=refine,
                            restart=fallback)
        lr_a, it = res.state, res.iterations
        logZ, logc, gap, scaled = res.last.info
        act, Ea = st["act"], st["Ea"]
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
                Kd = np.multiply(K, self.d0, out=self.work()[2])
                dist = float(np.exp(logr) @ (Kd.T @ v))
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


def ba_problem(p, distortion) -> BAProblem:
    p = as_pmf(p, "p", ndim=1)
    d = as_distortion(distortion, p.size)
    return BAProblem(p, d)
