"""Discrete series: plug-in transfer entropy, simulated pairs, Granger by trained predictors (chapter 8)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, NamedTuple

import numpy as np

from .. import measures
from .._validate import as_array, as_int_array, as_rng, check_int, check_probability, log_base

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike, IntArray, SeedLike


# ----------------------------------------------------------------------------------------------
# Discrete plug-in transfer entropy
# ----------------------------------------------------------------------------------------------


def _as_int_series(x, name: str) -> np.ndarray:
    arr = as_array(x, name)
    if arr.dtype.kind == "b":  # booleans are the symbols 0 and 1 here
        arr = arr.astype(np.int64)
    return as_int_array(arr, name, ndim=1, minimum=0)


def _encode(blocks: list[np.ndarray], radix: int, m: int) -> np.ndarray:
    code = np.zeros(m, dtype=np.int64)
    for b in blocks:
        code = code * radix + b
    return code


def transfer_entropy_plugin(*, source: ArrayLike, target: ArrayLike, k: int = 1, l: int = 1, base: float = 2) -> float:
    r"""Plug-in transfer entropy from the integer series ``source`` to ``target`` (Schreiber 2000).

    .. math:: \widehat{\mathrm{TE}}_{X\to Y} = \hat H(Y_t, Y^{(k)}) + \hat H(Y^{(k)}, X^{(l)}) - \hat H(Y_t, Y^{(k)}, X^{(l)}) - \hat H(Y^{(k)})

    with :math:`Y^{(k)} = (Y_{t-1}..Y_{t-k})`, :math:`X^{(l)} = (X_{t-1}..X_{t-l})`, over
    :math:`t = \max(k,l)..n-1`, and :func:`semtheory.measures.entropy_plugin` on encoded histories.
    ``k = 0`` gives the lagged MI :math:`I(Y_t; X^{(l)})`.  Biased upward by about
    :math:`\frac{(|\mathcal Y|-1)|\mathcal Y|^k(|\mathcal X|^l-1)}{2N}` nats under independence.  Units of
    ``base``.  Chapter 8.

    Parameters
    ----------
    source : array_like of int, shape (n,), keyword-only
        The source series :math:`X`, non-negative integer symbols.
    target : array_like of int, shape (n,), keyword-only
        The target series :math:`Y`, of the same length.
    k : int, keyword-only, default 1
        The number of target lags (>= 0).
    l : int, keyword-only, default 1
        The number of source lags (>= 1).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The plug-in transfer entropy, in units of log ``base`` per time step (bits by default).

    Examples
    --------
    >>> x, y = simulate_delayed_copy(20_000, flip=0.0, seed=0)
    >>> round(transfer_entropy_plugin(source=x, target=y), 3)  # Y copies X: one bit per step
    1.0
    """
    lb = log_base(base)
    x = _as_int_series(source, "source")
    y = _as_int_series(target, "target")
    if x.size != y.size:
        raise ValueError(f"source and target must have the same length, got {x.size} and {y.size}")
    k = check_int(k, "k", minimum=0)
    l = check_int(l, "l", minimum=1)
    h = max(k, l)
    n = y.size
    if n <= h:
        raise ValueError(f"target is too short ({n} values) for histories k={k}, l={l}")
    radix = int(max(x.max(), y.max())) + 1
    if math.log2(max(radix, 2)) * (k + l + 1) > 62:
        raise ValueError(f"k and l are too long for an alphabet of {radix} symbols (state codes overflow)")
    m = n - h
    yk = _encode([y[h - j : n - j] for j in range(1, k + 1)], radix, m)
    xl = _encode([x[h - j : n - j] for j in range(1, l + 1)], radix, m)
    yt = y[h:]
    rk = radix**k
    rl = radix**l
    H = lambda codes: measures.entropy_plugin(codes, base=math.e)  # noqa: E731
    te = H(yt * rk + yk) + H(xl * rk + yk) - H((yt * rl + xl) * rk + yk) - H(yk)
    return max(te, 0.0) / lb


def simulate_delayed_copy(n: int, *, flip: float = 0.1, delay: int = 1, vocab_size: int = 2,
                          seed: SeedLike = None) -> tuple[IntArray, IntArray]:
    r"""A noisy delayed copy: :math:`X_t` i.i.d. uniform on ``vocab_size`` symbols and :math:`Y_t = X_{t-\text{delay}} + N_t \bmod |\mathcal X|`.

    :math:`N_t = 0` with probability ``1 - flip`` and uniform on the other symbols otherwise.  For
    ``delay=1`` the exact transfer entropy with ``k = l = 1`` is
    :math:`\log|\mathcal X| - h(\text{flip}) - \text{flip}\log(|\mathcal X|-1)` from X to Y and 0 from Y to X.
    Returns ``(x, y)`` integer arrays of length ``n``.  Chapter 8.

    Parameters
    ----------
    n : int
        The length of the two series (>= 1).
    flip : float, keyword-only, default 0.1
        The probability that the copy is corrupted, in [0, 1].
    delay : int, keyword-only, default 1
        The delay of the copy, in time steps (>= 0).
    vocab_size : int, keyword-only, default 2
        The number of symbols (>= 2).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        The randomness (an int >= 0 gives a reproducible draw).

    Returns
    -------
    x : ndarray of int64, shape (n,)
        The source series.
    y : ndarray of int64, shape (n,)
        The noisy delayed copy.
    """
    n = check_int(n, "n", minimum=1)
    f = check_probability(flip, "flip")
    delay = check_int(delay, "delay", minimum=0)
    q = check_int(vocab_size, "vocab_size", minimum=2)
    rng = as_rng(seed)
    x = rng.integers(0, q, n + delay)
    noise = np.where(rng.random(n) < f, rng.integers(1, q, n), 0)
    y = (x[:n] + noise) % q
    return x[delay:], y


# ----------------------------------------------------------------------------------------------
# Simulated Markov pairs and Granger by training
# ----------------------------------------------------------------------------------------------


class TrainedGranger(NamedTuple):
    r"""Granger inference by two trained predictors (bits per token on held-out data).

    ``full_target``: cross-entropy of the interleaved model on the target tokens (it reads
    :math:`X^t, Y^{t-1}` before :math:`Y_t`); ``restricted_target``: of the model trained on the target alone;
    ``full_source``: of the interleaved model on the source tokens (it reads :math:`X^{t-1}, Y^{t-1}`).
    ``gain`` = restricted minus full, the estimated directed-information rate from source to target.

    Attributes
    ----------
    full_target : float
        Cross-entropy of the interleaved model on the target tokens, bits per token.
    restricted_target : float
        Cross-entropy of the target-only model on the target tokens, bits per token.
    full_source : float
        Cross-entropy of the interleaved model on the source tokens, bits per token.
    gain : float
        ``restricted_target - full_target``, bits per token.
    """

    full_target: float
    restricted_target: float
    full_source: float
    gain: float


def granger_by_training(*, source: ArrayLike, target: ArrayLike, test_source: ArrayLike, test_target: ArrayLike,
                        fit: Callable[[IntArray, int], LanguageModel], skip: int = 16) -> TrainedGranger:
    r"""Granger's comparison of two trained predictors: one that reads the source's past, one that does not.

    ``fit(tokens, vocab_size)`` trains a fresh predictor on a token stream and returns it (a
    :class:`~semtheory.core.models.LanguageModel`, scored through ``token_logprobs``).  The *full* predictor is
    fitted to the interleaved stream :math:`x_1 y_1 x_2 y_2 \dots` (source tokens ``0..K-1``, target tokens
    ``K..K+L-1``), the *restricted* one to the target series alone.  On the test series,
    ``gain`` :math:`= \mathrm{CE}_{\text{restricted}} - \mathrm{CE}_{\text{full}}` on the target tokens estimates
    :math:`\lim\frac1n[H(Y^n) - H(Y^n \| X^n)]`, the directed-information rate: the full predictor reads :math:`X_t`
    before :math:`Y_t`, so the gain is the transfer *and* instantaneous parts of the Amblard–Michel split.  The
    first ``skip`` time steps of the test series are not scored (a windowed predictor's warm-up).  Chapter 8
    uses the small Transformers of chapter 10 (``fit = semtheory.transformer.trainer(...)``); this module needs
    no model class of its own.

    Parameters
    ----------
    source, target : array_like of int, shape (n,), keyword-only
        The training series (non-negative integer tokens), of equal length.
    test_source, test_target : array_like of int, shape (m,), keyword-only
        The held-out series, of equal length, ``m > skip``.
    fit : callable, keyword-only
        ``fit(tokens, vocab_size) -> LanguageModel``: trains a predictor on a 1-D int stream over
        ``vocab_size`` tokens (deterministic under its own seed).
    skip : int, keyword-only, default 16
        The number of leading test time steps not scored (>= 0).

    Returns
    -------
    TrainedGranger
        The three held-out cross-entropies and the gain, in bits per token.
    """
    xs, ys = _as_int_series(source, "source"), _as_int_series(target, "target")
    txs, tys = _as_int_series(test_source, "test_source"), _as_int_series(test_target, "test_target")
    if xs.size != ys.size or txs.size != tys.size:
        raise ValueError("source and target (and test_source and test_target) must have equal lengths")
    if not callable(fit):
        raise ValueError(f"fit must be a callable fit(tokens, vocab_size) -> LanguageModel, got {fit!r}")
    K = int(max(xs.max(), txs.max())) + 1
    L = int(max(ys.max(), tys.max())) + 1
    L0 = check_int(skip, "skip", minimum=0)
    if tys.size <= L0:
        raise ValueError(f"test_target must be longer than skip = {L0}")

    def inter(a, b):
        s = np.empty(2 * a.size, dtype=np.int64)
        s[0::2], s[1::2] = a, b + K
        return s

    full, restr = fit(inter(xs, ys), K + L), fit(ys, L)
    lp = full.token_logprobs(inter(txs, tys), base=2)[2 * L0:]
    src_ce, tgt_ce = -float(lp[0::2].mean()), -float(lp[1::2].mean())
    r_ce = -float(restr.token_logprobs(tys, base=math.e)[L0:].mean()) / math.log(2)
    return TrainedGranger(tgt_ce, r_ce, src_ce, r_ce - tgt_ce)
