r"""Per-layer information: linear probes on the residual stream of a Transformer (chapter 14).

:func:`residual_streams` reads every layer's stream in one batched pass, :func:`probe_information` is the
Barber–Agakov bound of a softmax-linear probe, :func:`state_probe` probes for a Markov source's state.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .. import channel as _channel
from .._extras import require as _require
from .._validate import as_array as _asarray
from .._validate import as_float, as_rng, check_int, check_positive, check_probability, log_base
from ..core.models import check_model
from ..core.tables import as_contexts
from ._common import as_markov_source

if TYPE_CHECKING:
    from ..transformer import Transformer
    from ..sources import MarkovSource
    from ..core.types import ArrayLike, FloatArray, SeedLike

torch = _require("torch", "torch", needed_by="semtheory.semantic")


def residual_streams(model: Transformer, contexts: ArrayLike) -> FloatArray:
    r"""The residual stream of a Transformer on a batch of contexts, entering every block and after the last.

    ``contexts`` ``(B, n)`` token ids (``n + 1 <=`` ``context_length``); returns ``(layers + 1, B, n + 1, d)``
    (float64), position 0 = BOS, index :math:`l` = the input of block :math:`l` (0 = embeddings), the last =
    the output of the last block before the final layer norm.  Row :math:`b` equals
    :meth:`semtheory.transformer.Transformer.trace` ``(contexts[b]).hidden`` (to float32 round-off; this is one
    batched pass).  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    contexts : array_like of int, shape (B, n)
        Token ids, ``n + 1 <= context_length``.

    Returns
    -------
    numpy.ndarray, shape (layers + 1, B, n + 1, d)
        The residual streams (float64, in the units of the network's activations).
    """
    from ..transformer import Transformer
    from ..core.torchloop import one_thread

    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    ctx = as_contexts(contexts, model.vocab_size)
    if ctx.shape[1] + 1 > model.context_length:
        raise ValueError(f"contexts must hold at most context_length - 1 = {model.context_length - 1} tokens per row")
    x = torch.as_tensor(np.concatenate([np.full((ctx.shape[0], 1), model.bos), ctx], axis=1))
    out = []
    with torch.no_grad(), one_thread():
        h = model.embed(x) + model.pos.weight[: x.shape[1]]
        for blk in model.blocks:
            out.append(h.double().numpy())
            h = blk(h)
        out.append(h.double().numpy())
    return np.stack(out)


class ProbeResult(NamedTuple):
    r"""A linear probe's variational lower bound on :math:`I(T; H)` (units of ``base``): ``information`` with its
    standard error ``information_se``, the held-out ``cross_entropy`` and the ``entropy`` :math:`H(T)` used.
    Chapter 14.

    Attributes
    ----------
    information, information_se : float
        :math:`H(T)` minus the held-out cross-entropy, and its standard error (units of log ``base``).
    cross_entropy : float
        The held-out cross-entropy of the probe.
    entropy : float
        The :math:`H(T)` used.
    """

    information: float
    information_se: float
    cross_entropy: float
    entropy: float


def probe_information(features: ArrayLike, labels: ArrayLike, *, n_classes: int, entropy: float | None = None,
                      train_fraction: float = 0.5, l2: float = 1e-3, max_iter: int = 60, seed: SeedLike = None,
                      base: float = 2) -> ProbeResult:
    r"""Barber–Agakov lower bound :math:`I(T; H) \ge H(T) - \E[-\log q(T \mid H)]` with a softmax-linear probe :math:`q`.

    A multinomial logistic regression :math:`q(t \mid h) = \softmax(W h + b)_t` is fitted (L-BFGS, ridge ``l2``,
    at most ``max_iter`` iterations; an unconverged fit only loosens the bound)
    on a random ``train_fraction`` of the rows of ``features`` ``(N, d)`` (standardised on that part) and
    scored on the rest; for any fixed :math:`q`, :math:`\E[-\log q(T\mid H)] \ge H(T \mid H)` (Gibbs), so
    :math:`H(T)` minus the held-out cross-entropy estimates a lower bound on the mutual information, with the
    standard error of the mean held-out loss.  ``entropy``: the exact :math:`H(T)` if known (units of ``base``),
    else the plug-in entropy of the held-out labels.  ``labels`` in ``[0, n_classes)``.  Deterministic under
    ``seed``.  Chapter 14.

    Parameters
    ----------
    features : array_like, shape (N, d)
        Finite representations, ``N >= 4``.
    labels : array_like of int, shape (N,)
        The target classes, in ``[0, n_classes)``.
    n_classes : int >= 2, keyword-only
        Number of classes.
    entropy : float >= 0, keyword-only, optional
        The exact :math:`H(T)` in units of log ``base``; default the plug-in entropy of the held-out labels.
    train_fraction : float in (0, 1), keyword-only, default 0.5
        Share of the rows used to fit the probe.
    l2 : float >= 0, keyword-only, default 1e-3
        Ridge penalty.
    max_iter : int >= 1, keyword-only, default 60
        L-BFGS iterations.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ProbeResult
        The lower bound and its standard error, the held-out cross-entropy and :math:`H(T)`, in units of log
        ``base`` (bits by default).
    """
    lb = log_base(base)
    X = as_float(features, "features")
    if X.ndim != 2 or X.shape[0] < 4 or not np.all(np.isfinite(X)):
        raise ValueError(f"features must be a finite (N, d) array with N >= 4, got shape {X.shape}")
    C = check_int(n_classes, "n_classes", minimum=2)
    y = _asarray(labels, "labels")
    if y.shape != (X.shape[0],) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= C:
        raise ValueError(f"labels must be {X.shape[0]} integers in [0, {C})")
    train_fraction = check_probability(train_fraction, "train_fraction", low_open=True, high_open=True)
    l2 = check_positive(l2, "l2", allow_zero=True)
    if entropy is not None:
        entropy = check_positive(entropy, "entropy", allow_zero=True)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    rng = as_rng(seed)
    perm = rng.permutation(X.shape[0])
    cut = int(round(train_fraction * X.shape[0]))
    tr, te = perm[:cut], perm[cut:]
    mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-12
    Z = torch.as_tensor((X - mu) / sd)
    Y = torch.as_tensor(y.astype(np.int64))
    gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    W = (0.01 * torch.randn(X.shape[1], C, generator=gen, dtype=torch.float64)).requires_grad_()
    b = torch.zeros(C, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([W, b], lr=1.0, max_iter=max_iter, tolerance_grad=1e-9, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(Z[tr] @ W + b, Y[tr]) + l2 * (W**2).sum()
        loss.backward()
        return loss

    from ..core.torchloop import one_thread

    with one_thread():
        opt.step(closure)
    with torch.no_grad():
        nll = torch.nn.functional.cross_entropy(Z[te] @ W + b, Y[te], reduction="none").numpy() / lb
    if entropy is None:
        cnt = np.bincount(y[te], minlength=C) / te.size
        H = float(-(cnt[cnt > 0] * np.log(cnt[cnt > 0])).sum() / lb)
    else:
        H = float(entropy)
    return ProbeResult(H - float(nll.mean()), float(nll.std(ddof=1) / math.sqrt(te.size)), float(nll.mean()), H)


def state_probe(model: Transformer, source: MarkovSource, tokens: ArrayLike, *, length: int = 15, windows: int = 100,
                seed: SeedLike = None, base: float = 2) -> list[ProbeResult]:
    r"""Per-layer probe information about a Markov source's state :math:`S_i = (x_{i-k+1}, \dots, x_i)` in the residual stream.

    ``windows`` windows of ``length`` tokens are taken at random from ``tokens``; at every position with a full
    state (:math:`i \ge k`) the residual stream entering each block and after the last
    (:func:`residual_streams`) is probed for the state (:math:`V^k` classes, :func:`probe_information`), with
    :math:`H(S)` the exact entropy of the source's stationary law of :math:`k` consecutive symbols.  One
    :class:`ProbeResult` per layer index (0 = embeddings).  The state is the sufficient statistic for the next
    token, so :math:`I(S; H^{(l)})` measures how much of what the source's next-token law depends on is in
    layer :math:`l`.  Deterministic under ``seed``.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    source : semtheory.sources.MarkovSource
        The source of ``tokens``, of order ``k``.
    tokens : array_like of int, shape (N,)
        A text of more than ``length`` tokens.
    length : int >= max(k, 1), keyword-only, default 15
        Tokens per window (at most ``context_length - 1``).
    windows : int >= 2, keyword-only, default 100
        Number of random windows.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    list of ProbeResult
        One per layer index (0 = embeddings), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    src = as_markov_source(source)
    k, V = src.order, src.vocab_size
    x = check_model(model).check_tokens(tokens, "tokens") if isinstance(model, _channel.LanguageModel) \
        else np.asarray(tokens)
    length = check_int(length, "length", minimum=max(k, 1))
    windows = check_int(windows, "windows", minimum=2)
    if x.ndim != 1 or x.size <= length:
        raise ValueError(f"tokens must be a 1-D sequence of more than length = {length} tokens")
    rng = as_rng(seed)
    starts = rng.integers(0, x.size - length, windows)
    ctx = np.stack([x[s:s + length] for s in starts]).astype(np.int64)
    R = residual_streams(model, ctx)  # (L+1, B, length+1, d); position p >= 1 holds token ctx[p-1]
    pos = np.arange(k, length + 1)  # positions whose state (ctx[p-k], .., ctx[p-1]) is complete
    lab = np.zeros((windows, pos.size), dtype=np.int64)
    for j in range(k):
        lab = lab * V + ctx[:, pos - k + j]
    pi = src.stationary.reshape(-1)
    H = float(-(pi[pi > 0] * np.log(pi[pi > 0])).sum() / lb)
    return [probe_information(R[l][:, pos].reshape(-1, R.shape[-1]), lab.ravel(), n_classes=V**k, entropy=H,
                              seed=rng, base=base) for l in range(R.shape[0])]
