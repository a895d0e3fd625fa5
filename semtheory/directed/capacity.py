"""n-letter capacity with and without feedback, exact by alternating maximisation with a certificate
(chapter 3)."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
from scipy.special import logsumexp

from .. import measures
from .._validate import check_int, check_positive, log_base
from ..core.alternating import Round, alternate
from ..core.law import (
    MAX_CELLS,
    check_kernel_shape,
    check_kernels,
    expand_channel,
    kernel_shape,
    x_axes,
    y_axes,
)
from ._common import di_terms, entropy_profile
from .kernels import policy_from_source
from ..core.types import ArrayLike


class CapacityResult(NamedTuple):
    r"""Result of an n-letter capacity computation (units of the ``base`` asked for).

    ``rate`` = :math:`\frac1n I` achieved by ``policy`` (a certified lower bound on the n-letter capacity),
    ``upper`` a certified upper bound (per use); ``total`` = ``n * rate``; ``policy`` the optimising input
    policy (list of kernels; without feedback its Y axes have length 1); ``iterations`` used;
    ``converged`` whether ``upper - rate <= tol``.

    Attributes
    ----------
    rate : float
        :math:`\frac1n I` achieved by ``policy``: a certified lower bound, units of log ``base`` per use.
    upper : float
        Certified upper bound, units of log ``base`` per use.
    n : int
        Number of channel uses.
    policy : list of ndarray
        The optimising input policy (without feedback its Y axes have length 1).
    iterations : int
        Iterations used.
    converged : bool
        Whether ``upper - rate <= tol``.
    """

    rate: float
    upper: float
    n: int
    policy: list
    iterations: int
    converged: bool

    @property
    def total(self) -> float:
        """n-letter value :math:`\\max I` (not divided by n)."""
        return self.rate * self.n


class _Tree(NamedTuple):
    """The histories a channel can produce, level by level (``t = 1..n``), for the directed BA.

    A level-``t`` node is a history :math:`(x^t, y^t)` with :math:`P(y^t \\| x^t) > 0`; a *half node* of
    level ``t`` is a pair (level-``t-1`` node, :math:`x_t`), index ``node * |X_t| + x_t``, every input
    allowed.  ``hpar[t-1]`` is the half node of each level-``t`` node, ``ch``/``logch`` its channel factor
    :math:`P(y_t \\mid x^t, y^{t-1}) > 0`, ``xi``/``yi`` the flat indices of its :math:`x^t` and
    :math:`y^t`.  The leaves are sorted by :math:`y^n`; ``starts`` marks where each output sequence's
    leaves begin and ``gid`` numbers them, ``lw`` is :math:`\\log P(y^n \\| x^n)` at each leaf.
    """

    hpar: list
    ch: list
    logch: list
    xi: list
    yi: list
    sizes: list  # number of nodes per level, entry 0 = 1 (the empty history)
    lw: np.ndarray
    starts: np.ndarray
    gid: np.ndarray


def _channel_tree(full: list, n: int, xc: list, yc: list) -> _Tree:
    """Enumerate the histories of positive channel probability (cost: their number, not the full table)."""
    xi, yi, lw = np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1)
    H, C, LC, XI, YI, sizes = [], [], [], [xi], [yi], [1]
    for t in range(1, n + 1):
        X, Y, PY = xc[t - 1], yc[t - 1], math.prod(yc[: t - 1])
        hx = (xi[:, None] * X + np.arange(X)).ravel()  # x^t of each half node
        hy = np.repeat(yi, X)  # y^{t-1} of each half node
        k = np.ascontiguousarray(full[t - 1]).reshape(-1, Y)  # rows (x^t, y^{t-1}), C order
        vals = k[hx * PY + hy]  # (half nodes, Y_t)
        h, y = np.nonzero(vals > 0)  # children grouped by their half node
        c = vals[h, y]
        lc = np.log(c)
        lw = lw[h // X] + lc
        xi, yi = hx[h], hy[h] * Y + y
        H.append(h), C.append(c), LC.append(lc), XI.append(xi), YI.append(yi), sizes.append(h.size)
    order = np.argsort(YI[-1], kind="stable")  # leaves grouped by output sequence
    for lst in (H, C, LC, XI, YI):
        lst[-1] = lst[-1][order]
    lw = lw[order]
    ys = YI[-1]
    starts = np.flatnonzero(np.r_[True, ys[1:] != ys[:-1]])
    gid = np.cumsum(np.r_[False, ys[1:] != ys[:-1]])
    return _Tree(H, C, LC, XI, YI, sizes, lw, starts, gid)


def _rows_max(a: np.ndarray) -> np.ndarray:
    """Max of each row of a 2-D array with few columns (a loop over the columns: no short-axis reduce)."""
    m = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.maximum(m, a[:, j], out=m)
    return m


def _rows_lse(a: np.ndarray) -> np.ndarray:
    """log-sum-exp of each row of a finite 2-D array with few columns, shifted by the row max."""
    m = _rows_max(a)
    s = np.exp(a[:, 0] - m)
    for j in range(1, a.shape[1]):
        s += np.exp(a[:, j] - m)
    return m + np.log(s)


_STORE_BYTES = 1 << 27  # memory for the policies kept for the Richardson step of feedback_capacity


class _FBState(NamedTuple):
    logpol: list  # log r_t(x_t | x^{t-1}, y^{t-1}), shape (nodes of level t-1, |X_t|)
    logP: np.ndarray  # log P(x^n, y^n) at the leaves
    logPY: np.ndarray  # log P(y^n), one entry per output sequence
    lower: float  # I(X^n -> Y^n) of the policy, nats


def _channel_kernels(channel) -> tuple[list[np.ndarray], int, list[int], list[int]]:
    """Validated channel kernels broadcast to their full shapes ``(X^t, Y^t)`` (views), with n and the alphabets."""
    ch = check_kernels(channel, "channel")
    n = len(ch)
    yc = [k.shape[-1] for k in ch]
    xc = [ch[t - 1].shape[t - 1] for t in range(1, n + 1)]
    for t in range(1, n + 1):
        # history axis cards must be consistent with x/y alphabets (broadcast allowed)
        check_kernel_shape(ch[t - 1], kernel_shape("channel", t, xc, yc), f"channel[{t - 1}]")
        if ch[t - 1].shape[t - 1] != xc[t - 1]:
            raise ValueError(f"channel[{t - 1}] must spell out the X_{t} axis (input alphabet)")
    if math.prod(xc) * math.prod(yc) > MAX_CELLS:
        raise ValueError(f"channel too large: more than {MAX_CELLS} cells")
    full = [np.broadcast_to(ch[t - 1], tuple(xc[:t]) + tuple(yc[:t])) for t in range(1, n + 1)]
    return full, n, xc, yc


def _channel_law(channel) -> tuple[list[np.ndarray], np.ndarray, int, list[int], list[int]]:
    full, n, xc, yc = _channel_kernels(channel)
    W = np.ones(())
    for t in range(1, n + 1):
        W = W * expand_channel(full[t - 1], t, n)
    W = np.broadcast_to(W, tuple(xc) + tuple(yc))
    return full, np.ascontiguousarray(W), n, xc, yc


def feedback_capacity(channel: Sequence[ArrayLike], *, base: float = 2, tol: float = 1e-7,
        max_iter: int = 20000) -> CapacityResult:
    r"""n-letter feedback capacity :math:`C^{\mathrm{FB}}_n = \frac1n \max_{P(x^n \| y^{n-1})} I(X^n \to Y^n)`.

    ``channel`` is a list of ``n`` channel kernels (:func:`memoryless_channel`, :func:`finite_state_channel`,
    :func:`channel_from_function`).  The maximum over causally conditioned input laws is computed by the
    directed Blahut–Arimoto algorithm of Naiss & Permuter (2013): alternately set
    :math:`q(x^n \mid y^n)` to the posterior of the current law and update the policy by a backward
    (soft dynamic-programming) recursion

    .. math:: r_t(x_t \mid x^{t-1}, y^{t-1}) \propto \exp Q_t,\quad
              Q_t = \sum_{y_t} P(y_t \mid x^t, y^{t-1}) V_{t+1},\quad V_t = \log \sum_{x_t} e^{Q_t},\quad
              V_{n+1} = \log q(x^n \mid y^n).

    **Where it runs.**  Only the histories the channel can produce, :math:`P(y^t \| x^t) > 0`, are
    visited: they are enumerated once as a tree (one level per time step; a level-``t`` node has one child
    per input and per output of positive probability), and every pass of the algorithm is a gather or a
    ``bincount`` over one level.  The policy on the other histories cannot change the joint law; it is
    returned uniform.  The trapdoor channel has :math:`3^n` such histories among :math:`4^n` cells.

    **Log domain.**  Everything is carried as logarithms (log-policy, log joint law, log output law by a
    log-sum-exp per output sequence), so policies whose entries decay towards zero never underflow and no
    product of two small masses is formed.  Each step cannot decrease the directed information.  Entries
    that should vanish decay only geometrically under this update, so each step is followed by a
    safeguarded over-relaxation in the log domain,
    :math:`\log r \leftarrow \log r + \omega(\log r_{\mathrm{BA}} - \log r)` renormalised, kept only when
    it beats the current law (:math:`\omega` doubles on success and halves on failure).  At a degenerate
    optimum (the trapdoor channel from :math:`n = 5` on) the entries that should vanish decay only like
    :math:`1/k`, so every fourth step also tries the Richardson extrapolation of the policy,
    :math:`(k\,r^{(k)} - j\,r^{(j)})/(k - j)` with :math:`j \approx k/2` (clipped at :math:`10^{-300}`,
    renormalised), kept only if it raises the directed information.  None of this affects what is
    certified: the lower end is the directed information of the returned policy, whatever produced it.

    **Certificate.**  For every law :math:`Q` on :math:`y^n` let
    :math:`U(Q) = \max_{r} E_r[\log P(Y^n\|X^n)/Q(Y^n)]`, the maximum over all causally conditioned input
    laws, computed exactly by the hard backward recursion :math:`V_t = \max_{x_t}\sum_{y_t}
    P(y_t\mid x^t,y^{t-1})V_{t+1}`, :math:`V_{n+1} = \log P(y^n\|x^n) - \log Q(y^n)`.  Then
    :math:`n C^{\mathrm{FB}}_n \le U(Q)`.  *Proof.*  Let :math:`r^*` attain the maximum and :math:`P^*_Y` be
    its output law.  Since :math:`P(x^n, y^n) = r^*(x^n\|y^{n-1}) P(y^n\|x^n)`, the directed information
    is :math:`I(X^n\to Y^n) = H(Y^n) - H(Y^n\|X^n) = E_{r^*}[\log P(Y^n\|X^n)/P^*_Y(Y^n)]
    = E_{r^*}[\log P(Y^n\|X^n)/Q(Y^n)] - D(P^*_Y\|Q) \le E_{r^*}[\log P(Y^n\|X^n)/Q(Y^n)] \le U(Q)`,
    because :math:`D \ge 0` for any pmf :math:`Q`.  The recursion is exact because the expectation
    factorises over time given the policy, so maximising over each :math:`r_t(\cdot\mid x^{t-1},y^{t-1})`
    backwards (a linear function of a pmf is maximised at a vertex) attains the maximum over all policies.
    :math:`\square`  Histories of zero channel probability carry zero weight in every expectation, so the
    tree loses nothing.  The iteration stops when :math:`U(Q)/n` is within ``tol`` (per use, units of
    ``base``) of the achieved value, with :math:`Q` the current output law or its extrapolation below.
    When the optimum is degenerate (the trapdoor channel from :math:`n = 5` on) the output law converges
    only like :math:`1/k`, so the certificate is also evaluated at its Richardson extrapolation
    :math:`2P_Y^{(k)} - P_Y^{(k/2)}` (clipped, renormalised: any pmf is allowed).  The default
    ``tol = 1e-7`` certifies the trapdoor channel up to :math:`n = 10`, while ``1e-9`` may need tens of
    thousands of steps (``converged`` then reports honestly whether ``max_iter`` sufficed).  ``rate`` is
    recomputed from the dense joint law by :func:`directed_information`'s prefix entropies.  Chapter 3.

    Parameters
    ----------
        channel : list of array_like
            The ``n`` channel kernels, ``channel[t-1]`` with axes :math:`(X^t, Y^{t-1}, Y_t)` (e.g. from
            :func:`memoryless_channel`, :func:`finite_state_channel`, :func:`channel_from_function`).
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).
        tol : float, keyword-only, default 1e-7
            Stop when the certified upper bound is within ``tol`` per use (units of log ``base``) of the
            achieved rate; positive.
        max_iter : int, keyword-only, default 20000
            Largest number of iterations, at least 1.

    Returns
    -------
        CapacityResult
            ``rate`` (certified lower bound per use) and ``upper`` (certified upper bound per use) in units of log
            ``base``, the optimising ``policy``, ``iterations`` and ``converged``.
    """
    lb = log_base(base)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    full, n, xc, yc = _channel_kernels(channel)
    tr = _channel_tree(full, n, xc, yc)
    G = tr.starts.size  # number of output sequences the channel can produce

    def group_lse(a: np.ndarray) -> np.ndarray:
        m = np.maximum.reduceat(a, tr.starts)
        return m + np.log(np.add.reduceat(np.exp(a - m[tr.gid]), tr.starts))

    def bound(logQ) -> float:
        """U(Q) >= n C_n^FB for every pmf Q on y^n (proof in the docstring)."""
        V = tr.lw - logQ[tr.gid]
        for t in range(n, 0, -1):
            Qh = np.bincount(tr.hpar[t - 1], weights=tr.ch[t - 1] * V, minlength=tr.sizes[t - 1] * xc[t - 1])
            V = _rows_max(Qh.reshape(tr.sizes[t - 1], xc[t - 1]))
        return float(V[0])

    def evaluate(logpol) -> _FBState:
        lr = np.zeros(1)
        for t in range(1, n + 1):
            lr = (lr[:, None] + logpol[t - 1]).ravel()[tr.hpar[t - 1]] + tr.logch[t - 1]
        logPY = group_lse(lr)
        lower = float((np.exp(lr) * (tr.lw - logPY[tr.gid])).sum())  # no BLAS dot: its threads stall
        return _FBState(logpol, lr, logPY, lower)

    def ba_step(s: _FBState) -> list:
        V = s.logP - s.logPY[tr.gid]  # log q(x^n | y^n)
        new = [None] * n
        for t in range(n, 0, -1):
            Qh = np.bincount(tr.hpar[t - 1], weights=tr.ch[t - 1] * V, minlength=tr.sizes[t - 1] * xc[t - 1])
            Qh = Qh.reshape(tr.sizes[t - 1], xc[t - 1])
            V = _rows_lse(Qh)
            new[t - 1] = Qh - V[:, None]
        return new

    def relax(old, ba, omega) -> list:
        out = []
        for a, b in zip(old, ba):
            z = a + omega * (b - a)
            out.append(z - _rows_lse(z)[:, None])
        return out

    def extrapolate(a_list, b_list, k: int, j: int) -> list:
        """Richardson step of the policies, (k r_k - j r_j) / (k - j), clipped to 1e-300 and renormalised."""
        out = []
        for a, b in zip(a_list, b_list):
            z = np.maximum((k * np.exp(a) - j * np.exp(b)) / (k - j), 1e-300)
            out.append(np.log(z / z.sum(axis=1, keepdims=True)))
        return out

    logpol = [np.full((tr.sizes[t - 1], xc[t - 1]), -math.log(xc[t - 1])) for t in range(1, n + 1)]
    s0 = evaluate(logpol)
    run = {"it": 0, "omega": 2.0, "history": [s0.logPY], "best": bound(s0.logPY), "store": {}}

    def advance(s: _FBState) -> _FBState:
        """One over-relaxed Blahut-Arimoto step; every fourth step the extrapolations and the certificate."""
        it = run["it"] = run["it"] + 1
        store = run["store"]
        ba = ba_step(s)
        trial = evaluate(relax(s.logpol, ba, run["omega"]))
        if trial.lower > s.lower:  # the over-relaxed step is kept when it beats the current law
            s, run["omega"] = trial, min(2 * run["omega"], 64.0)
        else:
            s, run["omega"] = evaluate(ba), max(run["omega"] / 2, 2.0)
        run["history"].append(s.logPY)
        if it % 4 and it < max_iter:
            return s  # the certificate costs a backward pass: check every fourth step
        # Degenerate optima: entries that should vanish decay like 1/k, so try the Richardson extrapolation
        # of the policy from steps j ~ k/2 and k; kept only if it raises the directed information.
        store[it] = s.logpol
        j = max((key for key in store if key <= it // 2), default=0)  # 4 * (it // 8) unless thinned
        if j > 0:
            e = evaluate(extrapolate(s.logpol, store[j], it, j))
            if e.lower > s.lower:
                s, run["history"] = e, [e.logPY]  # the output laws restart from the extrapolated law
        for key in [key for key in store if key < j]:
            del store[key]
        if len(store) * 8 * sum(a.size for a in s.logpol) > _STORE_BYTES:  # bounded memory: keep every other
            keys = sorted(store)
            for key in keys[1:-1:2]:
                del store[key]
        # The output laws converge like 1/k too; the bound holds for any law on y^n, so also try the
        # Richardson extrapolation 2 P_Y(k) - P_Y(k/2) (clipped, renormalised).
        history = run["history"]
        q = np.maximum(2 * np.exp(s.logPY) - np.exp(history[len(history) // 2]), 1e-300)
        run["best"] = min(run["best"], bound(s.logPY), bound(np.log(q / q.sum())))
        return s

    def step(s: _FBState, check: bool) -> Round:  # the certificate at s: lower = I(policy), upper = best bound
        return Round(lambda: advance(s), -s.lower, s.lower, run["best"])

    res = alternate(step, s0, tol=tol * lb * n, max_iter=max_iter)
    s, it, best = res.state, res.iterations, res.upper
    # the dense joint law and policy (uniform on histories the channel cannot produce)
    NY = math.prod(yc)
    P = np.zeros(math.prod(xc) * NY)
    P[tr.xi[-1] * NY + tr.yi[-1]] = np.exp(s.logP)
    P = P.reshape(tuple(xc) + tuple(yc))
    value = float(di_terms(entropy_profile(P / P.sum(), n)).sum()) / lb / n  # recomputed from the joint law
    pol = []
    for t in range(1, n + 1):
        X, PY = xc[t - 1], math.prod(yc[: t - 1])
        k = np.full(math.prod(xc[: t - 1]) * PY * X, 1.0 / X)
        rows = tr.xi[t - 1] * PY + tr.yi[t - 1]
        r = np.exp(s.logpol[t - 1])
        k[(rows[:, None] * X + np.arange(X)).ravel()] = (r / r.sum(axis=1, keepdims=True)).ravel()
        pol.append(k.reshape(tuple(xc[: t - 1]) + tuple(yc[: t - 1]) + (X,)))
    return CapacityResult(
        rate=value,
        upper=max(best / lb / n, value),
        n=n,
        policy=pol,
        iterations=it,
        converged=res.converged,
    )


def nonfeedback_capacity(channel: Sequence[ArrayLike], *, base: float = 2, tol: float = 1e-9,
        max_iter: int = 20000) -> CapacityResult:
    r"""n-letter capacity without feedback :math:`C_n = \frac1n \max_{P(x^n)} I(X^n; Y^n)`.

    Without feedback :math:`P(y^n \mid x^n) = P(y^n \| x^n)`, so this is the capacity of the super-channel
    :math:`x^n \mapsto y^n`, computed by the Blahut–Arimoto algorithm (Blahut 1972; Arimoto 1972) in the
    log domain, stopped when the certified upper bound :math:`\max_{x^n} D(P(\cdot \| x^n) \,\|\, P_Y)` is
    within ``tol`` per use.  The returned ``policy`` ignores past outputs (its Y axes have length 1).
    Always :math:`\le` :func:`feedback_capacity` of the same channel.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
        channel : list of array_like
            The ``n`` channel kernels, ``channel[t-1]`` with axes :math:`(X^t, Y^{t-1}, Y_t)` (e.g. from
            :func:`memoryless_channel`, :func:`finite_state_channel`, :func:`channel_from_function`).
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).
        tol : float, keyword-only, default 1e-9
            Stop when the certified upper bound is within ``tol`` per use (units of log ``base``) of the
            achieved rate; positive.
        max_iter : int, keyword-only, default 20000
            Largest number of iterations, at least 1.

    Returns
    -------
        CapacityResult
            ``rate`` (certified lower bound per use) and ``upper`` (certified upper bound per use) in units of log
            ``base``, the optimising ``policy``, ``iterations`` and ``converged``.
    """
    lb = log_base(base)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    _, W, n, xc, yc = _channel_law(channel)
    NX, NY = math.prod(xc), math.prod(yc)
    M = W.reshape(NX, NY)
    with np.errstate(divide="ignore"):
        logM = np.where(M > 0, np.log(np.where(M > 0, M, 1.0)), -np.inf)
    logr = np.full(NX, -math.log(NX))

    def dvec(logr):
        logq = logsumexp(logr[:, None] + logM, axis=0)
        with np.errstate(invalid="ignore"):
            d = np.where(M > 0, M * (logM - np.where(np.isfinite(logq), logq, 0.0)[None, :]), 0.0).sum(axis=1)
        return d

    def step(logr, check):  # Arimoto's bounds sum_x r(x) D_x <= C_n <= max_x D_x at r, and the BA update
        d = dvec(logr)
        lower = float((np.exp(logr) * d).sum())
        nxt = logr + d
        return Round(nxt - logsumexp(nxt), -lower, lower, float(d.max()))

    res = alternate(step, logr, tol=tol * lb * n, max_iter=max_iter)
    logr, it, upper = res.state, res.iterations, res.upper
    r = np.exp(logr)
    r = (r / r.sum()).reshape(xc)
    pol = policy_from_source(r)  # the input law as a policy without feedback
    joint = r.reshape(tuple(xc) + (1,) * n) * W  # P(x^n) P(y^n | x^n): the channel is not validated again
    value = measures.mutual_information(joint, x_axes(n), y_axes(n), base=base) / n
    return CapacityResult(
        rate=value,
        upper=max(upper / lb / n, value),
        n=n,
        policy=pol,
        iterations=it,
        converged=res.converged,
    )
