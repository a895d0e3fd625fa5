r"""A small decoder-only Transformer assembled from energy pieces, in plain torch; its VAR coefficients; training.

Chapter 10 (used by chapters 14 and 15).

**The pieces** (each one screen, pre-layer-norm, no dropout):

* :class:`CausalSelfAttention`: per head :math:`h`, queries :math:`q_i = W_Q^h u_i`, keys :math:`k_j = W_K^h u_j`,
  values :math:`W_V^h u_j`, weights :math:`\alpha^h_{ij} = \softmax_{j \le i}(\beta\, q_i^\T k_j)` with
  :math:`\beta = 1/\sqrt{d_k}`, output :math:`\sum_h W_O^h \sum_{j\le i} \alpha^h_{ij} W_V^h u_j`.  For each
  query this is one modern-Hopfield update (:func:`semtheory.energy.hopfield_update`) with stored keys
  :math:`k_j` and retrieved values; the causal mask stores only the past.
* :class:`FeedForward`: :math:`\mathrm{FFN}(u) = \sum_{m=1}^{d_{ff}} g(k_m^\T u + b_m)\, v_m + c`, a key–value
  memory (Geva et al. 2021): rows of the first matrix are keys, columns of the second are values, and
  :math:`g` (GELU) plays the role of the unnormalised softmax of attention.
* :class:`Block`: the residual stream :math:`h \leftarrow h + \mathrm{Attn}(\mathrm{LN}(h))`,
  :math:`h \leftarrow h + \mathrm{FFN}(\mathrm{LN}(h))`.  Layer norms have a gain and no bias, and the attention
  projections have no bias, so the attention sublayer is *exactly* linear in the hidden states given the
  weights :math:`\alpha` and the norms (:func:`var_coefficients`).
* :class:`Transformer`: token and learned position embeddings (plus a begin-of-window token ``BOS`` =
  ``vocab_size``, always at position 0), a stack of blocks, a final layer norm and an unembedding
  :math:`w_v`: the energy of token :math:`v` is :math:`E(v) = -w_v^\T \mathrm{LN}(h_t)`, and the next-token law
  is the Boltzmann law :math:`e^{-E}/Z` at :math:`T = 1`.  It is a :class:`~semtheory.channel.LanguageModel`
  (and a ``torch.nn.Module``).  A context of :math:`t \ge L` = ``context_length`` tokens is read through a
  window that restarts every :math:`s = L/2` tokens (:meth:`Transformer.window_start`), so the model always
  sees between :math:`L/2` and :math:`L-1` tokens and a long text is scored with two tokens of compute per
  token.

**The Transformer as a nonlinear time-varying VAR.**  With :math:`P = I - \tfrac1d \mathbf 1\mathbf 1^\T`
(centring), :math:`\gamma` the layer-norm gain and :math:`\sigma_j = (\lVert P h_j\rVert^2/d + \epsilon)^{1/2}`,
the attention sublayer of a layer reads

.. math:: h_i^{\mathrm{att}} = \sum_{j \le i} A_{ij}\, h_j, \qquad
          A_{ij} = \sum_{\text{heads } h} \alpha^h_{ij}\, W_O^h W_V^h \operatorname{diag}(\gamma) P / \sigma_j ,

and the residual stream :math:`h_i \leftarrow \sum_{j\le i} (\delta_{ij} I + A_{ij}) h_j`: a vector
autoregression whose coefficients depend on the data (through :math:`\alpha` and :math:`\sigma`), hence
nonlinear and time-varying.  The feed-forward sublayer acts on each position separately (no term in
:math:`j \ne i`).  :func:`var_coefficients` extracts the :math:`A_{ij}` (float64) and reproduces the sublayer's
output to round-off.

**Training.**  :func:`train` minimises the cross-entropy on random windows of a token stream with Adam,
deterministically (deterministic algorithms, one thread, seeded ``torch.Generator``); inference also runs on
one torch thread, which is fastest for models this small.
:func:`pretrained_on_markov` and :func:`pretrained_on_english` return models trained in seconds, cached
in-process by their arguments (each call returns a fresh copy).  No weights are ever downloaded.

Units: losses in nats inside torch; :class:`Pretrained` reports bits per token.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

import numpy as np
from ._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.transformer")
nn = torch.nn
F = torch.nn.functional

from ._validate import as_token_ids, check_flag, check_int, check_positive, log_base, torch_seed
from .channel import LanguageModel, boltzmann_logprobs
from .core.tables import as_contexts

if TYPE_CHECKING:
    from .core.types import ArrayLike, SeedLike
    from .sources import MarkovSource
from .core.torchloop import Pretrained, TrainResult, cached, minimise, one_thread


__all__ = [
    "causal_mask",
    "CausalSelfAttention",
    "FeedForward",
    "Block",
    "Transformer",
    "Trace",
    "VARCoefficients",
    "var_coefficients",
    "ffn_memory",
    "ffn_nonlinearity",
    "TrainResult",
    "minimise",
    "train",
    "trainer",
    "Pretrained",
    "markov_source",
    "pretrained_on_markov",
    "pretrained_on_english",
]


# ==============================================================================================
# The pieces
# ==============================================================================================



def causal_mask(n: int) -> torch.Tensor:
    r"""Boolean :math:`n \times n` mask, ``True`` where query :math:`i` may see key :math:`j` (:math:`j \le i`).  Chapter 10.

    Parameters
    ----------
    n : int
        Sequence length, >= 1.

    Returns
    -------
    torch.Tensor of bool, shape (n, n)
        Lower-triangular mask (no units).
    """
    n = check_int(n, "n", minimum=1)
    return torch.ones(n, n, dtype=torch.bool).tril()


class CausalSelfAttention(nn.Module):
    r"""Multi-head causal attention; head :math:`h` at position :math:`i` is a Hopfield update with query :math:`q_i`.

    :math:`\mathrm{out}_i = \sum_h W_O^h \sum_{j \le i} \alpha^h_{ij} W_V^h u_j`,
    :math:`\alpha^h_{i\cdot} = \softmax(\beta\, q_i^\T k_{\le i})`, :math:`\beta = 1/\sqrt{d_k}`.  Chapter 10.

    Parameters
    ----------
    d_model : int
        Width of the residual stream.
    n_heads : int
        Number of heads (divides ``d_model``); :math:`d_k` = ``d_model // n_heads``.
    """

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        d_model = check_int(d_model, "d_model", minimum=1)
        n_heads = check_int(n_heads, "n_heads", minimum=1)
        if d_model % n_heads:
            raise ValueError(f"n_heads must divide d_model, got d_model={d_model}, n_heads={n_heads}")
        self.n_heads, self.d_k = n_heads, d_model // n_heads
        self.W_Q, self.W_K, self.W_V, self.W_O = (nn.Linear(d_model, d_model, bias=False) for _ in range(4))

    def forward(self, u: torch.Tensor, *, return_weights: bool = False
                ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        r"""Causal multi-head attention of the rows of ``u``: :math:`\mathrm{softmax}(q k^\T/\sqrt{d_k})\,v`, then :math:`W_O`.

        Parameters
        ----------
        u : torch.Tensor, shape (B, n, d_model)
            The (normalised) residual stream.
        return_weights : bool, keyword-only, default False
            Also return the attention weights.

        Returns
        -------
        torch.Tensor or tuple of torch.Tensor
            The output, shape ``(B, n, d_model)``; with ``return_weights`` also the weights
            :math:`\alpha`, shape ``(B, n_heads, n, n)`` (probabilities over the keys).
        """
        B, n, d = u.shape
        q, k, v = (W(u).view(B, n, self.n_heads, self.d_k).transpose(1, 2) for W in (self.W_Q, self.W_K, self.W_V))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.d_k)  # beta q_i . k_j, shape (B, H, n, n)
        alpha = scores.masked_fill(~causal_mask(n), float("-inf")).softmax(dim=-1)
        out = self.W_O((alpha @ v).transpose(1, 2).reshape(B, n, d))
        return (out, alpha) if return_weights else out


class FeedForward(nn.Module):
    r"""Key–value memory :math:`\mathrm{FFN}(u) = \sum_m g(k_m^\T u + b_m)\, v_m + c` with :math:`d_{ff}` slots, :math:`g` = GELU.  Chapter 10.

    Parameters
    ----------
    d_model : int
        Width of the residual stream.
    d_ff : int
        Number of memory slots (hidden width).
    """

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        d_model = check_int(d_model, "d_model", minimum=1)
        d_ff = check_int(d_ff, "d_ff", minimum=1)
        self.keys = nn.Linear(d_model, d_ff)  # row m of keys.weight is k_m
        self.values = nn.Linear(d_ff, d_model)  # column m of values.weight is v_m

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        r""":math:`\sum_m g(k_m^\T u + b_m)\, v_m + c` for every row of ``u``.

        Parameters
        ----------
        u : torch.Tensor, shape (..., d_model)
            The (normalised) residual stream.

        Returns
        -------
        torch.Tensor, shape (..., d_model)
            The memory's read-out.
        """
        return self.values(F.gelu(self.keys(u)))


class Block(nn.Module):
    r"""Pre-LN block: :math:`h \leftarrow h + \mathrm{Attn}(\mathrm{LN}_1 h)`, then :math:`h \leftarrow h + \mathrm{FFN}(\mathrm{LN}_2 h)`.  Chapter 10.

    Parameters
    ----------
    d_model : int
        Width of the residual stream.
    n_heads : int
        Number of attention heads.
    d_ff : int
        Width of the feed-forward layer.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        super().__init__()
        d_model = check_int(d_model, "d_model", minimum=1)
        n_heads, d_ff = check_int(n_heads, "n_heads", minimum=1), check_int(d_ff, "d_ff", minimum=1)
        self.ln1, self.ln2 = nn.LayerNorm(d_model, bias=False), nn.LayerNorm(d_model, bias=False)
        self.attn, self.ffn = CausalSelfAttention(d_model, n_heads), FeedForward(d_model, d_ff)

    def forward(self, h: torch.Tensor, *, record: dict | None = None) -> torch.Tensor:
        """One pre-LN block on the residual stream ``h``.

        Parameters
        ----------
        h : torch.Tensor, shape (B, n, d_model)
            The residual stream.
        record : dict, keyword-only, optional
            If given, filled with the block's input ``h``, attention weights ``alpha`` and attention output ``attn``.

        Returns
        -------
        torch.Tensor, shape (B, n, d_model)
            The residual stream after the block.
        """
        a, alpha = self.attn(self.ln1(h), return_weights=True)
        if record is not None:
            record.update(h=h, alpha=alpha, attn=a)
        h = h + a
        return h + self.ffn(self.ln2(h))


class Trace(NamedTuple):
    r"""Internals of one forward pass over ``[BOS] + context`` (float64 numpy): ``hidden[l]`` the residual stream
    entering block :math:`l` (shape (n, d); ``hidden[L]`` the output of the last block), ``alpha[l]``
    (heads, n, n), ``attn[l]`` the attention sublayer outputs (n, d), and ``logits`` (n, V).

    Attributes
    ----------
    hidden : list of numpy.ndarray, shape (n, d) each
        The residual stream entering each block, then the last block's output.
    alpha : list of numpy.ndarray, shape (heads, n, n) each
        Attention weights per layer (probabilities).
    attn : list of numpy.ndarray, shape (n, d) each
        Attention sublayer outputs.
    logits : numpy.ndarray, shape (n, V)
        Next-token logits (nats up to a constant per row).
    """

    hidden: list
    alpha: list
    attn: list
    logits: np.ndarray


class Transformer(nn.Module, LanguageModel):
    r"""Decoder-only Transformer language model (:class:`~semtheory.channel.LanguageModel` and ``nn.Module``).

    Token ids ``0 .. vocab_size - 1``; ``BOS = vocab_size`` marks the start of the visible window.  The
    energy of the next token is :math:`E(v) = -w_v^\T \mathrm{LN}(h_t)` (:meth:`energies`), its law the
    Boltzmann law :math:`e^{-E}/Z` (:func:`semtheory.channel.boltzmann_logprobs`).  Parameters are
    initialised from ``seed`` without touching torch's global random state.  Chapter 10.

    Parameters
    ----------
    vocab_size : int
        Number of tokens :math:`V` (BOS is token ``V``).
    d_model, n_heads, n_layers : int, keyword-only
        Width, heads per layer and number of blocks.
    d_ff : int or None, keyword-only
        Feed-forward width (None: ``4 * d_model``).
    context_length : int, keyword-only, default 32
        Window :math:`L` (positions, BOS included), >= 2.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation.

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    context_length : int
        :math:`L`.
    config : dict
        The architecture's arguments.
    """

    def __init__(self, vocab_size: int, *, d_model: int = 32, n_heads: int = 2, n_layers: int = 2,
                 d_ff: int | None = None, context_length: int = 32, seed: SeedLike = 0):
        nn.Module.__init__(self)
        V = check_int(vocab_size, "vocab_size", minimum=1)
        d = check_int(d_model, "d_model", minimum=1)
        H = check_int(n_heads, "n_heads", minimum=1)
        if d % H:
            raise ValueError(f"n_heads must divide d_model, got d_model={d}, n_heads={H}")
        L = check_int(n_layers, "n_layers", minimum=1)
        dff = 4 * d if d_ff is None else check_int(d_ff, "d_ff", minimum=1)
        self.vocab_size, self.context_length = V, check_int(context_length, "context_length", minimum=2)
        self.config = dict(vocab_size=V, d_model=d, n_heads=H, n_layers=L, d_ff=dff, context_length=self.context_length)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(torch_seed(seed))
            self.embed = nn.Embedding(V + 1, d)  # + BOS
            self.pos = nn.Embedding(self.context_length, d)
            self.blocks = nn.ModuleList(Block(d, H, dff) for _ in range(L))
            self.ln_f = nn.LayerNorm(d, bias=False)
            self.unembed = nn.Linear(d, V, bias=False)  # row v is w_v
            for p in (self.embed.weight, self.pos.weight):
                nn.init.normal_(p, std=0.1)

    @property
    def bos(self) -> int:
        """The begin-of-window token id (``vocab_size``)."""
        return self.vocab_size

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        r"""Logits of shape (B, n, V) for ``[BOS] + window`` tokens (B, n), ``n <= context_length``, BOS included.

        Row :math:`t` is the law of the token after the first :math:`t+1` inputs.

        Parameters
        ----------
        tokens : torch.Tensor of int64, shape (B, n)
            ``[BOS] + window`` token ids.

        Returns
        -------
        torch.Tensor, shape (B, n, vocab_size)
            Logits (natural-log scale, unnormalised).
        """
        n = tokens.shape[1]
        h = self.embed(tokens) + self.pos.weight[:n]
        for blk in self.blocks:
            h = blk(h)
        return self.unembed(self.ln_f(h))

    # -- the LanguageModel interface -------------------------------------------------------------

    @property
    def stride(self) -> int:
        r"""How often the reading window of a long context restarts: ``context_length // 2``."""
        return max(1, self.context_length // 2)

    def window_start(self, t: int) -> int:
        r"""First position read for a context of ``t`` tokens: 0 while :math:`t < L`, else :math:`s\lceil (t-L+1)/s \rceil`.

        :math:`L` = ``context_length``, :math:`s` = :attr:`stride`; the model then sees between :math:`L-s` and
        :math:`L-1` tokens, and one causal pass over a window scores :math:`s` positions at once.

        Parameters
        ----------
        t : int
            The context length, >= 0.

        Returns
        -------
        int
            The first position read.
        """
        t = check_int(t, "t", minimum=0)
        L, s = self.context_length, self.stride
        return 0 if t < L else s * -(-(t - L + 1) // s)

    def _window(self, context) -> torch.Tensor:
        ctx = self.check_tokens(context, "context")
        ctx = ctx[self.window_start(len(ctx)):]
        return torch.as_tensor(np.concatenate([[self.bos], ctx]).astype(np.int64))[None]

    def logits(self, context: Sequence[int] = ()) -> np.ndarray:
        r"""Logits :math:`w_v^\T \mathrm{LN}(h_t)` of the next token after ``context``.  Chapter 10.

        Parameters
        ----------
        context : sequence of int, default ``()``
            The tokens read.

        Returns
        -------
        numpy.ndarray of float64, shape (vocab_size,)
            The logits (natural-log scale, unnormalised).
        """
        with torch.no_grad(), one_thread():
            return self(self._window(context))[0, -1].double().numpy()

    def energies(self, context: Sequence[int] = ()) -> np.ndarray:
        r"""Energies :math:`E(v) = -\text{logit}_v` of the next token (the Boltzmann form at :math:`T=1`).  Chapter 10.

        Parameters
        ----------
        context : sequence of int, default ``()``
            The tokens read.

        Returns
        -------
        numpy.ndarray of float64, shape (vocab_size,)
            The energies (nats at :math:`T = 1`, up to an additive constant).
        """
        return -self.logits(context)

    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r"""The next-token law :math:`\ln P(\cdot \mid \text{context})`, the Boltzmann law of :meth:`energies`.  Chapter 10.

        Parameters
        ----------
        context : sequence of int
            The tokens read (a long one through the reading window, :meth:`window_start`).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return boltzmann_logprobs(self.energies(context), 1.0)

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> np.ndarray:
        r"""Per-token :math:`\log P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), batched; equal to one call per position (to float32 round-off).

        Window :math:`k` (tokens from :math:`ks` on, :math:`s` = :attr:`stride`) is read in one causal pass and
        scores every position whose :meth:`window_start` is :math:`ks`.  Chapters 10, 14.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            :math:`\log_b P(x_t \mid \text{prompt}, x^{t-1})`, units of ``base``.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s]).astype(np.int64)
        n, L, st = len(full), self.context_length, self.stride
        t_all = np.arange(len(p), n)
        starts = np.where(t_all < L, 0, st * -(-(t_all - L + 1) // st))  # window_start, vectorised
        lp = np.empty(len(s))
        wins = np.unique(starts)
        with torch.no_grad(), one_thread():
            for b0 in range(0, len(wins), 256):
                ws = wins[b0:b0 + 256]
                x = np.full((len(ws), L), self.bos, dtype=np.int64)
                for r, a in enumerate(ws):
                    chunk = full[a:a + L - 1]
                    x[r, 1:1 + len(chunk)] = chunk
                out = torch.log_softmax(self(torch.as_tensor(x)).double(), dim=-1).numpy()
                for r, a in enumerate(ws):
                    idx = np.arange(np.searchsorted(starts, a), np.searchsorted(starts, a, side="right"))
                    t = len(p) + idx
                    lp[idx] = out[r, t - a, full[t]]
        return lp / lb

    def table(self, contexts: ArrayLike, *, start: int = 0) -> np.ndarray:
        r"""Next-token log-laws (nats) after every prefix length ``start..L`` of each row of ``contexts`` ``(B, L)``.

        Each row is read in one causal pass from BOS, batched by 1024 rows, so the window must hold the whole
        row (:math:`L + 1 \le` ``context_length``).  :func:`semtheory.core.tables.next_token_table` takes this
        route when it applies.  Equal to :meth:`next_token_logprobs` per prefix to float32 round-off.  Chapter 14.

        Parameters
        ----------
        contexts : array_like of int, shape (B, L)
            Rows of token ids in ``[0, vocab_size)``, with ``L + 1 <= context_length``.
        start : int, keyword-only, default 0
            The shortest prefix length read, ``0 <= start <= L``.

        Returns
        -------
        numpy.ndarray, shape (B, L - start + 1, vocab_size)
            Natural-log next-token probabilities (nats); row ``[b, r - start]`` follows ``contexts[b, :r]``.
        """
        ctx = as_contexts(contexts, self.vocab_size)
        B, L = ctx.shape
        if L + 1 > self.context_length:
            raise ValueError(f"contexts rows of length {L} do not fit the window (context_length = {self.context_length})")
        start = check_int(start, "start", minimum=0, maximum=L)
        out = np.empty((B, L - start + 1, self.vocab_size))
        x = np.concatenate([np.full((B, 1), self.bos, dtype=np.int64), ctx], axis=1)
        with torch.no_grad(), one_thread():
            for b0 in range(0, B, 1024):
                logits = self(torch.as_tensor(x[b0:b0 + 1024]))[:, start:].double()
                out[b0:b0 + 1024] = torch.log_softmax(logits, dim=-1).numpy()
        return out

    def trace(self, context: Sequence[int]) -> Trace:
        r"""Run ``[BOS] + context`` (at most ``context_length - 1`` tokens) in float64 and record every block's internals.

        Chapter 10.

        Parameters
        ----------
        context : sequence of int
            The tokens read, at most ``context_length - 1``.

        Returns
        -------
        Trace
            Every block's residual stream, attention weights and attention output, and the logits.
        """
        ctx = self.check_tokens(context, "context")
        if len(ctx) > self.context_length - 1:
            raise ValueError(f"context must hold at most context_length - 1 = {self.context_length - 1} tokens, got {len(ctx)}")
        m = copy.deepcopy(self).double()
        x = torch.as_tensor(np.concatenate([[self.bos], ctx]).astype(np.int64))[None]
        hidden, alpha, attn = [], [], []
        with torch.no_grad(), one_thread():
            h = m.embed(x) + m.pos.weight[: x.shape[1]]
            for blk in m.blocks:
                rec: dict = {}
                h = blk(h, record=rec)
                hidden.append(rec["h"][0].numpy())
                alpha.append(rec["alpha"][0].numpy())
                attn.append(rec["attn"][0].numpy())
            hidden.append(h[0].numpy())
            logits = m.unembed(m.ln_f(h))[0].numpy()
        return Trace(hidden, alpha, attn, logits)

    def num_parameters(self) -> int:
        """Number of trainable parameters.

        Returns
        -------
        int
            The count of scalar weights.
        """
        return sum(p.numel() for p in self.parameters())


# ==============================================================================================
# The VAR view and the key-value memory
# ==============================================================================================


class VARCoefficients(NamedTuple):
    r"""``A[i, j]`` (n, n, d, d): the coefficient of :math:`h_j` in the attention output at :math:`i` (zero for
    :math:`j > i`; with ``residual=True`` the identity is added on the diagonal), ``hidden`` (n, d) the
    :math:`h_j`, ``output`` (n, d) the sublayer output it reproduces (the attention output, or
    :math:`h_i` plus it with ``residual=True``).  Position 0 is BOS.

    Attributes
    ----------
    A : numpy.ndarray, shape (n, n, d, d)
        :math:`A_{ij}` (zero for :math:`j > i`).
    hidden : numpy.ndarray, shape (n, d)
        The :math:`h_j`.
    output : numpy.ndarray, shape (n, d)
        The sublayer output the coefficients reproduce.
    """

    A: np.ndarray
    hidden: np.ndarray
    output: np.ndarray


def var_coefficients(model: Transformer, context: Sequence[int], layer: int = 0, *,
                     residual: bool = False) -> VARCoefficients:
    r"""The time-varying VAR coefficients :math:`A_{ij}` of layer ``layer``'s attention sublayer on ``context``.

    .. math:: h_i^{\mathrm{att}} = \sum_{j\le i} A_{ij} h_j,\qquad
              A_{ij} = \sum_h \alpha^h_{ij} W_O^h W_V^h \operatorname{diag}(\gamma) P/\sigma_j

    (float64; ``residual=True`` returns :math:`\delta_{ij}I + A_{ij}`, the coefficients of
    :math:`h_i + h_i^{\mathrm{att}}`).  :math:`\sum_j A_{ij}h_j` equals the sublayer output to round-off.
    Chapter 10.

    Parameters
    ----------
    model : Transformer
        The model.
    context : sequence of int
        Tokens read after BOS.
    layer : int, default 0
        The block.
    residual : bool, keyword-only, default False
        Add the identity (the residual connection).

    Returns
    -------
    VARCoefficients
        Coefficients, hidden states and output (float64, no units).
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    layer = check_int(layer, "layer", minimum=0, maximum=len(model.blocks) - 1)
    check_flag(residual, "residual")
    tr = model.trace(context)
    blk = model.blocks[layer]
    h, alpha = tr.hidden[layer], tr.alpha[layer]
    n, d = h.shape
    Hn, dk = blk.attn.n_heads, blk.attn.d_k
    W_O = blk.attn.W_O.weight.detach().double().numpy()
    W_V = blk.attn.W_V.weight.detach().double().numpy()
    gamma = blk.ln1.weight.detach().double().numpy()
    P = np.eye(d) - 1.0 / d
    sigma = np.sqrt(((h - h.mean(axis=1, keepdims=True)) ** 2).mean(axis=1) + blk.ln1.eps)
    M = np.stack([W_O[:, k * dk:(k + 1) * dk] @ W_V[k * dk:(k + 1) * dk] for k in range(Hn)]) * gamma @ P  # (H, d, d)
    A = np.einsum("hij,hab->ijab", alpha, M) / sigma[None, :, None, None]
    out = tr.attn[layer]
    if residual:
        A = A + np.eye(n)[:, :, None, None] * np.eye(d)
        out = h + out
    return VARCoefficients(A, h, out)


def ffn_memory(model: Transformer, layer: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""The feed-forward layer as a key–value memory: ``(keys (d_ff, d), key_bias (d_ff,), values (d_ff, d), value_bias (d,))``.

    :math:`\mathrm{FFN}(u) = \sum_m \mathrm{GELU}(k_m^\T u + b_m)\, v_m + c`.  Chapter 10.

    Parameters
    ----------
    model : Transformer
        The model.
    layer : int, default 0
        The block.

    Returns
    -------
    tuple of numpy.ndarray
        ``(keys, key_bias, values, value_bias)``, float64.
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    layer = check_int(layer, "layer", minimum=0, maximum=len(model.blocks) - 1)
    f = model.blocks[layer].ffn
    g = lambda t: t.detach().double().numpy().copy()  # noqa: E731
    return g(f.keys.weight), g(f.keys.bias), g(f.values.weight).T.copy(), g(f.values.bias)


def ffn_nonlinearity(model: Transformer, tokens: Sequence[int], layer: int = 0) -> float:
    r"""How far layer ``layer``'s feed-forward block is from affine on ``tokens``: :math:`1 - R^2` of the best affine fit.

    ``tokens`` is cut into windows of ``context_length - 1`` tokens (each read after BOS); at every position the
    block's input :math:`u_i = \mathrm{LN}_2(h_i + h_i^{\mathrm{att}})` and output :math:`f_i = \mathrm{FFN}(u_i)`
    are recorded (float64), and the least-squares affine map :math:`f \approx Gu + c` is fitted.  Returns
    :math:`\sum_i \lVert f_i - Gu_i - c\rVert^2 / \sum_i \lVert f_i - \bar f\rVert^2 \in [0, 1]`: 0 for an affine
    block, larger the more nonlinear it is on the data (the part that is not a VAR term, chapter 10).

    Parameters
    ----------
    model : Transformer
        The model.
    tokens : sequence of int
        The data the block is read on.
    layer : int, default 0
        The block.

    Returns
    -------
    float
        :math:`1 - R^2` of the affine fit, in :math:`[0, 1]` (no units).
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    layer = check_int(layer, "layer", minimum=0, maximum=len(model.blocks) - 1)
    toks = model.check_tokens(tokens, "tokens")
    L = model.context_length - 1
    n = len(toks) // L
    if n < 1:
        raise ValueError(f"tokens must hold at least context_length - 1 = {L} tokens, got {len(toks)}")
    x = np.concatenate([np.full((n, 1), model.bos), toks[: n * L].reshape(n, L)], axis=1).astype(np.int64)
    m = copy.deepcopy(model).double()
    with torch.no_grad(), one_thread():
        h = m.embed(torch.as_tensor(x)) + m.pos.weight[: L + 1]
        for blk in m.blocks[:layer]:
            h = blk(h)
        blk = m.blocks[layer]
        h = h + blk.attn(blk.ln1(h))
        u = blk.ln2(h)
        f = blk.ffn(u)
    d = u.shape[-1]
    U, Fo = u.reshape(-1, d).numpy(), f.reshape(-1, d).numpy()
    Ua = np.hstack([U, np.ones((len(U), 1))])
    coef, *_ = np.linalg.lstsq(Ua, Fo, rcond=None)
    total = float(((Fo - Fo.mean(axis=0)) ** 2).sum())
    if total == 0.0:
        return 0.0
    return float(((Fo - Ua @ coef) ** 2).sum() / total)


# ==============================================================================================
# Training
# ==============================================================================================


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

    def batch_loss(gen):
        i = torch.randint(0, x.numel() - L + 1, (batch_size,), generator=gen)
        win = x[i[:, None] + torch.arange(L)]
        logits = model(torch.cat([bos, win[:, :-1]], dim=1))
        return F.cross_entropy(logits.reshape(-1, model.vocab_size), win.reshape(-1))

    return minimise(model, batch_loss, steps, lr=lr, seed=seed, threads=threads)


# ==============================================================================================
# Cheap, reproducible pre-trained models for later chapters
# ==============================================================================================


def trainer(*, steps: int = 200, seed: SeedLike = 0, d_model: int = 16, n_heads: int = 2, n_layers: int = 1,
            context_length: int = 16, lr: float = 1e-2) -> Callable[[np.ndarray, int], "Transformer"]:
    r"""A ``fit(tokens, vocab_size)`` that builds a :class:`Transformer` and :func:`train`\ s it on ``tokens``.

    For code that takes "a way to train a predictor" (chapter 8's
    :func:`semtheory.granger.granger_by_training`): each call builds a fresh model with the given shape and
    ``seed`` and trains it for ``steps`` Adam steps at learning rate ``lr`` with the same seed, so equal
    streams give identical models.  Chapters 8, 10.

    Parameters
    ----------
    steps : int, keyword-only, default 200
        Training steps of each model, >= 1.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the batches (a Generator gives one draw, shared by every call).
    d_model, n_heads, n_layers, context_length : int, keyword-only
        The Transformer's shape (defaults 16, 2, 1, 16).
    lr : float, keyword-only, default 0.01
        Peak learning rate.

    Returns
    -------
    callable
        ``fit(tokens, vocab_size) -> Transformer``, trained.

    Examples
    --------
    >>> from semtheory import transformer
    >>> fit = transformer.trainer(steps=2, d_model=4, context_length=4)
    >>> fit([0, 1, 0, 1, 0, 1, 0, 1], 2).vocab_size
    2
    """
    steps = check_int(steps, "steps", minimum=1)
    seed = torch_seed(seed)
    lr = check_positive(lr, "lr")
    shape = dict(d_model=d_model, n_heads=n_heads, n_layers=n_layers, context_length=context_length)
    Transformer(2, seed=seed, **shape)  # the shape is checked once, here

    def fit(tokens, vocab_size: int) -> Transformer:
        model = Transformer(vocab_size, seed=seed, **shape)
        train(model, tokens, steps, lr=lr, seed=seed)
        return model

    return fit


def markov_source(*, seed: SeedLike = 0) -> MarkovSource:
    r"""The chapter's source with a known entropy rate: an order-2 Markov chain on 4 symbols, rows Dirichlet(0.3).

    A :class:`semtheory.sources.MarkovSource` drawn with ``seed`` (``MarkovSource.random(4, order=2,
    concentration=0.3)``): predicting it needs the last *two* tokens, so attention must look back.
    ``seed`` is an int >= 0, a numpy ``Generator`` or ``None`` (fresh entropy), turned into torch's int seed by ``semtheory._validate.torch_seed``.  Chapter 10.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, default 0
        Seed of the Dirichlet rows.

    Returns
    -------
    semtheory.sources.MarkovSource
        The order-2 source on 4 symbols.
    """
    from .sources import MarkovSource

    return MarkovSource.random(4, order=2, seed=torch_seed(seed), concentration=0.3)


def pretrained_on_markov(*, seed: SeedLike = 0, source_seed: int = 0, steps: int = 300, batch_size: int = 32,
                         lr: float = 5e-3, n_train: int = 40_000, n_test: int = 20_000, d_model: int = 32,
                         n_layers: int = 2, n_heads: int = 2, context_length: int = 16) -> Pretrained:
    r"""A Transformer trained on :func:`markov_source` ``(source_seed)``: a few seconds on one CPU thread, cached in-process.

    Train and test streams are independent samples of the source (seeds ``2 * seed + 1`` and ``2 * seed + 2``);
    the model is initialised and trained (:func:`train`) with ``seed``.  The same arguments always give
    identical weights; each call returns a fresh copy (safe to modify).  ``seed`` (keyword-only) is an int >= 0, a
    numpy ``Generator`` or ``None``, turned into one int first.  Chapters 10, 14, 15.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the training batches.
    source_seed : int, keyword-only, default 0
        Seed of :func:`markov_source`.
    steps, batch_size, lr : keyword-only
        Training, as in :func:`train`.
    n_train, n_test : int, keyword-only
        Lengths of the training and test streams.
    d_model, n_layers, n_heads, context_length : int, keyword-only
        The architecture, as in :class:`Transformer`.

    Returns
    -------
    Pretrained
        A fresh copy: the model, its streams, the training run, and the test cross-entropy (bits per token).
    """
    seed = torch_seed(seed)
    source_seed = check_int(source_seed, "source_seed", minimum=0)
    context_length = check_int(context_length, "context_length", minimum=1)
    steps, batch_size = check_int(steps, "steps", minimum=1), check_int(batch_size, "batch_size", minimum=1)
    lr, n_layers = check_positive(lr, "lr"), check_int(n_layers, "n_layers", minimum=1)
    d_model, n_train = check_int(d_model, "d_model", minimum=1), check_int(n_train, "n_train", minimum=context_length)
    n_test = check_int(n_test, "n_test", minimum=1)
    n_heads = check_int(n_heads, "n_heads", minimum=1)
    key = ("markov", seed, source_seed, steps, batch_size, lr, n_train, n_test, d_model, n_layers, n_heads, context_length)

    def build():
        src = markov_source(seed=source_seed)
        tr = src.sample(check_int(n_train, "n_train", minimum=context_length), seed=2 * seed + 1)
        te = src.sample(check_int(n_test, "n_test", minimum=1), seed=2 * seed + 2)
        m = Transformer(src.vocab_size, d_model=d_model, n_heads=n_heads, n_layers=n_layers,
                        context_length=context_length, seed=seed)
        res = train(m, tr, steps, batch_size=batch_size, lr=lr, seed=seed)
        return Pretrained(m, src, tr, te, res, m.cross_entropy(te, base=2), src.entropy_rate(base=2))

    return cached(key, build)


def pretrained_on_english(*, seed: SeedLike = 0, steps: int = 400, batch_size: int = 32, lr: float = 1e-2,
                          n_train: int = 200_000, n_test: int = 4_000, d_model: int = 48, n_layers: int = 2,
                          n_heads: int = 4, context_length: int = 32) -> Pretrained:
    r"""A byte-level Transformer (vocabulary 256) trained on the book's English corpus, cached in-process.

    The first ``n_train`` bytes of :func:`semtheory.sources.english_corpus` (UTF-8) are the training stream,
    the next ``n_test`` the test stream.  ``entropy_rate`` is ``None`` (unknown for real text).  ``seed``
    (keyword-only) is an int >= 0, a numpy ``Generator`` or ``None``, turned into one int first.  Chapters 10, 14.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the training batches.
    steps, batch_size, lr : keyword-only
        Training, as in :func:`train`.
    n_train, n_test : int, keyword-only
        Bytes of the training and test streams.
    d_model, n_layers, n_heads, context_length : int, keyword-only
        The architecture, as in :class:`Transformer`.

    Returns
    -------
    Pretrained
        A fresh copy: the model, its streams, the training run, and the test cross-entropy (bits per token).
    """
    seed = torch_seed(seed)
    key = ("english", seed, steps, batch_size, lr, n_train, n_test, d_model, n_layers, n_heads, context_length)

    def build():
        from .sources import english_corpus

        n1 = check_int(n_train, "n_train", minimum=context_length)
        n2 = check_int(n_test, "n_test", minimum=1)
        data = np.frombuffer(english_corpus().encode("utf-8"), dtype=np.uint8).astype(np.int64)
        if data.size < n1 + n2:
            raise ValueError(f"n_train + n_test = {n1 + n2} exceeds the corpus ({data.size} bytes)")
        tr, te = data[:n1].copy(), data[n1:n1 + n2].copy()
        m = Transformer(256, d_model=d_model, n_heads=n_heads, n_layers=n_layers, context_length=context_length, seed=seed)
        res = train(m, tr, steps, batch_size=batch_size, lr=lr, seed=seed)
        return Pretrained(m, None, tr, te, res, m.cross_entropy(te, base=2), None)

    return cached(key, build)
