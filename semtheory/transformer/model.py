r"""The pieces: attention, feed-forward, block and the :class:`Transformer` itself (chapter 10).

Part of :mod:`semtheory.transformer`, which re-exports its public names.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np
from .._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.transformer")
nn = torch.nn
F = torch.nn.functional

from .._validate import check_int, log_base, torch_seed
from ..channel import LanguageModel, boltzmann_logprobs
from ..core.tables import as_contexts
from ..core.torchloop import one_thread

if TYPE_CHECKING:
    from ..core.types import ArrayLike, SeedLike

__all__ = ["causal_mask", "CausalSelfAttention", "FeedForward", "Block", "Trace", "Transformer"]




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


_HIDDEN: dict = {}  # (mask function, n) -> ~mask(n), so a forward pass does not rebuild it


def _hidden(n: int) -> torch.Tensor:
    """``~causal_mask(n)`` (``True`` where key :math:`j > i` is hidden), built once per ``n`` (read-only)."""
    key = (causal_mask, n)  # the module's causal_mask at call time (a test may replace it)
    m = _HIDDEN.get(key)
    if m is None:
        with torch.inference_mode(False):  # a normal tensor even if first built for inference (training saves it)
            m = _HIDDEN[key] = ~causal_mask(n)
    return m


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
        alpha = scores.masked_fill(_hidden(n), float("-inf")).softmax(dim=-1)
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
        with torch.inference_mode(), one_thread():
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
        with torch.inference_mode(), one_thread():
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
        with torch.inference_mode(), one_thread():
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
        with torch.inference_mode(), one_thread():
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
