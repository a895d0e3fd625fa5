"""InfoNCE: the bound, its optimal critic, exact and Monte-Carlo values, and a trained critic.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import log_softmax, logsumexp, xlogy

from ..core.results import Estimate
from ..core.types import ArrayLike, SeedLike
from .._validate import as_array as _asarray
from .._validate import (
    as_real_array,
    as_rng,
    check_flag,
    check_int,
    check_positive,
    log_base,
    torch_seed,
)
from ._common import as_joint, as_real_matrix

_MAX_ENUM = 2**21  # largest number of (y_2..y_N) tuples infonce_exact enumerates


# ==============================================================================================
# InfoNCE
# ==============================================================================================


def readable_information(p_xy: ArrayLike, logq: ArrayLike, *, as_critic: bool = False, base: float = 2) -> float:
    r"""The information a softmax read-out :math:`Q(y\mid x)` extracts: :math:`I_Q = H(Y) - \E[-\log Q(Y\mid X)]`.

    :math:`I_Q = I(X;Y) - \sum_x p(x)\,\KL(p(\cdot\mid x)\,\|\,Q(\cdot\mid x)) \le I(X;Y)` (Barber and Agakov's
    bound); equality iff :math:`Q = p(y\mid x)` wherever :math:`p(x) > 0`.  ``logq`` (contexts x tokens) holds
    :math:`\log Q` up to a per-row constant (rows are normalised here); with ``as_critic=True`` it is a critic
    :math:`g` and :math:`Q \propto p(y)\,e^{g(x,y)}`, the conditional law a CPC critic implies (exact for
    :func:`optimal_critic`).  Units of ``base``.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.
    logq : array_like, shape (n_contexts, n_tokens)
        :math:`\log Q(y \mid x)` up to a per-row constant, or a critic :math:`g(x, y)` when ``as_critic=True``;
        ``-inf`` allowed, not a row that is ``-inf`` wherever :math:`p(x) > 0`.
    as_critic : bool, keyword-only, default False
        Read ``logq`` as a critic, :math:`Q \propto p(y)\,e^{g(x,y)}`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`I_Q`, in units of log ``base`` (bits by default); at most :math:`I(X;Y)`.

    Examples
    --------
    >>> from semtheory.measures import mutual_information
    >>> p = np.array([[0.4, 0.1], [0.1, 0.4]])
    >>> bool(abs(readable_information(p, optimal_critic(p), as_critic=True) - mutual_information(p, 0, 1)) < 1e-12)
    True
    """
    p = as_joint(p_xy)
    g = as_real_array(logq, "logq", finite=False, nonempty=False)
    as_critic = check_flag(as_critic, "as_critic")
    if g.shape != p.shape or np.any(np.isnan(g)) or np.any(g == np.inf):
        raise ValueError(f"logq must be a real array of shape {p.shape} (no NaN or +inf)")
    py = p.sum(axis=0)
    if as_critic:
        with np.errstate(divide="ignore"):
            g = g + np.log(py)[None, :]
    g = np.where(np.isfinite(g), g, -np.inf)
    empty = np.flatnonzero(np.all(np.isneginf(g), axis=1) & (p.sum(axis=1) > 0))
    if empty.size:
        raise ValueError(f"logq row {int(empty[0])} is -inf everywhere (after the critic's log p(y)) for a context of "
                         "positive probability: its read-out law Q(.|x) is undefined")
    with np.errstate(invalid="ignore"):  # rows of contexts of probability 0 are not used
        logq = log_softmax(g, axis=1)
    with np.errstate(invalid="ignore"):
        ce = -float(np.where(p > 0, p * logq, 0.0).sum())
    hy = -float(xlogy(py, py).sum())
    return (hy - ce) / log_base(base)


def optimal_critic(p_xy: ArrayLike) -> np.ndarray:
    r"""The InfoNCE-optimal critic :math:`g^\ast(x, y) = \log\frac{p(y\mid x)}{p(y)}` (nats; :math:`-\infty` where :math:`p(x,y) = 0`).

    Any :math:`g^\ast(x,y) + a(x)` is equally optimal.  Rows of contexts with :math:`p(x) = 0` are set to 0
    (they are never drawn).  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.

    Returns
    -------
    numpy.ndarray, shape (n_contexts, n_tokens)
        The critic :math:`g^\ast(x, y)`, in nats (``-inf`` on impossible pairs).
    """
    p = as_joint(p_xy)
    px, py = p.sum(1), p.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(p) - np.log(px)[:, None] - np.log(py)[None, :]
    g[px == 0] = 0.0
    return g


def infonce(scores: ArrayLike, *, base: float = 2) -> float:
    r"""The InfoNCE lower bound :math:`\log N - \mathcal L_N = \frac1N\sum_i \Big[s_{ii} - \log\frac1N\sum_j e^{s_{ij}}\Big]` of one batch.

    ``scores[i, j]`` :math:`= g(x_i, y_j)` for a batch of :math:`N` pairs :math:`(x_i, y_i)`, positives on the
    diagonal.  Each term is :math:`\log N` plus a log-softmax, so the value is at most :math:`\log N` for every
    critic and batch; its expectation is at most :math:`I(X;Y)` (van den Oord et al. 2018; Poole et al. 2019).
    ``-inf`` scores (impossible pairs) are allowed, ``+inf`` and NaN are not, nor a row that is ``-inf``
    everywhere (its softmax is undefined).  Units of ``base`` (bits by default).  Chapter 9.

    Parameters
    ----------
    scores : array_like, shape (N, N)
        The critic's scores :math:`s_{ij} = g(x_i, y_j)`, positives on the diagonal (nats: they enter through
        :math:`e^{s_{ij}}`).
    base : float, keyword-only, default 2
        Logarithm base of the result (2: bits, e: nats).

    Returns
    -------
    float
        The bound, in units of log ``base`` (bits by default); at most :math:`\log N`.

    Examples
    --------
    >>> infonce(np.diag([50.0, 50.0]), base=math.e) == math.log(2)
    True
    """
    S = as_real_matrix(scores, "scores", allow_neg_inf=True)
    if S.shape[0] != S.shape[1]:
        raise ValueError(f"scores must be square (N x N), got shape {S.shape}")
    lb = log_base(base)
    N = S.shape[0]
    empty = np.flatnonzero(np.all(np.isneginf(S), axis=1))
    if empty.size:
        raise ValueError(f"scores row {int(empty[0])} is -inf everywhere: its softmax over the batch is undefined")
    val = float(np.mean(np.diag(S) - logsumexp(S, axis=1))) + math.log(N)
    return min(val, math.log(N)) / lb


def _ratio_and_py(p_xy):
    p = as_joint(p_xy)
    px, py = p.sum(1), p.sum(0)
    r = np.divide(p, px[:, None] * py[None, :], out=np.zeros_like(p), where=(px[:, None] * py[None, :]) > 0)
    return p, py, r


def infonce_exact(p_xy: ArrayLike, batch_size: int, *, base: float = 2) -> float:
    r"""Exact expected InfoNCE bound of the optimal critic, :math:`\E[\log N - \mathcal L_N(g^\ast)]`, by enumeration.

    :math:`(x, y_1) \sim p(x,y)`, :math:`y_2, \dots, y_N \sim p(y)` i.i.d., and with :math:`r = p(y\mid x)/p(y)`
    the value is :math:`\E\big[\log r(x,y_1) - \log\tfrac1N\sum_j r(x,y_j)\big] = I(X;Y) - \KL(\bar P\,\|\,Q)`
    where :math:`\bar P` is the law of the batch with the positive at a uniformly random index and :math:`Q` the
    product of the marginals; the maximum of the expected InfoNCE over critics.  Enumerates the
    :math:`V^{N-1}` negative tuples (refused above :math:`2^{21}`).  Units of ``base``.  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf :math:`p(x, y)`.
    batch_size : int
        Batch size, at least 1 (``n_tokens ** (N - 1)`` at most :math:`2^{21}`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The expected bound, in units of log ``base`` (bits by default); at most
        :math:`\min(I(X;Y), \log N)`.

    Examples
    --------
    >>> from semtheory.measures import mutual_information
    >>> p = 0.5 * np.array([[0.8, 0.2], [0.2, 0.8]])
    >>> bool(abs(infonce_exact(p, 2) - mutual_information(p, 0, 1) / 2) < 1e-12)
    True
    """
    p, py, r = _ratio_and_py(p_xy)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lb = log_base(base)
    V = p.shape[1]
    if V ** (batch_size - 1) > _MAX_ENUM:
        raise ValueError(f"batch_size={batch_size} with {V} tokens needs {V}**{batch_size - 1} tuples, more than {_MAX_ENUM}: use infonce_monte_carlo")
    # law of S = sum_{j>=2} r(x, y_j) for each x, as (values, weights) over all tuples
    vals = np.zeros((p.shape[0], 1))
    wts = np.ones(1)
    for _ in range(batch_size - 1):
        vals = (vals[:, :, None] + r[:, None, :]).reshape(p.shape[0], -1)
        wts = (wts[:, None] * py[None, :]).reshape(-1)
    total = 0.0
    for y1 in range(V):
        col = p[:, y1]
        ok = col > 0
        if not ok.any():
            continue
        r1 = r[ok, y1]
        inner = np.log(r1)[:, None] - np.log((r1[:, None] + vals[ok]) / batch_size)
        total += float(col[ok] @ (inner @ wts))
    return total / lb


def infonce_monte_carlo(p_xy: ArrayLike, critic: ArrayLike, batch_size: int, *, n_batches: int = 200, seed: SeedLike = None,
                        base: float = 2) -> Estimate:
    r"""Monte-Carlo mean and standard error of :func:`infonce` over ``n_batches`` fresh batches of ``batch_size`` pairs drawn from ``p_xy``.

    ``critic`` is a table ``(contexts x tokens)`` of scores :math:`g(x, y)`.  Deterministic under ``seed``.
    Units of ``base`` (bits by default).  Chapter 9.

    Parameters
    ----------
    p_xy : array_like, shape (n_contexts, n_tokens)
        The joint pmf the batches are drawn from.
    critic : array_like, shape (n_contexts, n_tokens)
        The scores :math:`g(x, y)` (nats; ``-inf`` allowed, not a row that is ``-inf`` everywhere).
    batch_size : int
        Batch size, at least 1.
    n_batches : int, keyword-only, default 200
        Number of independent batches, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws (None: fresh entropy).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    Estimate
        ``(mean, se)``, a :class:`semtheory.core.Estimate`: the mean of the per-batch bounds and its standard
        error (0 for one batch), both in units of log ``base`` (bits by default).
    """
    p = as_joint(p_xy)
    g = as_real_matrix(critic, "critic", allow_neg_inf=True)
    if g.shape != p.shape:
        raise ValueError(f"critic must have the shape of p_xy {p.shape}, got {g.shape}")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    nb = check_int(n_batches, "n_batches", minimum=1)
    lb = log_base(base)
    rng = as_rng(seed)
    flat = rng.choice(p.size, size=(nb, batch_size), p=p.reshape(-1))
    xs, ys = np.divmod(flat, p.shape[1])
    # sum_j e^{g(x_i, y_j)} = sum_v c_v e^{g(x_i, v)} with c_v the number of y_j = v in the batch: O(N V), not O(N^2)
    out = np.empty(nb)
    V = p.shape[1]
    chunk = max(1, 2**21 // (batch_size * V))
    for s in range(0, nb, chunk):
        X, Y = xs[s : s + chunk], ys[s : s + chunk]
        cnt = np.stack([np.bincount(r, minlength=V) for r in Y]).astype(float)
        with np.errstate(divide="ignore"):
            logc = np.log(cnt)
        lse = logsumexp(g[X] + logc[:, None, :], axis=2)  # (b, N)
        if np.any(np.isneginf(lse)):
            raise ValueError("critic is -inf on every token of a batch for one of its contexts: the InfoNCE softmax "
                             "over that batch is undefined")
        out[s : s + chunk] = np.mean(g[X, Y] - lse, axis=1) + math.log(batch_size)
    out = np.minimum(out, math.log(batch_size)) / lb
    return Estimate(float(out.mean()), float(out.std(ddof=1) / math.sqrt(nb)) if nb > 1 else 0.0)


class InfoNCEFit(NamedTuple):
    """A trained CPC critic :math:`g(x,y) = s\\langle \\hat u_x, \\hat w_y\\rangle`: ``critic`` table (nats),
    ``scale``, training ``losses`` (nats per step) and the ``batch_size`` used.

    Attributes
    ----------
    critic : numpy.ndarray, shape (n_contexts, vocab_size)
        The learned scores :math:`g(x, y)`, in nats.
    scale : float
        The learned scale :math:`s > 0`.
    losses : numpy.ndarray, shape (steps,)
        The InfoNCE loss :math:`\\mathcal L_N` of each training batch, in nats.
    batch_size : int
        The batch size used in training.
    """

    critic: np.ndarray
    scale: float
    losses: np.ndarray
    batch_size: int


def train_infonce_critic(x: ArrayLike, y: ArrayLike, n_contexts: int, vocab_size: int, *, d: int = 8, batch_size: int = 64,
                         steps: int = 300, lr: float = 0.05, seed: SeedLike = 0) -> InfoNCEFit:
    r"""Train a CPC/InfoNCE critic on the unit sphere in torch: :math:`g(x, y) = s\langle \hat u_x, \hat w_y\rangle`.

    Each step draws a batch of ``batch_size`` training pairs ``(x[i], y[i])`` (context indices and next tokens, e.g.
    from :func:`~semtheory.embedding.context_samples`) and takes an Adam step on the InfoNCE loss
    :math:`\mathcal L_N = -\frac1N\sum_i \log\frac{e^{g(x_i,y_i)}}{\sum_j e^{g(x_i,y_j)}}` (van den Oord et al.
    2018).  Vectors :math:`u_x, w_y \in \R^d` are normalised inside the critic; the scale :math:`s = e^\theta` is
    learned.  Seeded (``torch.Generator``), CPU (one thread, restored afterwards), float64; a few hundred
    steps take about a second.  A loss or parameter that stops being finite (``lr`` far too large) raises
    ``ValueError`` naming ``lr`` and the step.
    Chapter 9.

    Parameters
    ----------
    x : array_like of int, shape (n,)
        Context indices of the training pairs, in ``[0, n_contexts - 1]``.
    y : array_like of int, shape (n,)
        Next tokens of the training pairs, in ``[0, vocab_size - 1]``.
    n_contexts : int
        Number of contexts (rows of the critic), at least 1.
    vocab_size : int
        Number of tokens (columns of the critic), at least 1.
    d : int, keyword-only, default 8
        Dimension :math:`d` of the vectors, at least 1.
    batch_size : int, keyword-only, default 64
        Batch size, at least 2.
    steps : int, keyword-only, default 300
        Number of Adam steps, at least 1.
    lr : float, keyword-only, default 0.05
        Adam's learning rate, positive.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and the batches (a Generator is drawn from once; None: fresh entropy).

    Returns
    -------
    InfoNCEFit
        The critic table (nats), its scale, the losses (nats) and ``batch_size``.
    """
    nx = check_int(n_contexts, "n_contexts", minimum=1)
    V = check_int(vocab_size, "vocab_size", minimum=1)
    xa, ya = _asarray(x, "x"), _asarray(y, "y")
    if xa.ndim != 1 or ya.shape != xa.shape or xa.size == 0:
        raise ValueError("x and y must be 1-D arrays of the same non-zero length")
    if xa.dtype.kind not in "iu" or xa.min() < 0 or xa.max() >= nx:
        raise ValueError(f"x must hold context indices in [0, n_contexts - 1] = [0, {nx - 1}]")
    if ya.dtype.kind not in "iu" or ya.min() < 0 or ya.max() >= V:
        raise ValueError(f"y must hold token ids in [0, vocab_size - 1] = [0, {V - 1}]")
    d = check_int(d, "d", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = torch_seed(seed)
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add synchronisation cost
    try:
        return _train_infonce(torch, xa, ya, nx, V, d, batch_size, steps, lr, seed)
    finally:
        torch.set_num_threads(threads)


def _train_infonce(torch, xa, ya, nx, V, d, N, steps, lr, seed) -> InfoNCEFit:
    from ..core.torchloop import Adam  # torch.optim.Adam's step, in plain torch (torch.optim imports the compiler)

    gen = torch.Generator().manual_seed(seed)
    A = torch.randn(nx, d, generator=gen, dtype=torch.float64).requires_grad_()
    B = torch.randn(V, d, generator=gen, dtype=torch.float64).requires_grad_()
    th = torch.tensor(math.log(3.0), dtype=torch.float64, requires_grad=True)
    X, Y = torch.as_tensor(xa, dtype=torch.long), torch.as_tensor(ya, dtype=torch.long)
    opt = Adam([A, B, th], clip=None, as_torch_optim=True)
    labels = torch.arange(N)
    losses = np.empty(steps)
    for t in range(steps):
        idx = torch.randint(len(X), (N,), generator=gen)
        u = torch.nn.functional.normalize(A[X[idx]], dim=1)
        w = torch.nn.functional.normalize(B[Y[idx]], dim=1)
        loss = torch.nn.functional.cross_entropy(th.exp() * u @ w.T, labels)
        if not torch.isfinite(loss):
            raise ValueError(f"lr={lr:g} is too large: the InfoNCE loss is not finite at step {t} (diverged)")
        opt.step(torch.autograd.grad(loss, opt.params), lr)
        losses[t] = loss.item()
    if not all(bool(torch.isfinite(v).all()) for v in (A, B, th)):
        raise ValueError(f"lr={lr:g} is too large: the critic's parameters are not finite after step {steps - 1} (diverged)")
    with torch.no_grad():
        s = float(th.exp())
        g = s * torch.nn.functional.normalize(A, dim=1) @ torch.nn.functional.normalize(B, dim=1).T
    return InfoNCEFit(g.numpy().copy(), s, losses, N)
