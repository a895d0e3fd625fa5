"""Optimal vectorisation on a known source: context laws, encoders and the information bottleneck.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import xlogy

from .._validate import as_array as _asarray
from .._validate import (
    as_real_array,
    as_rng,
    as_stochastic,
    as_token_ids,
    check_int,
    check_positive,
    log_base,
)
from ..core.alternating import Round, alternate
from ..core.logexp import log_normalise
from ..measures import mutual_information
from ._common import as_joint, as_real_matrix
from ..core.types import ArrayLike, SeedLike

if TYPE_CHECKING:
    from ..core.models import LanguageModel

# ==============================================================================================
# Optimal vectorisation on a known source
# ==============================================================================================


def context_next_law(model: LanguageModel, context_length: int) -> np.ndarray:
    r"""Exact joint law :math:`p(x, y)` of a context window :math:`X = X_{t-L+1}^{t}` and the next token :math:`Y = X_{t+1}`.

    Computed by :func:`semtheory.channel.sequence_law` for :math:`L + 1` tokens (so for a stationary source the
    window's law is stationary).  Returns shape ``(V**L, V)``; row ``x`` is the context whose tokens are the
    base-``V`` digits of ``x``, oldest first (so ``x % V**k`` is the last ``k`` tokens).  Chapter 9.

    Parameters
    ----------
    model : LanguageModel
        A :class:`~semtheory.channel.LanguageModel` over ``V`` tokens.
    context_length : int
        Window length :math:`L`, at least 1.

    Returns
    -------
    numpy.ndarray, shape (V**L, V)
        The joint pmf :math:`p(x, y)` (probabilities, summing to 1).
    """
    from ..channel import sequence_law

    L = check_int(context_length, "context_length", minimum=1)
    law = sequence_law(model, L + 1)
    V = law.shape[0]
    return law.reshape(V**L, V)


def context_samples(seq: ArrayLike, vocab_size: int, context_length: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Pairs ``(x, y)`` of a token sequence: ``x`` the index of each length-:math:`L` window (as in :func:`context_next_law`), ``y`` the token after it.  Chapter 9.

    Parameters
    ----------
    seq : array_like of int, shape (n,)
        Token ids in ``[0, vocab_size - 1]``, with ``n > context_length``.
    vocab_size : int
        Number of tokens ``V``, at least 1.
    context_length : int
        Window length :math:`L`, at least 1.

    Returns
    -------
    x : numpy.ndarray of int64, shape (n - L,)
        The context index of each window (its tokens as base-``V`` digits, oldest first).
    y : numpy.ndarray of int64, shape (n - L,)
        The token after each window.

    Examples
    --------
    >>> x, y = context_samples([0, 1, 1, 0, 1], 2, 2)
    >>> x.tolist(), y.tolist()
    ([1, 3, 2], [1, 0, 1])
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    L = check_int(context_length, "context_length", minimum=1)
    s = _asarray(seq, "seq")
    if s.ndim != 1 or (s.size and s.dtype.kind not in "iu"):
        raise ValueError("seq must be a 1-D sequence of integer token ids")
    if s.size and (s.min() < 0 or s.max() >= V):
        raise ValueError(f"seq must hold token ids in [0, vocab_size - 1] = [0, {V - 1}]")
    if len(s) <= L:
        raise ValueError(f"seq must be longer than context_length={L}, got {len(s)} tokens")
    s = s.astype(np.int64)
    x = np.zeros(len(s) - L, dtype=np.int64)
    for j in range(L):
        x = x * V + s[j : len(s) - L + j]
    return x, s[L:]


class EncoderInfo(NamedTuple):
    """A context encoder :math:`T = f(X)`: ``i_xt`` :math:`= I(X;T) = H(T)`, ``i_ty`` :math:`= I(T;Y)`, ``cells`` used.

    Attributes
    ----------
    i_xt : float
        :math:`I(X;T)`, in units of log ``base`` of the call (bits by default).
    i_ty : float
        :math:`I(T;Y)`, in the same units.
    cells : int
        Number of cells :math:`t` with :math:`p(t) > 0`.
    """

    i_xt: float
    i_ty: float
    cells: int


def _as_labels(labels, n: int) -> np.ndarray:
    lab = _asarray(labels, "labels")
    if lab.shape != (n,):
        raise ValueError(f"labels must have one entry per context, shape ({n},), got {lab.shape}")
    return as_token_ids(lab, "labels", nonempty=False)


def encoder_information(p_xy: ArrayLike, labels: ArrayLike, *, base: float = 2) -> EncoderInfo:
    r"""Exact information of a deterministic context encoder :math:`T = f(X)` given by ``labels[x] = f(x)``.

    :math:`p(t, y) = \sum_{x: f(x) = t} p(x, y)`; returns :math:`I(X;T) = H(T)` (deterministic encoder),
    :math:`I(T;Y)`, which data processing bounds by :math:`\min(H(T), I(X;Y)) \le \min(\log M, I(X;Y))` for
    :math:`M` cells, and the number of cells used.  Units of ``base``.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.
    labels : array_like of int, shape (n_contexts,)
        The cell :math:`f(x) \ge 0` of each context.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    EncoderInfo
        :math:`I(X;T)`, :math:`I(T;Y)` (units of log ``base``, bits by default) and the cells used.

    Examples
    --------
    >>> p = np.array([[0.4, 0.1], [0.1, 0.4]])
    >>> encoder_information(p, [0, 0]).i_ty  # one cell: nothing about Y
    0.0
    """
    p = as_joint(p_xy)
    lab = _as_labels(labels, p.shape[0])
    _, inv = np.unique(lab, return_inverse=True)
    pty = np.zeros((inv.max() + 1, p.shape[1]))
    np.add.at(pty, inv, p)
    pty = pty / pty.sum()
    pt = pty.sum(axis=1)
    lb = log_base(base)
    h = max(float(-xlogy(pt, pt).sum() / lb), 0.0)
    return EncoderInfo(h, mutual_information(pty, 0, 1, base=base), int((pt > 0).sum()))


def stochastic_encoder_information(p_xy: ArrayLike, q_tx: ArrayLike, *, base: float = 2) -> EncoderInfo:
    r"""Exact information of a stochastic context encoder :math:`q(t \mid x)` (rows of ``q_tx``, contexts x cells).

    :math:`p(x,t,y) = p(x,y)\,q(t\mid x)` (the chain :math:`Y - X - T`); returns :math:`I(X;T)`, :math:`I(T;Y)`
    and the number of cells with :math:`p(t) > 0`.  A one-hot ``q_tx`` gives :func:`encoder_information`.
    :math:`I(T;Y) = I(X;Y)` iff :math:`p(y\mid x) = p(y \mid x')` whenever :math:`x, x'` can both emit one
    :math:`t` (chapter 9).  Units of ``base``.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.
    q_tx : array_like, shape (n_contexts, n_cells)
        The row-stochastic encoder :math:`q(t \mid x)`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    EncoderInfo
        :math:`I(X;T)`, :math:`I(T;Y)` (units of log ``base``, bits by default) and the cells used.
    """
    p = as_joint(p_xy)
    q = as_stochastic(q_tx, "q_tx")
    if q.ndim != 2 or q.shape[0] != p.shape[0]:
        raise ValueError(f"q_tx must have one row per context, shape ({p.shape[0]}, cells), got {q.shape}")
    px = p.sum(axis=1)
    pxt = px[:, None] * q
    pty = q.T @ p
    return EncoderInfo(mutual_information(pxt, 0, 1, base=base), mutual_information(pty, 0, 1, base=base),
                       int((pxt.sum(axis=0) > 0).sum()))


def last_k_encoder(vocab_size: int, context_length: int, k: int) -> np.ndarray:
    r"""Labels of the encoder that keeps the last ``k`` tokens of a length-:math:`L` window (``k = 0``: a constant).  Chapter 9.

    Parameters
    ----------
    vocab_size : int
        Number of tokens ``V``, at least 1.
    context_length : int
        Window length :math:`L`, at least 1.
    k : int
        Number of last tokens kept, ``0 <= k <= context_length``.

    Returns
    -------
    numpy.ndarray of int, shape (V**L,)
        ``labels[x] = x % V**k``, the cell of each context.

    Examples
    --------
    >>> last_k_encoder(2, 2, 1).tolist()
    [0, 1, 0, 1]
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    L = check_int(context_length, "context_length", minimum=1)
    k = check_int(k, "k", minimum=0, maximum=L)
    return np.arange(V**L, dtype=np.int64) % (V**k)


def sign_hash_encoder(features: ArrayLike, bits: int, *, seed: SeedLike = None) -> np.ndarray:
    r"""A :math:`d`-bit binary embedding :math:`f(x) = (\ind[\langle r_j, \phi(x)\rangle > 0])_{j=1}^{d}` with Gaussian :math:`r_j`.

    ``features`` (contexts x D) are the vectors :math:`\phi(x)`; ``bits`` = :math:`d`.  The label is the
    integer whose binary digits are the signs, so the encoder has at most :math:`2^d` cells.  Random
    hyperplane hashing (Charikar 2002) of a projection to :math:`d` dimensions.  Deterministic under ``seed``.
    Chapter 9.

    Parameters
    ----------
    features : array_like, shape (n_contexts, D)
        The vectors :math:`\phi(x)`, one row per context.
    bits : int
        Number of hyperplanes :math:`d`, in ``[1, 62]``.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the Gaussian hyperplanes (None: fresh entropy).

    Returns
    -------
    numpy.ndarray of int, shape (n_contexts,)
        The label of each context, in ``[0, 2**bits - 1]``.
    """
    F = as_real_matrix(features, "features")
    d = check_int(bits, "bits", minimum=1, maximum=62)
    R = as_rng(seed).standard_normal((F.shape[1], d))
    return ((F @ R > 0).astype(np.int64) << np.arange(d, dtype=np.int64)).sum(axis=1)


def _g(x: np.ndarray) -> np.ndarray:
    return xlogy(x, x)


def agglomerative_ib(p_xy: ArrayLike) -> dict[int, np.ndarray]:
    r"""Agglomerative information bottleneck (Slonim and Tishby 1999): deterministic encoders with :math:`M = n, n-1, \dots, 1` cells.

    Starting from one cell per context, repeatedly merge the two cells whose merger loses the least
    relevant information :math:`I(T;Y)`; the loss of merging cells :math:`i, j` is
    :math:`\sum_y [g(a_y) + g(b_y) - g(a_y + b_y)] - [g(A) + g(B) - g(A + B)] \ge 0` with
    :math:`g(z) = z\log z`, :math:`a_y = p(i, y)`, :math:`A = p(i)`, a Jensen--Shannon divergence weighted by
    :math:`A + B`.  Ties go to the lexicographically smallest pair.  Returns ``{M: labels}``.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.

    Returns
    -------
    dict of int to numpy.ndarray
        ``{M: labels}`` for :math:`M = n, \dots, 1`, where ``labels`` (shape ``(n_contexts,)``, ints in
        ``[0, M - 1]``) is the encoder with :math:`M` cells.
    """
    p = as_joint(p_xy)
    n = p.shape[0]
    rows = p.copy()
    mass = rows.sum(axis=1)
    active = np.ones(n, dtype=bool)
    labels = np.arange(n, dtype=np.int64)

    def costs(i: int) -> np.ndarray:
        a, A = rows[i], mass[i]
        c = (_g(a)[None, :] + _g(rows) - _g(a[None, :] + rows)).sum(1) - (_g(A) + _g(mass) - _g(A + mass))
        c = np.maximum(c, 0.0)
        c[~active] = np.inf
        c[i] = np.inf
        return c

    cost = np.full((n, n), np.inf)
    for i in range(n):
        cost[i] = costs(i)
    out = {n: labels.copy()}
    for m in range(n - 1, 0, -1):
        i, j = divmod(int(np.argmin(cost)), n)  # cost is symmetric: the first hit has i < j
        rows[i] += rows[j]
        mass[i] += mass[j]
        rows[j] = 0.0
        mass[j] = 0.0
        active[j] = False
        labels[labels == j] = i
        cost[j, :] = np.inf
        cost[:, j] = np.inf
        ci = costs(i)
        cost[i, :] = ci
        cost[:, i] = ci
        _, lab = np.unique(labels, return_inverse=True)
        out[m] = lab.astype(np.int64)
    return out


class IBCurve(NamedTuple):
    r"""The information-bottleneck curve: for each ``beta``, the chosen encoder ``encoders[i]`` (:math:`q(t\mid x)`)
    and its ``i_xt`` :math:`= I(X;T)`, ``i_ty`` :math:`= I(T;Y)` (units of ``base``); ``i_xy`` :math:`= I(X;Y)`.

    Attributes
    ----------
    beta : numpy.ndarray, shape (n_betas,)
        The trade-off parameters :math:`\beta`, increasing.
    i_xt : numpy.ndarray, shape (n_betas,)
        :math:`I(X;T)` of each chosen encoder, in units of log ``base`` of the call (bits by default).
    i_ty : numpy.ndarray, shape (n_betas,)
        :math:`I(T;Y)` of each chosen encoder, in the same units.
    encoders : tuple of numpy.ndarray
        ``encoders[i]``, shape ``(n_contexts, n_cells)``: the row-stochastic :math:`q(t \mid x)` at ``beta[i]``.
    i_xy : float
        :math:`I(X;Y)`, the ceiling of ``i_ty``, in the same units.
    """

    beta: np.ndarray
    i_xt: np.ndarray
    i_ty: np.ndarray
    encoders: tuple
    i_xy: float


def _soft_info(px, pxy, q):
    """(I(X;T), I(T;Y)) in nats of a soft encoder q(t|x)."""
    pxt = px[:, None] * q
    pt = pxt.sum(0)
    ok = pt > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ixt = float((xlogy(pxt[:, ok], q[:, ok]) - xlogy(pxt[:, ok], pt[ok][None, :])).sum())
    pty = q.T @ pxy
    py = pxy.sum(0)
    denom = pt[:, None] * py[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ity = float(np.where(pty > 0, xlogy(pty, pty) - xlogy(pty, np.where(denom > 0, denom, 1.0)), 0.0).sum())
    return max(ixt, 0.0), max(ity, 0.0)


def _ib_iterate(px, pyx, pxy, q, beta, max_iter, tol):
    negh = xlogy(pyx, pyx).sum(1)  # sum_y p(y|x) log p(y|x)

    def step(q, check):  # one self-consistent update; the IB is not convex: stop on max |q_new - q| <= tol
        pt = px @ q
        alive = pt > 1e-300
        qyt = np.zeros((q.shape[1], pyx.shape[1]))
        qyt[alive] = (q[:, alive].T @ pxy) / pt[alive][:, None]
        # KL(p(y|x) || q(y|t)) as one matrix product; a zero q(y|t) counts as e^{-700} (a KL of
        # hundreds of nats, i.e. that cell is switched off), which keeps the product free of 0 * inf
        kl = negh[:, None] - pyx @ np.log(np.maximum(qyt, 1e-304)).T
        with np.errstate(divide="ignore"):
            logits = np.log(np.where(alive, pt, 0.0))[None, :] - beta * kl
        logits[:, ~alive] = -np.inf
        new = np.exp(log_normalise(logits, axis=1))
        return Round(new, change=float(np.abs(new - q).max()))

    return alternate(step, q, tol=tol, max_iter=max_iter, certified=False).state


def information_bottleneck(p_xy: ArrayLike, betas: ArrayLike, *, n_clusters: int | None = None,
        restarts: int = 2, seed: SeedLike = 0, max_iter: int = 300, tol: float = 1e-8, base: float = 2) -> IBCurve:
    r"""The information-bottleneck curve :math:`\max\{I(T;Y) : I(X;T) \le R\}` of a joint pmf ``p_xy`` (Tishby, Pereira and Bialek 1999).

    For each :math:`\beta` the IB Lagrangian :math:`\mathcal L_\beta[q] = I(X;T) - \beta I(T;Y)` is minimised
    over encoders :math:`q(t\mid x)` with ``n_clusters`` cells (default: one per class of the minimal
    sufficient statistic, see below) by the
    self-consistent iteration, in the log domain,

    .. math:: \log q(t\mid x) = \log q(t) - \beta\,\KL(p(y\mid x)\,\|\,q(y\mid t)) - \log Z(x, \beta),\quad
              q(t) = \sum_x p(x) q(t\mid x),\quad q(y\mid t) = \frac{\sum_x p(x,y) q(t\mid x)}{q(t)},

    annealed over the increasing ``betas`` (each solution, slightly perturbed, seeds the next; seeded), then
    annealed back down from the sufficient statistic, and restarted at each :math:`\beta` from ``restarts``
    random encoders.  The iteration only finds local minima, so the curve is then read off a common pool of candidates: every
    converged encoder, the constant encoder (the point :math:`(0,0)`) and the minimal sufficient statistic
    (contexts with equal :math:`p(y\mid x)` merged, the point :math:`(H(T^\ast), I(X;Y))`).  For each
    :math:`\beta` the candidate with the smallest :math:`\mathcal L_\beta` is returned, so both
    :math:`I(X;T)` and :math:`I(T;Y)` are non-decreasing in :math:`\beta` (exchange argument), the curve starts
    at :math:`(0, 0)` for :math:`\beta \le 1` and reaches :math:`I(X;Y)` for large :math:`\beta`.  Units of
    ``base``.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.
    betas : array_like, shape (n_betas,)
        Strictly increasing, finite :math:`\beta \ge 0`.
    n_clusters : int or None, keyword-only, default None
        Number of cells of the encoders (None: one per class of the minimal sufficient statistic).
    restarts : int, keyword-only, default 2
        Random restarts at each :math:`\beta`, at least 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the perturbations and restarts.
    max_iter : int, keyword-only, default 300
        Iteration limit of each self-consistent run, at least 1.
    tol : float, keyword-only, default 1e-8
        A run stops when no :math:`q(t \mid x)` moves by more than ``tol`` (positive).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    IBCurve
        The curve; informations in units of log ``base`` (bits by default).
    """
    p = as_joint(p_xy)
    b = as_real_array(betas, "betas", finite=False, nonempty=False)
    if b.ndim != 1 or b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("betas must be a non-empty 1-D array of finite values >= 0 (beta = 0: the zero-rate end)")
    if np.any(np.diff(b) <= 0):
        raise ValueError("betas must be strictly increasing (the solver anneals along them)")
    n_clusters = None if n_clusters is None else check_int(n_clusters, "n_clusters", minimum=1)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=0)
    tol = check_positive(tol, "tol")
    lb = log_base(base)
    rng = as_rng(seed)
    px_full = p.sum(1)
    pyx_full = np.divide(p, px_full[:, None], out=np.full_like(p, 1.0 / p.shape[1]), where=px_full[:, None] > 0)
    # The minimal sufficient statistic S: contexts with equal p(y|x).  Every stationary encoder depends on x
    # only through p(y|x), and I(X;T) = I(S;T) for such encoders, so the iteration runs on the classes.
    _, suff = np.unique(np.round(pyx_full, 12), axis=0, return_inverse=True)
    suff = np.asarray(suff).ravel()
    ns = int(suff.max()) + 1
    p_s = np.zeros((ns, p.shape[1]))
    np.add.at(p_s, suff, p)
    ps = p_s.sum(1)
    pys = np.divide(p_s, ps[:, None], out=np.full_like(p_s, 1.0 / p.shape[1]), where=ps[:, None] > 0)
    cands = [np.ones((ns, 1)), np.eye(ns)]  # the constant encoder and S itself
    nt = ns if n_clusters is None else n_clusters
    q = rng.dirichlet(np.ones(nt), size=ns) * 0.1 + 0.9 / nt
    for beta in b:  # forward annealing, from a nearly constant encoder
        q = q * np.exp(0.01 * rng.standard_normal(q.shape))
        q /= q.sum(1, keepdims=True)
        q = _ib_iterate(ps, pys, p_s, q, float(beta), max_iter, tol)
        cands.append(q.copy())
    # reverse annealing, from (a perturbation of) the sufficient statistic, and fresh random starts per beta:
    # the forward path alone can stay on a branch that is no longer optimal (a test in test_embedding.py)
    q = np.eye(ns, nt) if nt >= ns else rng.dirichlet(np.ones(nt), size=ns)
    q = 0.99 * q + 0.01 / nt
    q /= q.sum(1, keepdims=True)
    for beta in b[::-1]:
        q = _ib_iterate(ps, pys, p_s, q, float(beta), max_iter, tol)
        cands.append(q.copy())
        for _ in range(restarts):
            cands.append(_ib_iterate(ps, pys, p_s, rng.dirichlet(np.ones(nt), size=ns), float(beta), max_iter, tol))
    pts = np.array([_soft_info(ps, p_s, c) for c in cands])
    cands = [c[suff] for c in cands]  # back to one row per context
    i_xy = mutual_information(p, 0, 1, base=math.e)
    pts[:, 1] = np.minimum(pts[:, 1], i_xy)  # round-off only: I(T;Y) <= I(X;Y) by data processing
    pts[pts < 1e-12] = 0.0  # round-off of the constant encoder
    chosen = [int(np.argmin(pts[:, 0] - beta * pts[:, 1] + 1e-12 * np.arange(len(pts)))) for beta in b]
    # enforce the exchange-argument ordering against round-off ties
    ixt = np.maximum.accumulate(pts[chosen, 0]) / lb
    ity = np.maximum.accumulate(pts[chosen, 1]) / lb
    return IBCurve(b, ixt, ity, tuple(cands[c] for c in chosen), i_xy / lb)


class DIBResult(NamedTuple):
    r"""The deterministic information bottleneck, one entry per ``beta``: ``labels[i]`` (the hard encoder
    :math:`f`, one cell per context), ``h_t`` :math:`= H(T) = I(X;T)`, ``i_ty`` :math:`= I(T;Y)` (units of
    ``base``), ``cells`` used, and ``costs[i]``, the DIB functional after each iteration (nats; non-increasing).

    Attributes
    ----------
    beta : numpy.ndarray, shape (n_betas,)
        The trade-off parameters :math:`\beta`.
    labels : tuple of numpy.ndarray
        ``labels[i]``, shape ``(n_contexts,)``: the cell :math:`f(x)` of each context at ``beta[i]``.
    h_t : numpy.ndarray, shape (n_betas,)
        :math:`H(T) = I(X;T)`, in units of log ``base`` of the call (bits by default).
    i_ty : numpy.ndarray, shape (n_betas,)
        :math:`I(T;Y)`, in the same units.
    cells : numpy.ndarray of int, shape (n_betas,)
        Number of cells used.
    costs : tuple of numpy.ndarray
        ``costs[i]``: the DIB functional :math:`\mathcal J` after each iteration of the kept run, in nats
        (non-increasing).
    """

    beta: np.ndarray
    labels: tuple
    h_t: np.ndarray
    i_ty: np.ndarray
    cells: np.ndarray
    costs: tuple


def _dib_run(p, px, pyx, negh, f, beta, max_iter):
    n, ny = p.shape
    hist = []
    for _ in range(max_iter + 1):
        cellid, f = np.unique(f, return_inverse=True)  # relabel to the live cells 0..m-1
        f = f.ravel()
        m = len(cellid)
        qt = np.bincount(f, weights=px, minlength=m)
        qyt = np.stack([np.bincount(f, weights=p[:, y], minlength=m) for y in range(ny)], axis=1)
        qyt /= np.maximum(qt, 1e-300)[:, None]
        kl = negh[:, None] - pyx @ np.log(np.maximum(qyt, 1e-304)).T  # KL(p(y|x) || q(y|t)), nats
        with np.errstate(divide="ignore"):
            score = np.log(qt)[None, :] - beta * kl
        hist.append(float(px @ (-np.log(np.maximum(qt[f], 1e-300)) + beta * kl[np.arange(n), f])))
        new = np.argmax(score, axis=1)
        if np.array_equal(new, f):
            break
        f = new
    return f, np.array(hist)


def deterministic_information_bottleneck(p_xy: ArrayLike, betas: ArrayLike, *, n_clusters: int | None = None,
        restarts: int = 10, seed: SeedLike = 0, max_iter: int = 200, base: float = 2) -> DIBResult:
    r"""The deterministic information bottleneck (Strouse and Schwab 2017): :math:`\min_f H(T) - \beta I(T;Y)`, :math:`T = f(X)`.

    The IB Lagrangian with :math:`I(X;T)` replaced by :math:`H(T)`; its minimisers are hard clusterings.  For
    each :math:`\beta` the iteration is started from the identity encoder :math:`f(x) = x`, from the constant
    encoder, and from ``restarts`` random labellings into ``n_clusters`` cells (default: one per context;
    seeded), and the run with the smallest final :math:`H(T) - \beta I(T;Y)` is kept.  Each run alternates

    .. math:: f(x) = \arg\max_t\ \big[\log q(t) - \beta\,\KL(p(y\mid x)\,\|\,q(y\mid t))\big],\qquad
              q(t) = \sum_{x: f(x) = t} p(x),\quad q(y\mid t) = \frac{\sum_{x: f(x)=t} p(x,y)}{q(t)}

    (ties to the smallest :math:`t`) until :math:`f` stops changing.  Both steps minimise
    :math:`\mathcal J = \sum_x p(x)[-\log q(f(x)) + \beta\KL(p(y\mid x)\|q(y\mid f(x)))]`, which at the
    consistent :math:`q` equals :math:`H(T) + \beta(I(X;Y) - I(T;Y))`, so :math:`\mathcal J` never increases and
    the loop ends (a local minimum; ``costs`` records the kept run).  From the identity, contexts with equal
    :math:`p(y\mid x)` are merged on the first step.  Units of ``base``; ``costs`` in nats.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.
    betas : array_like, shape (n_betas,)
        Finite :math:`\beta \ge 0`.
    n_clusters : int or None, keyword-only, default None
        Number of cells of the random starts, in ``[1, n_contexts]`` (None: one per context).
    restarts : int, keyword-only, default 10
        Random starts at each :math:`\beta`, at least 0 (besides the identity and the constant encoder).
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the random starts.
    max_iter : int, keyword-only, default 200
        Iteration limit of each run, at least 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    DIBResult
        One hard encoder per :math:`\beta`; informations in units of log ``base`` (bits by default), ``costs``
        in nats.
    """
    p = as_joint(p_xy)
    b = as_real_array(betas, "betas", finite=False, nonempty=False)
    if b.ndim != 1 or b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("betas must be a non-empty 1-D array of finite values >= 0 (beta = 0: the zero-rate end)")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=0)
    n = p.shape[0]
    k = n if n_clusters is None else check_int(n_clusters, "n_clusters", minimum=1, maximum=n)
    lb = log_base(base)
    px = p.sum(1)
    pyx = np.divide(p, px[:, None], out=np.full_like(p, 1.0 / p.shape[1]), where=px[:, None] > 0)
    negh = xlogy(pyx, pyx).sum(1)
    rng = as_rng(seed)
    inits = [np.arange(n), np.zeros(n, dtype=np.int64)] + [rng.integers(0, k, size=n) for _ in range(restarts)]
    labels_out, h, i, cells, costs = [], [], [], [], []
    for beta in b:
        best = None
        for f0 in inits:
            f, hist = _dib_run(p, px, pyx, negh, f0.copy(), float(beta), max_iter)
            _, lab = np.unique(f, return_inverse=True)
            e = encoder_information(p, lab.astype(np.int64), base=math.e)
            cost = e.i_xt - beta * e.i_ty
            if best is None or cost < best[0] - 1e-12:
                best = (cost, lab.astype(np.int64), hist)
        e = encoder_information(p, best[1], base=base)
        labels_out.append(best[1])
        h.append(e.i_xt)
        i.append(e.i_ty)
        cells.append(e.cells)
        costs.append(best[2])
    return DIBResult(b, tuple(labels_out), np.array(h), np.array(i), np.array(cells), tuple(costs))
