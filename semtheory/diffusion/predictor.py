"""A bidirectional mask predictor in torch: :class:`MaskPredictor` (an MLP or a Transformer encoder without causal
mask), its training on the LLaDA loss and its tabulation.  Chapter 16 (see :mod:`semtheory.diffusion`).

The only file of :mod:`semtheory.diffusion` that imports torch (the extra ``semtheory[torch]``)."""

from __future__ import annotations

import math

import numpy as np

from .._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.diffusion")
nn = torch.nn
F = torch.nn.functional

from .._validate import as_array as _asarray
from .._validate import as_token_ids, check_int, torch_seed
from ..core.torchloop import TrainResult, minimise, one_thread
from ..core.types import ArrayLike, FloatArray, SeedLike
from ..transformer import Block, CausalSelfAttention
from ._common import MAX_CELLS

__all__ = ["MaskPredictor", "train_mask_predictor", "model_table"]


class _BidirectionalSelfAttention(CausalSelfAttention):
    """Chapter 10's attention with the causal mask removed: every position attends to every position."""

    def forward(self, u: torch.Tensor, *, return_weights: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        B, n, d = u.shape
        q, k, v = (W(u).view(B, n, self.n_heads, self.d_k).transpose(1, 2) for W in (self.W_Q, self.W_K, self.W_V))
        alpha = ((q @ k.transpose(-2, -1)) / math.sqrt(self.d_k)).softmax(dim=-1)
        out = self.W_O((alpha @ v).transpose(1, 2).reshape(B, n, d))
        return (out, alpha) if return_weights else out


class MaskPredictor(nn.Module):
    r"""A small bidirectional mask predictor :math:`q_\theta(x^i\mid z)`: an MLP or a Transformer encoder.

    Input: partially masked sequences (B, n) over ``0..V`` (``V`` = mask); output logits (B, n, V) at every
    position.  ``arch="transformer"``: chapter 10's blocks with the causal mask removed (every position
    attends to every position) and learned positional embeddings (attention alone is
    permutation-equivariant).  ``arch="mlp"``: the one-hot encoding of the whole of :math:`z` through two
    GELU layers of width ``d_hidden`` (sees every position, so it is bidirectional too; much faster to train
    at this size).  Initialised from ``seed`` without touching torch's global random state.  Chapter 16.

    Parameters
    ----------
    vocab_size : int
        :math:`V` (the mask is ``V``).
    n : int
        :math:`n`.
    arch : {"mlp", "transformer"}, keyword-only, default "mlp"
        The architecture.
    d_model, n_heads, n_layers, d_ff : int, keyword-only
        Transformer sizes.
    d_hidden : int, keyword-only, default 256
        MLP width.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation.

    Attributes
    ----------
    vocab_size, n : int
        :math:`V`, :math:`n`.
    arch : str
        The architecture.
    """

    def __init__(self, vocab_size: int, n: int, *, arch: str = "mlp", d_model: int = 32, n_heads: int = 2,
                 n_layers: int = 2, d_ff: int = 64, d_hidden: int = 256, seed: SeedLike = 0) -> None:
        super().__init__()
        V = check_int(vocab_size, "vocab_size", minimum=1)
        n = check_int(n, "n", minimum=1)
        if arch not in ("mlp", "transformer"):
            raise ValueError(f"arch must be 'mlp' or 'transformer', got {arch!r}")
        d = check_int(d_model, "d_model", minimum=1)
        H = check_int(n_heads, "n_heads", minimum=1)
        if d % H:
            raise ValueError(f"n_heads must divide d_model, got d_model={d}, n_heads={H}")
        L = check_int(n_layers, "n_layers", minimum=1)
        dff = check_int(d_ff, "d_ff", minimum=1)
        dh = check_int(d_hidden, "d_hidden", minimum=1)
        self.vocab_size, self.n, self.arch = V, n, arch
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(torch_seed(seed))
            if arch == "mlp":
                self.net = nn.Sequential(nn.Linear(n * (V + 1), dh), nn.GELU(), nn.Linear(dh, dh), nn.GELU(),
                                         nn.Linear(dh, n * V))
                return
            self.embed = nn.Embedding(V + 1, d)  # + MASK
            self.pos = nn.Parameter(0.1 * torch.randn(n, d))
            self.blocks = nn.ModuleList(Block(d, H, dff) for _ in range(L))
            for blk in self.blocks:
                old = blk.attn
                blk.attn = _BidirectionalSelfAttention(d, H)
                blk.attn.load_state_dict(old.state_dict())
            self.ln_f = nn.LayerNorm(d, bias=False)
            self.head = nn.Linear(d, V)
            nn.init.normal_(self.embed.weight, std=0.1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        r"""Logits of :math:`q_\theta(x^i = \cdot \mid z)` at every position of the partially masked sequences ``z``.  Chapter 16.

        :math:`q_\theta(x^i = v \mid z) = \softmax_v(\text{logits}[b, i])`; every position sees all of :math:`z`
        (no causal mask).  The rows of visible positions are computed too, and :meth:`predict` overwrites them.

        Parameters
        ----------
        z : torch.Tensor of int64, shape (B, n)
            Token ids in ``[0, vocab_size]``, ``vocab_size`` the mask.

        Returns
        -------
        torch.Tensor, shape (B, n, vocab_size)
            Logits (natural-log scale, unnormalised).
        """
        if self.arch == "mlp":
            x = F.one_hot(z, self.vocab_size + 1).to(torch.float32).flatten(1)
            return self.net(x).view(z.shape[0], self.n, self.vocab_size)
        h = self.embed(z) + self.pos
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.ln_f(h))

    def predict(self, z: ArrayLike) -> FloatArray:
        r"""The laws :math:`q_\theta(x^i = \cdot \mid z)` at every position; visible positions get the one-hot law of their token.  Chapter 16.

        The softmax of :meth:`forward`'s logits, in float64, without gradients: the rows of a predictor table
        (:func:`model_table`).

        Parameters
        ----------
        z : array_like of int, shape (B, n)
            Partially masked sequences, ids in ``[0, vocab_size]`` (``vocab_size`` the mask).

        Returns
        -------
        numpy.ndarray of float64, shape (B, n, vocab_size)
            Pmfs over the last axis (probabilities).
        """
        zz = _asarray(z, "z")
        if zz.ndim != 2 or zz.shape[1] != self.n or zz.dtype.kind not in "iu":
            raise ValueError(f"z must be an integer array of shape (B, {self.n}), got {zz.shape}")
        if zz.min() < 0 or zz.max() > self.vocab_size:
            raise ValueError(f"z must hold ids in [0, {self.vocab_size}] (the mask is {self.vocab_size})")
        with torch.no_grad(), one_thread():
            out = self(torch.as_tensor(zz, dtype=torch.int64)).double().softmax(-1).numpy()
        vis = zz < self.vocab_size
        r, i = np.nonzero(vis)
        out[r, i] = 0.0
        out[r, i, zz[r, i]] = 1.0
        return out


def train_mask_predictor(model: MaskPredictor, data: ArrayLike, steps: int, *, batch_size: int = 64, lr: float = 3e-3,
                         seed: SeedLike = 0) -> TrainResult:
    r"""Minimise the LLaDA loss of ``model`` on the sequences ``data`` (N, n), by Monte Carlo; in place, deterministic.

    Each step draws ``batch_size`` sequences and stratified ratios :math:`t_b = (b + u)/B` (one
    :math:`u\sim U(0,1)`, a standard variance reduction), masks each token with probability :math:`t_b`, and
    minimises :math:`\frac1{Bn}\sum_b \frac1{t_b}\sum_{i\ \rm masked} -\ln q_\theta(x_b^i\mid z_b)` (nats per
    token, LLaDA's loss divided by the length).  Adam (warm-up then cosine decay), gradient norm clipped at 1,
    one torch thread and deterministic algorithms (restored afterwards).  Returns chapter 10's
    :class:`~semtheory.transformer.TrainResult` (``losses`` per step, nats per token).  Chapter 16.

    Parameters
    ----------
    model : MaskPredictor
        Trained in place.
    data : array_like of int, shape (N, n)
        Training sequences.
    steps : int
        Adam steps.
    batch_size : int, keyword-only, default 64
        Sequences per step.
    lr : float, keyword-only, default 3e-3
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    TrainResult
        Per-step losses (nats per token) and seconds.
    """
    if not isinstance(model, MaskPredictor):
        raise ValueError(f"model must be a semtheory.diffusion.MaskPredictor, got {type(model).__name__}")
    x = as_token_ids(data, "data", vocab_size=model.vocab_size, ndim=None)
    if x.ndim != 2 or x.shape[1] != model.n:
        raise ValueError(f"data must have shape (N, {model.n}), got {x.shape}")
    B = check_int(batch_size, "batch_size", minimum=1)
    X = torch.as_tensor(x)
    V, n = model.vocab_size, model.n

    def batch_loss(gen: torch.Generator) -> torch.Tensor:
        x0 = X[torch.randint(0, X.shape[0], (B,), generator=gen)]
        t = (torch.arange(B, dtype=torch.float32) + torch.rand((), generator=gen)) / B
        t = t.clamp_min(1e-4)
        hide = torch.rand((B, n), generator=gen) < t[:, None]
        z = torch.where(hide, torch.full_like(x0, V), x0)
        nll = F.cross_entropy(model(z).reshape(-1, V), x0.reshape(-1), reduction="none").view(B, n)
        return ((nll * hide).sum(1) / t).sum() / (B * n)

    return minimise(model, batch_loss, steps, lr=lr, seed=seed, threads=1)


def model_table(model: MaskPredictor) -> FloatArray:
    r"""Tabulate a :class:`MaskPredictor` on every partially masked sequence: shape ``(V+1,)*n + (n, V)``.

    The table feeds every exact function of this module (:func:`llada_loss`, :func:`sampler_law`, ...).
    Chapter 16.

    Parameters
    ----------
    model : MaskPredictor
        A trained predictor.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    if not isinstance(model, MaskPredictor):
        raise ValueError(f"model must be a semtheory.diffusion.MaskPredictor, got {type(model).__name__}")
    n, V = model.n, model.vocab_size
    if (V + 1) ** n * n * V > MAX_CELLS:
        raise ValueError(f"model with n={n}, vocab_size={V} gives a table too large to enumerate")
    Z = np.indices((V + 1,) * n).reshape(n, -1).T
    return model.predict(Z).reshape((V + 1,) * n + (n, V))
