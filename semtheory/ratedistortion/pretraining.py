r"""Pre-training on the log-loss plane: a predictor's (distortion, rate) point, n-gram sweeps and their plot,
the ideal predictor of a block as a strictly causal test channel, and the information bottleneck read as
log-loss rate-distortion (chapter 5).  Part of :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

import numpy as np

from .. import measures
from .._validate import as_pmf, as_real_array, as_stochastic, check_int, check_positive, log_base
from ._common import MAX_CELLS, as_output, as_source_law, conditional_rows
from ..core.types import ArrayLike, FloatArray, SeedLike

if TYPE_CHECKING:
    from ..core.models import LanguageModel


class LogLossPoint(NamedTuple):
    r"""A predictor placed on the log-loss plane (units of ``base`` per token).

    ``distortion`` = :math:`\mathbb E[-\log Q_C(X)]` (the per-token cross-entropy, the pre-training loss),
    ``rate`` = :math:`I(X; Q_C)` (what its predictions carry about the next token), ``entropy`` = :math:`H(X)`,
    ``conditional_entropy`` = :math:`H(X \mid C)` (the best loss from the same context).  Always
    ``rate >= entropy - distortion`` (the log-loss :math:`R(D)`), with equality iff the predictor is
    calibrated (:math:`P(X \mid Q_C) = Q_C`).

    Attributes
    ----------
    distortion : float
        :math:`\mathbb E[-\log Q_C(X)]`, in units of log ``base`` per token.
    rate : float
        :math:`I(X; Q_C)`, in units of log ``base`` per token.
    entropy : float
        :math:`H(X)`, in units of log ``base``.
    conditional_entropy : float
        :math:`H(X \mid C)`, in units of log ``base``.
    """

    distortion: float
    rate: float
    entropy: float
    conditional_entropy: float


def log_loss_point(block_law: ArrayLike, predictive: ArrayLike | None = None, *, base: float = 2) -> LogLossPoint:
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

    Parameters
    ----------
    block_law : array_like
        Joint pmf of (context, next token), the next token on the last axis (size ``V``).
    predictive : array_like, optional
        :math:`Q(\cdot \mid c)` on the last axis, broadcastable to ``block_law``'s shape; default the true
        conditional.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    LogLossPoint
        Distortion, rate, entropy and conditional entropy, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> pt = log_loss_point([[0.4, 0.1], [0.1, 0.4]])
    >>> round(pt.distortion, 4), round(pt.rate, 4)
    (0.7219, 0.2781)
    """
    lb = log_base(base)
    J = as_pmf(block_law, "block_law")
    if J.ndim == 0:
        raise ValueError("block_law must have at least one axis (the next token)")
    V = J.shape[-1]
    Jf = J.reshape(-1, V)
    if predictive is None:
        Q = conditional_rows(Jf)
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


def pretraining_point(source: LanguageModel, model: LanguageModel, order: int | None = None, *,
        base: float = 2) -> LogLossPoint:
    r"""The log-loss point of a language model ``model`` of context length ``order`` on a stationary ``source``.

    ``source`` is a :class:`semtheory.channel.LanguageModel` whose first ``order + 1`` tokens are stationary (every
    source of :mod:`semtheory.sources` starts in its stationary law); ``model`` any language model whose
    prediction depends only on the last ``order`` tokens (an n-gram :class:`semtheory.sources.NGramModel`, a
    :class:`semtheory.channel.MarkovLM`); ``order`` defaults to ``model.order``.  The stationary law of
    :math:`(X_{t-k}^{t-1}, X_t)` comes from :func:`semtheory.channel.sequence_law`, the predictions from
    ``model.next_token_probs``; then :func:`log_loss_point`.  Its ``distortion`` is the model's exact per-token
    cross-entropy rate against the source (the population pre-training loss).  Units of ``base``.  Chapter 5.

    Parameters
    ----------
    source : semtheory.channel.LanguageModel
        The stationary source.
    model : semtheory.channel.LanguageModel
        The predictor, with the source's ``vocab_size``.
    order : int, optional
        Context length, 0..12 (default ``model.order``).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    LogLossPoint
        The model's point, in units of log ``base`` (bits by default) per token.
    """
    from ..channel import LanguageModel, sequence_law

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
    return log_loss_point(J, Q.reshape(J.shape), base=base)


class SequencePredictor(NamedTuple):
    r"""The ideal strictly causal predictor of a block, as a test channel (per symbol, units of ``base``).

    ``reproductions[k]`` is the :math:`k`-th distinct predictive pmf :math:`P(\cdot \mid x^{t-1})`;
    ``law`` the law of :math:`(X^n, Y^n)` (axes :math:`X_1..X_n, Y_1..Y_n`, :math:`Y_t` the index of the
    reproduction used at step :math:`t`); ``distortion`` = :math:`\frac1n\sum_t\mathbb E[-\log Y_t(X_t)]`
    (equal to :math:`H(X^n)/n`); ``rate`` = :math:`\frac1n I(X^n \to Y^n)` computed from ``law`` by
    :func:`semtheory.directed.directed_information`; ``entropy`` = :math:`H(X^n)/n`.

    Attributes
    ----------
    distortion : float
        :math:`\frac1n \sum_t \mathbb E[-\log Y_t(X_t)]`, in units of log ``base`` per symbol.
    rate : float
        :math:`\frac1n I(X^n \to Y^n)`, in units of log ``base`` per symbol.
    entropy : float
        :math:`H(X^n)/n`, in units of log ``base`` per symbol.
    reproductions : numpy.ndarray, shape (m, nx)
        The distinct predictive pmfs.
    law : numpy.ndarray, shape (nx,) * n + (m,) * n
        The law of :math:`(X^n, Y^n)`.
    """

    distortion: float
    rate: float
    entropy: float
    reproductions: np.ndarray
    law: np.ndarray


def strictly_causal_predictor(p_x: ArrayLike, *, base: float = 2) -> SequencePredictor:
    r"""The ideal next-token predictor :math:`Y_t = P(\cdot \mid X^{t-1})` of a block, read as a causal test channel.

    ``p_x`` is the law of :math:`X^n` (one axis per step, one alphabet).  The predictor is *strictly* causal:
    :math:`Y_t` is a function of :math:`X^{t-1}` only, so it is one of the causal test channels of the
    directed rate-distortion function under log-loss, with reproductions the distinct predictive pmfs.
    Its distortion is the sequence log-loss :math:`\frac1n\sum_t \mathbb E[-\log P(X_t \mid X^{t-1})] = H(X^n)/n`
    (the pre-training loss of the population model) and its rate is :math:`\frac1n I(X^n \to Y^n)`, which for
    this deterministic channel equals :math:`H(Y^n)/n`.  Returns :class:`SequencePredictor`.  Units of
    ``base`` per symbol.  Chapter 5.

    Parameters
    ----------
    p_x : array_like, shape (nx,) * n
        The law of :math:`X^n`, one axis per step, one alphabet.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    SequencePredictor
        The predictor as a test channel; rates and distortion in units of log ``base`` (bits by default) per
        symbol.
    """
    from .. import directed

    lb = log_base(base)
    p = as_source_law(p_x)
    n, nx = p.ndim, p.shape[0]
    if nx ** (2 * n) > MAX_CELLS:
        raise ValueError(f"p_x with n={n} steps of {nx} symbols is too large for the joint table")
    conds = []  # P(x_t | x^{t-1}) as rows indexed by the prefix, t = 1..n
    for t in range(1, n + 1):
        m = p.sum(axis=tuple(range(t, n))) if t < n else p
        conds.append(conditional_rows(m.reshape(-1, nx)))
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


def log_loss_sequence_lower_bound(p_x: ArrayLike, D: float | ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Lower bound :math:`\max(0, H(X^n)/n - D)` on the block and the directed rate-distortion functions under log-loss.

    For any test channel whose reproductions :math:`Y_t` are pmfs on the source alphabet,
    :math:`I(X^n; Y^n) = H(X^n) - H(X^n \mid Y^n) \ge H(X^n) - \sum_t H(X_t \mid Y_t) \ge H(X^n) - \sum_t \mathbb E[-\log Y_t(X_t)]`
    (chain rule, conditioning reduces entropy, cross-entropy at least conditional entropy); divided by
    :math:`n`, :math:`R^{\mathrm{DI}}_n(D) \ge R_n(D) \ge H(X^n)/n - D`.  ``D`` per symbol in units of ``base``.
    Chapter 5.

    Parameters
    ----------
    p_x : array_like, shape (nx,) * n
        The law of :math:`X^n`, one axis per step, one alphabet.
    D : float or array_like
        Per-symbol log-loss distortion(s), each >= 0, in units of log ``base``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray
        :math:`\max(0, H(X^n)/n - D)` per symbol, in units of log ``base`` (bits by default), shaped like ``D``.
    """
    lb = log_base(base)
    p = as_source_law(p_x)
    Dv = as_real_array(D, "D", nonempty=False, minimum=0)
    H = measures.entropy(p.ravel(), base=math.e) / lb / p.ndim
    return as_output(np.maximum(H - Dv, 0.0))


class PretrainingSweep(NamedTuple):
    r"""Ideal order-:math:`k` predictors and fitted :math:`n`-gram models of a source on the log-loss plane.

    ``orders`` the context lengths; ``ideal[k]`` the :class:`LogLossPoint` of :math:`P(x_t \mid x_{t-k}^{t-1})`;
    ``fitted[N][k]`` that of the Laplace-smoothed :math:`n`-gram of order :math:`k` fitted on ``N`` sampled
    tokens (exact population cross-entropy).

    Attributes
    ----------
    orders : tuple of int
        The context lengths.
    ideal : list of LogLossPoint
        The ideal predictor of each order.
    fitted : dict
        ``fitted[N]``: list of the fitted :math:`n`-gram models' :class:`LogLossPoint`, one per order.
    """

    orders: tuple
    ideal: list
    fitted: dict


def pretraining_sweep(source: LanguageModel, orders: Sequence[int], train_sizes: Sequence[int], *,
        seed: SeedLike = 1, base: float = 2) -> PretrainingSweep:
    r"""Place ideal predictors and fitted :math:`n`-gram models of growing order on the log-loss plane.

    For each order :math:`k` in ``orders``: the ideal predictor (:func:`log_loss_point` of the stationary law of
    :math:`k + 1` consecutive tokens) and, for each ``N`` in ``train_sizes``, the
    :class:`semtheory.sources.NGramModel` of order :math:`k` (Laplace smoothing) fitted on ``source.sample(N,
    seed=seed)``, placed with :func:`pretraining_point`.  Deterministic under ``seed``.  Units of ``base``
    per token.  Chapter 5.

    Parameters
    ----------
    source : semtheory.channel.LanguageModel
        The stationary source.
    orders : iterable of int
        Context lengths, each 0..12.
    train_sizes : iterable of int
        Training sample sizes ``N``, each >= 1.
    seed : int, numpy.random.Generator or None, keyword-only, default 1
        Seed of ``source.sample``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    PretrainingSweep
        The points, in units of log ``base`` (bits by default) per token.
    """
    from ..channel import LanguageModel, sequence_law
    from ..sources import NGramModel

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


def plot_pretraining_plane(ax: Any, sweep: PretrainingSweep, entropy_rate: float, *,
        xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None) -> Any:
    r"""Draw a :class:`PretrainingSweep` on the per-token log-loss plane (the left panel of the chapter's figure).

    The line :math:`R = H(X) - D`, a dashed vertical line at ``entropy_rate`` (bits), the ideal order-:math:`k`
    predictors (circles) and the fitted :math:`n`-gram models of each training size (one marker each, the
    smallest training size labelled by order); ``xlim``/``ylim`` optional axis limits.  Rates and distortions in the units of ``sweep``.  Returns
    ``ax``.  Chapter 5.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    sweep : PretrainingSweep
        The points to draw.
    entropy_rate : float
        The source's entropy rate, > 0, in the units of ``sweep``.
    xlim, ylim : tuple of float, keyword-only, optional
        Axis limits.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    from ..plotting import COLORS

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


class BottleneckDistortion(NamedTuple):
    r"""The information bottleneck of an encoder read as rate-distortion (chapter 5).

    ``distortion[x, t]`` :math:`= \KL(p(y \mid x) \,\|\, p(y \mid t))`, ``reproductions[t]`` :math:`= p(y \mid t)`
    (cells of zero mass dropped), ``cells`` the indices of the encoder columns kept, ``expected`` the
    average :math:`\mathbb E\, d(X, T)` under the encoder, ``i_xy`` :math:`= I(X;Y)` and ``i_ty`` :math:`= I(T;Y)`;
    all in units of ``base``.

    Attributes
    ----------
    distortion : numpy.ndarray, shape (nx, k)
        :math:`d(x, t) = \KL(p(y \mid x) \,\|\, p(y \mid t))`, in units of log ``base``.
    reproductions : numpy.ndarray, shape (k, ny)
        :math:`p(y \mid t)` of the kept cells.
    cells : numpy.ndarray of int, shape (k,)
        Indices of the encoder columns kept.
    expected : float
        :math:`\mathbb E\, d(X, T)`, in units of log ``base``.
    i_xy : float
        :math:`I(X;Y)`, in units of log ``base``.
    i_ty : float
        :math:`I(T;Y)`, in units of log ``base``.
    """

    distortion: np.ndarray
    reproductions: np.ndarray
    cells: np.ndarray
    expected: float
    i_xy: float
    i_ty: float


def bottleneck_distortion(p_xy: ArrayLike, encoder: ArrayLike, *, base: float = 2) -> BottleneckDistortion:
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

    Parameters
    ----------
    p_xy : array_like, shape (nx, ny)
        Joint pmf of :math:`(X, Y)`.
    encoder : array_like, shape (nx, nt)
        Row-stochastic encoder :math:`q(t \mid x)`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    BottleneckDistortion
        The distortion matrix and the information terms, in units of log ``base`` (bits by default).
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
