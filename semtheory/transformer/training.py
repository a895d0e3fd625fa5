r"""Training a :class:`~semtheory.transformer.Transformer` on a token stream, deterministically (chapter 10).

Part of :mod:`semtheory.transformer`, which re-exports its public names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from .._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.transformer")
nn = torch.nn
F = torch.nn.functional

from .._validate import as_token_ids, check_int
from ..core.torchloop import TrainResult, minimise
from .model import Transformer

if TYPE_CHECKING:
    from ..core.types import ArrayLike, SeedLike

__all__ = ["train"]


def train(model: Transformer, data: ArrayLike, steps: int, *, batch_size: int = 32, lr: float = 3e-3,
          seed: SeedLike = 0, threads: int = 1) -> TrainResult:
    r"""Minimise the next-token cross-entropy of ``model`` on random windows of the stream ``data``; in place, deterministic.

    ``model`` is a :class:`Transformer` or any other torch language model of the book with the same
    contract: an ``nn.Module`` whose ``forward`` maps token ids ``(B, n)`` to logits ``(B, n, V)`` causally,
    with attributes ``vocab_size``, ``context_length`` and ``bos`` (chapter 15's ``MambaLM`` is one).

    Each step draws ``batch_size`` windows of ``context_length`` tokens at positions from a seeded
    ``torch.Generator``; the model reads ``[BOS] + window[:-1]`` and is scored on the whole window, by
    :func:`minimise` (Adam, warm-up and cosine decay, clipping, deterministic, ``threads`` threads), so the
    same seed gives identical weights.  Chapter 10.

    Parameters
    ----------
    model : Transformer or torch language model
        Trained in place.
    data : array_like of int, shape (N,)
        The token stream, at least ``context_length`` tokens.
    steps : int
        Adam steps, >= 1.
    batch_size : int, keyword-only, default 32
        Windows per step.
    lr : float, keyword-only, default 3e-3
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the training batches.
    threads : int, keyword-only, default 1
        Torch threads while training.

    Returns
    -------
    TrainResult
        Per-step losses (nats per token) and seconds.
    """
    if not (isinstance(model, nn.Module) and all(hasattr(model, a) for a in ("vocab_size", "context_length", "bos"))):
        raise ValueError(
            "model must be a torch language model with vocab_size, context_length and bos (e.g. a "
            f"semtheory.transformer.Transformer), got {type(model).__name__}"
        )
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    x = torch.as_tensor(as_token_ids(data, "data", vocab_size=model.vocab_size, nonempty=False))
    L = model.context_length
    if x.numel() < L:
        raise ValueError(f"data must hold at least context_length = {L} tokens, got {x.numel()}")
    bos = torch.full((batch_size, 1), model.bos, dtype=torch.int64)
    offsets, high = torch.arange(L), x.numel() - L + 1  # built once, not every step

    def batch_loss(gen):
        i = torch.randint(0, high, (batch_size,), generator=gen)
        win = x[i[:, None] + offsets]
        logits = model(torch.cat([bos, win[:, :-1]], dim=1))
        return F.cross_entropy(logits.reshape(-1, model.vocab_size), win.reshape(-1))

    return minimise(model, batch_loss, steps, lr=lr, seed=seed, threads=threads)
