r"""Training a :class:`~semtheory.ssm.MambaLM` (the loop of :func:`semtheory.transformer.train`), the cached model
trained on the chapter's Markov source, and the cross-entropy of a trained model whose state is rounded to a
few bits per number (chapter 15)."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from .. import transformer as _transformer
from .._validate import check_int, check_positive, log_base, torch_seed
from ..core.torchloop import Pretrained, TrainResult, cached, one_thread
from ..core.types import ArrayLike, SeedLike
from ._common import torch
from .model import MambaLM


def train(model: MambaLM, data: ArrayLike, steps: int, *, batch_size: int = 32, lr: float = 3e-3, seed: SeedLike = 0,
          threads: int = 1) -> TrainResult:
    r"""Minimise the next-token cross-entropy of a :class:`MambaLM` on random windows of ``data``; in place, deterministic.

    Exactly :func:`semtheory.transformer.train` (one training loop for every model of the book): windows
    of ``context_length`` tokens drawn from a seeded generator, ``[BOS] + window[:-1]`` read and the whole
    window scored, Adam with warm-up and cosine decay, gradient clipping at 1, deterministic algorithms on
    ``threads`` threads.  Losses in nats per token.  Chapter 15.

    Parameters
    ----------
    model : MambaLM
        The model, trained in place.
    data : array_like of int
        Training token stream.
    steps : int
        Optimiser steps.
    batch_size : int, keyword-only, default 32
        Windows per step.
    lr : float, keyword-only, default 3e-3
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the window sampler.
    threads : int, keyword-only, default 1
        torch threads.

    Returns
    -------
    TrainResult
        Per-step losses (nats per token) and the wall time (seconds).
    """
    if not isinstance(model, MambaLM):
        raise ValueError(f"model must be a semtheory.ssm.MambaLM, got {type(model).__name__}")
    return _transformer.train(model, data, steps, batch_size=batch_size, lr=lr, seed=seed, threads=threads)


def pretrained_ssm_on_markov(*, seed: SeedLike = 0, source_seed: int = 0, steps: int = 300, batch_size: int = 32,
                             lr: float = 5e-3, n_train: int = 40_000, n_test: int = 20_000, d_model: int = 32,
                             n_layers: int = 2, d_state: int = 8, mixer: str = "mamba", context_length: int = 16,
                             discretization: str = "euler") -> Pretrained:
    r"""A :class:`MambaLM` trained on :func:`semtheory.transformer.markov_source` ``(source_seed)``, cached in-process.

    Same train and test streams as :func:`semtheory.transformer.pretrained_on_markov` with the same ``seed``
    (seeds ``2 * seed + 1``, ``2 * seed + 2``), so the two models are compared on identical data.  Returns a
    :class:`semtheory.transformer.Pretrained` (cross-entropy and entropy rate in bits per token); each call
    returns a fresh copy.  ``seed`` (keyword-only) is an int >= 0, a numpy Generator (one draw from it becomes the
    int seed, so the model is cached under that int) or ``None`` (fresh entropy).  Chapter 15.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Model initialisation, training windows and the train/test streams.
    source_seed : int, keyword-only, default 0
        The Markov source (:func:`semtheory.transformer.markov_source`).
    steps, batch_size, lr : keyword-only
        Training schedule (:func:`train`).
    n_train, n_test : int, keyword-only
        Lengths of the training and test streams.
    d_model, n_layers, d_state, mixer, context_length, discretization : keyword-only
        The :class:`MambaLM` configuration.

    Returns
    -------
    Pretrained
        The model, source, streams, training result, test cross-entropy and entropy rate (bits per token).
    """
    from ..transformer import markov_source

    seed = torch_seed(seed)  # an int: the cache key below stays deterministic
    source_seed = check_int(source_seed, "source_seed", minimum=0)
    context_length = check_int(context_length, "context_length", minimum=1)
    steps, batch_size = check_int(steps, "steps", minimum=1), check_int(batch_size, "batch_size", minimum=1)
    lr, n_layers = check_positive(lr, "lr"), check_int(n_layers, "n_layers", minimum=1)
    d_model, n_train = check_int(d_model, "d_model", minimum=1), check_int(n_train, "n_train", minimum=context_length)
    n_test = check_int(n_test, "n_test", minimum=1)
    d_state = check_int(d_state, "d_state", minimum=1)
    key = ("ssm-markov", seed, source_seed, steps, batch_size, lr, n_train, n_test, d_model, n_layers, d_state, mixer,
           context_length, discretization)

    def build():
        src = markov_source(seed=source_seed)
        tr = src.sample(check_int(n_train, "n_train", minimum=context_length), seed=2 * seed + 1)
        te = src.sample(check_int(n_test, "n_test", minimum=1), seed=2 * seed + 2)
        m = MambaLM(src.vocab_size, d_model=d_model, n_layers=n_layers, d_state=d_state, mixer=mixer,
                    context_length=context_length, seed=seed, discretization=discretization)
        res = train(m, tr, steps, batch_size=batch_size, lr=lr, seed=seed)
        return Pretrained(m, src, tr, te, res, m.cross_entropy(te, base=2), src.entropy_rate(base=2))

    return cached(key, build)


class QuantisedRun(NamedTuple):
    r"""``cross_entropy`` (units of ``base`` per token) of a :class:`MambaLM` whose SSM state is rounded to ``bits``
    bits per number after every step; ``log2_states`` :math:`= n\,b + \log_2 V` bits (``n`` = ``numbers`` state
    numbers at ``bits`` bits each, plus the current token), the size of the finite-state predictor it is;
    ``bits`` = ``None`` for the unrounded model.

    Attributes
    ----------
    cross_entropy : float
        Per token, in units of log ``base``.
    bits : int or None
        Bits per state number; ``None`` unrounded.
    numbers : int
        State numbers :math:`n`.
    log2_states : float
        :math:`n b + \log_2 V` bits (``inf`` unrounded).
    """

    cross_entropy: float
    bits: int | None
    numbers: int
    log2_states: float


def quantised_cross_entropy(model: MambaLM, tokens: ArrayLike, bits: int | Sequence[int | None] | None = None, *,
                            streams: int = 8, base: float = 2) -> QuantisedRun | list[QuantisedRun]:
    r"""Cross-entropy of ``model`` on ``tokens`` when its SSM state is rounded to ``bits`` bits per number at every step.

    The tokens are cut into ``streams`` contiguous pieces, each read from ``BOS`` by the state protocol, in
    parallel.  After each step every number of every layer's SSM state is clipped to :math:`[-R, R]` and rounded
    to one of :math:`2^b` evenly spaced levels, :math:`R` being that layer's largest magnitude on an unrounded
    pass over the same tokens (a fixed grid).  The next-token law after token :math:`x_t` is a function of the
    rounded states left by step :math:`t-1` and of :math:`x_t` (step :math:`t` computes it from them, and only its
    rounded result is kept), so the rounded model is a finite-state predictor with
    :math:`\log_2 S \le n b + \log_2 V`
    (:func:`state_bottleneck_bound` applies to it); ``bits=None`` gives the unrounded model, whose per-stream
    log-probabilities equal :meth:`MambaLM.token_logprobs`.  ``bits`` may also be a list (of ints and ``None``):
    then a list of :class:`QuantisedRun` is returned, sharing one calibration pass.  Requires ``d_conv = 1``
    (no convolution buffer, so that the SSM state is the whole state).  Chapter 15.

    Parameters
    ----------
    model : MambaLM
        A model with ``d_conv = 1``.
    tokens : array_like of int
        The token stream.
    bits : int, None or list of them, default None
        Bits per state number (1 to 24); ``None``: unrounded.
    streams : int, keyword-only, default 8
        Contiguous pieces read in parallel.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    QuantisedRun or list of QuantisedRun
        Cross-entropy in units of log ``base`` per token (bits by default), and the state size in bits.
    """
    if not isinstance(model, MambaLM):
        raise ValueError(f"model must be a semtheory.ssm.MambaLM, got {type(model).__name__}")
    if model.config["d_conv"] != 1:
        raise ValueError("model must have d_conv = 1 (its state is then the SSM state alone)")
    many = isinstance(bits, (list, tuple))
    bl = [None if v is None else check_int(v, "bits", minimum=1, maximum=24) for v in (bits if many else [bits])]
    K = check_int(streams, "streams", minimum=1)
    lb = log_base(base)
    s = model.check_tokens(tokens, "tokens")
    T = len(s) // K
    if T < 1:
        raise ValueError(f"tokens must hold at least streams = {K} tokens, got {len(s)}")
    X = torch.as_tensor(s[: K * T].reshape(K, T).astype(np.int64))

    def walk(R, b):
        with torch.no_grad(), one_thread():
            states = [blk.empty_state(K) for blk in model.blocks]
            tok, lps, peak = torch.full((K,), model.bos), [], [0.0] * len(model.blocks)
            for t in range(T):
                h = model.embed(tok[:, None])
                for li, blk in enumerate(model.blocks):
                    h, (buf, hs) = blk(h, states[li])
                    peak[li] = max(peak[li], float(hs.abs().max()))
                    if R is not None:
                        step = 2 * R[li] / (2**b - 1)
                        hs = torch.round((hs.clamp(-R[li], R[li]) + R[li]) / step) * step - R[li]
                    states[li] = (buf, hs)
                lp = torch.log_softmax(model.unembed(model.ln_f(h))[:, -1].double(), dim=-1)
                lps.append(lp[torch.arange(K), X[:, t]])
                tok = X[:, t]
        return torch.stack(lps, 1).numpy(), peak

    lp0, peak = walk(None, None)
    n = sum(int(np.prod(blk.empty_state()[1].shape)) for blk in model.blocks)
    out = []
    for b in bl:
        lp = lp0 if b is None else walk([max(r, 1e-12) for r in peak], b)[0]
        out.append(QuantisedRun(float(-lp.mean() / lb), b, n, (n * b if b else math.inf) + math.log2(model.vocab_size)))
    return out if many else out[0]
