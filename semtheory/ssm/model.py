r"""A small Mamba-style language model: the residual block (Mamba or Mamba-2 mixer), the model, and its
fixed-size state (chapter 15)."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from .._validate import check_int, log_base, torch_seed
from ..channel import LanguageModel, boltzmann_logprobs
from ..core.torchloop import one_thread
from ..core.types import FloatArray, SeedLike
from ._common import (
    F,
    nn,
    selective_scan_unchecked,
    ssd_chunked_unchecked,
    ssd_recurrent_unchecked,
    torch,
)


class SSMState(NamedTuple):
    r"""The fixed-size state of :class:`MambaLM` after reading some tokens: ``layers`` (per layer, the convolution
    buffer (1, E, d_conv - 1) and the SSM state: (1, E, N) for Mamba, (1, H, N, P) for Mamba-2; the leading axis
    is a batch of one) and ``logprobs`` (the next-token law, a function of the state).  Its size does not grow
    with the context.

    Attributes
    ----------
    layers : tuple
        Per layer, (convolution buffer, SSM state), torch tensors with a leading batch axis of 1
        (:meth:`MambaBlock.empty_state`).
    logprobs : ndarray, shape (V,)
        Next-token log-probabilities (nats).
    """

    layers: tuple
    logprobs: FloatArray


class MambaBlock(nn.Module):
    r"""One residual Mamba block: :math:`h \leftarrow h + W_{out}\bigl(\mathrm{SSM}(\mathrm{silu}(\mathrm{conv}(x))) \cdot \mathrm{silu}(z)\bigr)`, :math:`(x, z) = W_{in}\mathrm{LN}(h)`.

    ``mixer="mamba"``: per-channel diagonal state (:func:`selective_scan`), :math:`\Delta_t =
    \mathrm{softplus}(W_\Delta x_t + b)` per channel, :math:`B_t = W_B x_t`, :math:`C_t = W_C x_t`.
    ``mixer="mamba2"``: heads of width ``head_dim`` with scalar decays :math:`a_t = e^{\Delta_t A_h}`
    (:func:`ssd_chunked`), :math:`B_t, C_t` shared by all heads.  :math:`A = -e^{A_{\log}}` (S4D-real
    initialisation :math:`A_{\log} = \log n`).  ``discretization`` sets the input map: ``"euler"`` (default,
    as in the reference implementation of both Mamba and Mamba-2) :math:`\bar B_t = \Delta_t B_t`, or
    ``"zoh"`` :math:`\bar B_t = (e^{\Delta_t A}-1)/A \cdot B_t`; the decay is :math:`e^{\Delta_t A}` in both.
    Chapter 15.

    Parameters
    ----------
    d_model : int
        Width of the residual stream.
    d_state : int, keyword-only, default 8
        State size :math:`N`.
    expand : int, keyword-only, default 2
        Inner width ``expand * d_model``.
    d_conv : int, keyword-only, default 4
        Causal convolution length.
    mixer : {"mamba", "mamba2"}, keyword-only, default "mamba"
        Selective scan or scalar-decay SSD.
    head_dim : int, keyword-only, default 16
        Head width :math:`P` (Mamba-2).
    discretization : {"euler", "zoh"}, keyword-only, default "euler"
        Input map.
    """

    def __init__(self, d_model: int, *, d_state: int = 8, expand: int = 2, d_conv: int = 4, mixer: str = "mamba",
                 head_dim: int = 16, discretization: str = "euler") -> None:
        super().__init__()
        if mixer not in ("mamba", "mamba2"):
            raise ValueError(f"mixer must be 'mamba' or 'mamba2', got {mixer!r}")
        if discretization not in ("euler", "zoh"):
            raise ValueError(f"discretization must be 'euler' or 'zoh', got {discretization!r}")
        self.discretization = discretization
        d, N = check_int(d_model, "d_model", minimum=1), check_int(d_state, "d_state", minimum=1)
        expand, d_conv = check_int(expand, "expand", minimum=1), check_int(d_conv, "d_conv", minimum=1)
        head_dim = check_int(head_dim, "head_dim", minimum=1)  # checked on every path, used by mamba2
        E = expand * d
        self.mixer, self.d_inner, self.d_state, self.d_conv = mixer, E, N, d_conv
        self.ln = nn.LayerNorm(d, bias=False)
        self.conv = nn.Conv1d(E, E, d_conv, groups=E)  # depthwise, made causal by left padding
        self.out_proj = nn.Linear(E, d, bias=False)
        if mixer == "mamba":
            self.dt_rank = max(1, math.ceil(d / 16))
            self.in_proj = nn.Linear(d, 2 * E, bias=False)
            self.x_proj = nn.Linear(E, self.dt_rank + 2 * N, bias=False)
            self.dt_proj = nn.Linear(self.dt_rank, E)
            self.A_log = nn.Parameter(torch.log(torch.arange(1, N + 1, dtype=torch.float32)).repeat(E, 1))
            self.D = nn.Parameter(torch.ones(E))
            n_dt = E
        else:
            if E % head_dim:
                raise ValueError(f"head_dim must divide expand * d_model = {E}, got {head_dim}")
            self.n_heads, self.head_dim = E // head_dim, head_dim
            self.in_proj = nn.Linear(d, 2 * E + 2 * N + self.n_heads, bias=False)
            self.A_log = nn.Parameter(torch.log(torch.arange(1, self.n_heads + 1, dtype=torch.float32)))
            self.D = nn.Parameter(torch.ones(self.n_heads))
            n_dt = self.n_heads
        with torch.no_grad():  # step sizes initialised log-uniformly in [1e-3, 1e-1], as in Mamba
            dt = torch.exp(torch.rand(n_dt) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
            inv_softplus = dt + torch.log(-torch.expm1(-dt))
            if mixer == "mamba":
                self.dt_proj.bias.copy_(inv_softplus)
            else:
                self.dt_bias = nn.Parameter(inv_softplus.clone())

    def _params(self, u, conv_in):
        """Everything but the recurrence, for all positions at once. ``conv_in`` (B, E, d_conv-1+L)."""
        E, N = self.d_inner, self.d_state
        x = F.silu(F.conv1d(conv_in, self.conv.weight, self.conv.bias, groups=E).transpose(1, 2))  # (B, L, E)
        if self.mixer == "mamba":
            dt, B, C = self.x_proj(x).split([self.dt_rank, N, N], dim=-1)
            delta = F.softplus(self.dt_proj(dt))
            return x, delta, B, C
        return x, None, None, None

    def forward(self, h: torch.Tensor, state: tuple | None = None) -> torch.Tensor | tuple[torch.Tensor, tuple]:
        r"""One residual block on ``h``: :math:`h + W_{out}\bigl(y \cdot \mathrm{silu}(z)\bigr)`, :math:`y` the SSM of :math:`\mathrm{silu}(\mathrm{conv}(x))`.  Chapter 15.

        :math:`(x, z) = W_{in}\mathrm{LN}(h)`.  Mamba: :math:`y_t = C_t^\T h_t + D x_t` with
        :math:`h_t = e^{\Delta_t A} \circ h_{t-1} + \bar B_t x_t` per channel (:func:`selective_scan`); Mamba-2:
        :math:`H_t = a_t H_{t-1} + \bar B_t x_t^\T`, :math:`y_t = H_t^\T C_t + D x_t` per head
        (:func:`ssd_chunked` when ``state`` is ``None``, :func:`ssd_recurrent` otherwise).  Without ``state`` the
        convolution and the SSM start from zero; with it they go on from it, so reading a sequence in two
        pieces, passing the state returned by the first, gives the outputs of one pass (to round-off).

        Parameters
        ----------
        h : torch.Tensor, shape (B, L, d_model)
            The residual stream.
        state : tuple of torch.Tensor or None, default None
            The block's state to start from, ``(convolution buffer, SSM state)`` shaped as
            ``empty_state(B)`` (:meth:`empty_state`); ``None``: the zero state, and no state returned.

        Returns
        -------
        torch.Tensor or tuple
            The residual stream after the block, shape ``(B, L, d_model)``; with ``state``, the pair of it and
            the block's final state ``(convolution buffer, SSM state)``, shapes as in :meth:`empty_state`.
        """
        Bt, L, _ = h.shape
        E, N = self.d_inner, self.d_state
        proj = self.in_proj(self.ln(h))
        if self.mixer == "mamba":
            xin, z = proj.split([E, E], dim=-1)
        else:
            z, xin, Bm, Cm, dt = proj.split([E, E, N, N, self.n_heads], dim=-1)
        buf = h.new_zeros(Bt, E, self.d_conv - 1) if state is None else state[0]
        conv_in = torch.cat([buf, xin.transpose(1, 2)], dim=-1)
        new_buf = conv_in[..., conv_in.shape[-1] - (self.d_conv - 1):]
        h0 = None if state is None else state[1]
        if self.mixer == "mamba":
            x, delta, Bm, Cm = self._params(h, conv_in)
            A = -torch.exp(self.A_log)
            y, hT = selective_scan_unchecked(x, delta, A, Bm, Cm, self.D, h0=h0, method=self.discretization)
        else:
            x = self._params(h, conv_in)[0]
            A = -torch.exp(self.A_log)  # (H,)
            delta = F.softplus(dt + self.dt_bias)  # (B, L, H)
            a = torch.exp(delta * A)  # scalar decay per head and step
            gain = delta if self.discretization == "euler" else torch.expm1(delta * A) / A  # input gain
            xh = x.view(Bt, L, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, L, P)
            xs = xh * gain.transpose(1, 2)[..., None]
            Bh = Bm[:, None].expand(Bt, self.n_heads, L, N)
            Ch = Cm[:, None].expand(Bt, self.n_heads, L, N)
            at = a.transpose(1, 2)
            if state is None:
                yh, hT = ssd_chunked_unchecked(xs, at, Bh, Ch, chunk=min(64, max(L, 1))), None
            else:
                yh, hT = ssd_recurrent_unchecked(xs, at, Bh, Ch, h0=h0)
            yh = yh + xh * self.D[:, None, None]
            y = yh.transpose(1, 2).reshape(Bt, L, E)
        out = h + self.out_proj(y * F.silu(z))
        return out if state is None else (out, (new_buf, hT))

    def empty_state(self, batch_size: int = 1, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
        """The zero state (convolution buffer, SSM state) before any input.  Chapter 15.

        Parameters
        ----------
        batch_size : int, default 1
            Number of sequences in the batch.
        dtype : torch.dtype, default torch.float32
            The tensors' dtype.

        Returns
        -------
        tuple of torch.Tensor
            The convolution buffer, shape ``(batch_size, d_inner, d_conv - 1)``, and the SSM state, shape
            ``(batch_size, d_inner, d_state)`` (Mamba) or ``(batch_size, n_heads, d_state, head_dim)`` (Mamba-2).
        """
        E, N = self.d_inner, self.d_state
        hs = (batch_size, E, N) if self.mixer == "mamba" else (batch_size, self.n_heads, N, self.head_dim)
        return (torch.zeros(batch_size, E, self.d_conv - 1, dtype=dtype), torch.zeros(hs, dtype=dtype))


class MambaLM(nn.Module, LanguageModel):
    r"""A small Mamba language model (:class:`~semtheory.channel.LanguageModel` and ``nn.Module``).

    Token embedding (ids ``0 .. vocab_size - 1`` plus ``BOS = vocab_size`` read first), ``n_layers``
    :class:`MambaBlock` s, a final layer norm and an unembedding :math:`w_v`: the energy of token :math:`v` is
    :math:`E(v) = -w_v^\T \mathrm{LN}(h_t)` and the next-token law the Boltzmann law at :math:`T = 1`.  No
    position embedding: order enters through the recurrence.  The whole context is read (no window), yet
    the state (:class:`SSMState`) has a fixed size, :meth:`state_size` numbers.  ``context_length`` is only
    the training window of :func:`train`.  Initialised from ``seed`` without touching the global RNG.
    Chapter 15.

    Parameters
    ----------
    vocab_size : int
        :math:`V` tokens.
    d_model, n_layers, d_state, expand, d_conv, mixer, head_dim, discretization : keyword-only
        Block configuration (:class:`MambaBlock`).
    context_length : int, keyword-only, default 16
        Training window of :func:`train`.
    seed : int, numpy Generator or None, keyword-only, default 0
        Initialisation seed.
    """

    def __init__(self, vocab_size: int, *, d_model: int = 32, n_layers: int = 2, d_state: int = 8, expand: int = 2,
                 d_conv: int = 4, mixer: str = "mamba", head_dim: int = 16, context_length: int = 16, seed: SeedLike = 0,
                 discretization: str = "euler") -> None:
        nn.Module.__init__(self)
        V = check_int(vocab_size, "vocab_size", minimum=1)
        d = check_int(d_model, "d_model", minimum=1)
        nl = check_int(n_layers, "n_layers", minimum=1)
        N = check_int(d_state, "d_state", minimum=1)
        ex = check_int(expand, "expand", minimum=1)
        dc = check_int(d_conv, "d_conv", minimum=1)
        hd = check_int(head_dim, "head_dim", minimum=1)
        if mixer not in ("mamba", "mamba2"):
            raise ValueError(f"mixer must be 'mamba' or 'mamba2', got {mixer!r}")
        if mixer == "mamba2" and (ex * d) % hd:
            raise ValueError(f"head_dim must divide expand * d_model = {ex * d}, got {hd}")
        if discretization not in ("euler", "zoh"):
            raise ValueError(f"discretization must be 'euler' or 'zoh', got {discretization!r}")
        self.vocab_size, self.context_length = V, check_int(context_length, "context_length", minimum=2)
        self.config = dict(vocab_size=V, d_model=d, n_layers=nl, d_state=N, expand=ex, d_conv=dc, mixer=mixer,
                           head_dim=hd, context_length=self.context_length, discretization=discretization)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(torch_seed(seed))
            self.embed = nn.Embedding(V + 1, d)
            self.blocks = nn.ModuleList(MambaBlock(d, d_state=N, expand=ex, d_conv=dc, mixer=mixer, head_dim=hd,
                                                   discretization=discretization) for _ in range(nl))
            self.ln_f = nn.LayerNorm(d, bias=False)
            self.unembed = nn.Linear(d, V, bias=False)
            nn.init.normal_(self.embed.weight, std=0.1)

    @property
    def bos(self) -> int:
        """The begin-of-sequence token id (``vocab_size``)."""
        return self.vocab_size

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        r"""Logits :math:`w_v^\T \mathrm{LN}(h_t)` of shape (B, n, V) for token ids (B, n), BOS first, in one pass.

        Row :math:`t` is the law of the token after the first :math:`t+1` inputs; there is no window, every
        input is read.  Chapter 15.

        Parameters
        ----------
        tokens : torch.Tensor of int64, shape (B, n)
            Token ids in ``[0, vocab_size]``, each row starting with BOS (``vocab_size``).

        Returns
        -------
        torch.Tensor, shape (B, n, vocab_size)
            Logits (natural-log scale, unnormalised).
        """
        h = self.embed(tokens)
        for blk in self.blocks:
            h = blk(h)
        return self.unembed(self.ln_f(h))

    def _full(self, context: Sequence[int]) -> torch.Tensor:
        ctx = self.check_tokens(context, "context")
        return torch.as_tensor(np.concatenate([[self.bos], ctx]).astype(np.int64))[None]

    def logits(self, context: Sequence[int] = ()) -> FloatArray:
        r"""Logits :math:`w_v^\T \mathrm{LN}(h_t)` of the next token after the whole ``context`` (no window).  Chapter 15.

        Parameters
        ----------
        context : sequence of int, default ``()``
            The tokens read (after BOS).

        Returns
        -------
        numpy.ndarray of float64, shape (vocab_size,)
            The logits (natural-log scale, unnormalised).
        """
        with torch.no_grad(), one_thread():
            return self(self._full(context))[0, -1].double().numpy()

    def energies(self, context: Sequence[int] = ()) -> FloatArray:
        r"""Energies :math:`E(v) = -\text{logit}_v` of the next token (the Boltzmann form at :math:`T=1`).  Chapter 15.

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

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        r"""The next-token law :math:`\ln P(v \mid \text{context}) = -E(v) - \ln Z`, the Boltzmann law of :meth:`energies`.  Chapter 15.

        One pass over ``[BOS] + context``, the whole of it (no window).

        Parameters
        ----------
        context : sequence of int
            The tokens read.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return boltzmann_logprobs(self.energies(context), 1.0)

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> FloatArray:
        r"""Per-token :math:`\log P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default) from one pass over the whole sequence.

        Equal to :meth:`next_token_logprobs` at every position, divided by :math:`\ln b` (to float32 round-off).
        Chapter 15.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            :math:`\log_b P(x_t \mid \text{prompt}, x^{t-1})`, units of ``base``.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        if len(s) == 0:
            return np.empty(0)
        full = np.concatenate([[self.bos], p, s[:-1]]).astype(np.int64)
        with torch.no_grad(), one_thread():
            out = torch.log_softmax(self(torch.as_tensor(full)[None])[0, len(p):].double(), dim=-1).numpy()
        return out[np.arange(len(s)), s] / lb

    # -- the fixed-size state ---------------------------------------------------------------------

    def _step(self, layers: tuple, token: int) -> SSMState:
        with torch.no_grad(), one_thread():
            h = self.embed(torch.tensor([[token]]))
            new = []
            for blk, st in zip(self.blocks, layers):
                h, st2 = blk(h, st)
                new.append(st2)
            lp = torch.log_softmax(self.unembed(self.ln_f(h))[0, -1].double(), dim=-1).numpy()
        return SSMState(tuple(new), lp)

    def initial_state(self, prompt: Sequence[int] = ()) -> SSMState:
        r"""The state :math:`S_0` after reading ``BOS`` and ``prompt``, one token at a time (:meth:`next_state`).  Chapter 15.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read after BOS.

        Returns
        -------
        SSMState
            Every layer's convolution buffer and SSM state, and the next-token log-law (nats); its size is
            :meth:`state_size` whatever the length of ``prompt``.
        """
        p = self.check_tokens(prompt, "prompt")
        st = self._step(tuple(b.empty_state() for b in self.blocks), self.bos)
        for v in p:
            st = self._step(st.layers, int(v))
        return st

    def next_state(self, state: SSMState, token: int) -> SSMState:
        r"""One recurrent step :math:`S_t = f(S_{t-1}, x_t)`: the state's size does not change.  Chapter 15.

        Parameters
        ----------
        state : SSMState
            The state :math:`S_{t-1}` (from :meth:`initial_state` or :meth:`next_state`).
        token : int
            The token :math:`x_t`, in ``range(vocab_size)``.

        Returns
        -------
        SSMState
            The state :math:`S_t`, with the next-token log-law (nats).
        """
        if not isinstance(state, SSMState):
            raise ValueError(f"state must be an SSMState, got {type(state).__name__}")
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        return self._step(state.layers, tok)

    def state_logprobs(self, state: SSMState) -> FloatArray:
        r"""The next-token law :math:`\ln P(\cdot \mid S)` held in the state: a function of the state alone.  Chapter 15.

        After ``initial_state(context)`` it equals :meth:`next_token_logprobs` ``(context)`` to float32 round-off.

        Parameters
        ----------
        state : SSMState
            A state of this model.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats), a copy.
        """
        if not isinstance(state, SSMState):
            raise ValueError(f"state must be an SSMState, got {type(state).__name__}")
        return state.logprobs.copy()

    def state_size(self) -> int:
        r"""Numbers in the recurrent state: :math:`\sum_\text{layers} E(d_{conv} - 1) + E N`, independent of the context.  Chapter 15.

        :math:`E` = ``expand * d_model``; the SSM state holds :math:`E N` numbers in both mixers (Mamba-2:
        :math:`H` heads of :math:`N \times P`, :math:`HP = E`).

        Returns
        -------
        int
            The count of numbers in the convolution buffers and SSM states of every layer.
        """
        return sum(t.numel() for b in self.blocks for t in b.empty_state())

    def num_parameters(self) -> int:
        """Number of trainable parameters.

        Returns
        -------
        int
            The count of scalar weights.
        """
        return sum(p.numel() for p in self.parameters())
