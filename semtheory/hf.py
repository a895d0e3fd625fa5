r"""A Hugging Face causal language model as the book's :class:`~semtheory.channel.LanguageModel`.

:class:`CausalLM` wraps any ``transformers`` ``AutoModelForCausalLM`` (GPT-2, Llama, Qwen, ...) and,
optionally, its tokenizer.  Next-token log-probabilities come from the real model: one causal pass per
batch of contexts, the KV cache for token-by-token generation, on ``device`` ("cpu", "cuda", ...), in the
model's own dtype, with the log-softmax taken in float64 on the logits cast from the model's dtype (never
a half-precision softmax).  Because the wrapper is a ``LanguageModel``, the book's measures run on it
unchanged: the flow and the directed information of :mod:`semtheory.semantic` (exact on enumerable laws,
Monte Carlo with standard errors otherwise), the perplexity report, the state protocol of chapter 4.

Every context starts with a beginning-of-sequence token (``bos_token_id``: the tokenizer's, else the
model config's BOS or EOS), so the first token of a text has a probability too; it is read, never
scored.  Log-probabilities are in nats, as everywhere in the ``LanguageModel`` protocol; the text
measures take ``base=2``.

Nothing is downloaded: :func:`load` takes a local folder or a name already in the local Hugging Face
cache and sets ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE``, so a missing model fails at once with a clear
error.  Needs the ``hf`` extra (``transformers``, ``tokenizers``, ``safetensors``) and ``torch``.
Chapter 14 ("On your own model") and ``python -m semtheory.measure``.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence

import numpy as np

from ._extras import require
from ._validate import as_array as _asarray
from ._validate import as_rng, check_int, log_base
from .channel import LanguageModel
from .core.types import ArrayLike, SeedLike

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

torch = require("torch", "hf", needed_by="semtheory.hf")

__all__ = ["CausalLM", "load", "TextMeasures", "text_measures", "SourceTextReport", "source_text_report",
           "attention_maps", "AttentionMaps"]


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _transformers():
    _offline()
    return require("transformers", "hf", needed_by="semtheory.hf")


class CausalLM(LanguageModel):
    r"""A ``transformers`` causal LM as a :class:`~semtheory.channel.LanguageModel` over its token ids.

    ``model`` is a ``PreTrainedModel`` with a causal-LM head; ``tokenizer`` (optional) turns texts into
    ids for :func:`text_measures`.  ``device`` moves the model (default: where it is).  ``batch_size``
    bounds the contexts read in one pass.  ``bos_token_id`` is prepended to every context.

    :meth:`next_token_logprobs` (nats, float64) reuses the KV cache of the previous call when the new
    context extends it by one token, so the autoregressive loops of the package cost one step per token;
    :meth:`table` reads a batch of contexts in one causal pass per chunk (natural-log laws, like
    :meth:`next_token_logprobs`); :meth:`token_logprobs` scores a sequence in one pass (units of its keyword-only
    ``base``, bits by default, as for every :class:`~semtheory.channel.LanguageModel`).  Chapter 14.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A causal LM with a language-modelling head.
    tokenizer : transformers tokenizer, optional
        Turns texts into token ids (needed by :meth:`encode` and :func:`text_measures`).
    device : str or torch.device, optional, keyword-only
        Where to move the model ("cpu", "cuda", ...); default where it is.
    batch_size : int, keyword-only, default 16
        The most contexts read in one causal pass, at least 1.
    bos_token_id : int, optional, keyword-only
        The token prepended to every context; default the tokenizer's BOS, else the config's BOS, else EOS.

    Attributes
    ----------
    model : transformers.PreTrainedModel
        The wrapped model, in eval mode.
    tokenizer : transformers tokenizer or None
        The tokenizer.
    device : torch.device
        Where the model's parameters are.
    vocab_size : int
        The size of the output vocabulary.
    bos : int
        The beginning-of-sequence token id.
    batch_size : int
        As given.
    """

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase | None = None, *,
                 device: str | torch.device | None = None, batch_size: int = 16, bos_token_id: int | None = None):
        if not hasattr(model, "config") or not callable(model):
            raise ValueError(f"model must be a transformers causal LM, got {type(model).__name__}")
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        if device is not None:
            model = model.to(device)
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.device = next(model.parameters()).device
        head = model.get_output_embeddings()
        self.vocab_size = int(head.out_features if head is not None else model.config.vocab_size)
        bos = bos_token_id
        for src in (getattr(tokenizer, "bos_token_id", None), getattr(model.config, "bos_token_id", None),
                    getattr(tokenizer, "eos_token_id", None), getattr(model.config, "eos_token_id", None)):
            if bos is None and isinstance(src, int):
                bos = src
        if bos is None:
            raise ValueError("bos_token_id must be given: neither the tokenizer nor the config names a BOS or EOS token")
        self.bos = check_int(bos, "bos_token_id", minimum=0, maximum=self.vocab_size - 1)
        self._cache = None  # (tokens read including BOS, past_key_values, log-probs after them)

    # -- the forward passes -------------------------------------------------------------------------

    def _logp(self, logits) -> np.ndarray:
        """float64 log-softmax of logits in any dtype (the model's dtype is only cast up, never down)."""
        return torch.log_softmax(logits.to(torch.float64), dim=-1).cpu().numpy()

    def table(self, contexts: ArrayLike, *, start: int = 0) -> np.ndarray:
        r"""Next-token log-laws (nats) after every prefix length ``start..L`` of each row of ``contexts`` (B, L).

        Shape ``(B, L - start + 1, V)``; row ``[b, r - start]`` is ``next_token_logprobs(contexts[b, :r])``
        :math:`= \ln P(\cdot \mid \text{contexts}[b, :r])`.  One causal pass per chunk of ``batch_size`` rows.
        Chapter 14.

        Parameters
        ----------
        contexts : array_like of int, shape (B, L)
            Token ids in ``range(vocab_size)``, one context per row.
        start : int, keyword-only, default 0
            The shortest prefix length read, ``0 <= start <= L``.

        Returns
        -------
        numpy.ndarray of float64, shape (B, L - start + 1, vocab_size)
            Normalised log-pmfs (nats).
        """
        ctx = _asarray(contexts, "contexts")
        if ctx.ndim != 2 or (ctx.size and (ctx.dtype.kind not in "iu" or ctx.min() < 0 or ctx.max() >= self.vocab_size)):
            raise ValueError(f"contexts must be a 2-D array of token ids in [0, {self.vocab_size})")
        B, L = ctx.shape
        start = check_int(start, "start", minimum=0, maximum=L)
        x = np.concatenate([np.full((B, 1), self.bos, dtype=np.int64), ctx.astype(np.int64)], axis=1)
        out = np.empty((B, L - start + 1, self.vocab_size))
        with torch.no_grad():
            for b0 in range(0, B, self.batch_size):
                ids = torch.as_tensor(x[b0:b0 + self.batch_size], device=self.device)
                out[b0:b0 + self.batch_size] = self._logp(self.model(input_ids=ids).logits[:, start:])
        return out

    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r"""Natural-log next-token law :math:`\ln P(\cdot \mid \text{BOS}, \text{context})`, float64.

        Reuses the KV cache of the previous call when ``context`` extends it by one token.  Chapter 14.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty); BOS is prepended.

        Returns
        -------
        numpy.ndarray of float64, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        ctx = tuple(int(t) for t in self.check_tokens(context, "context"))
        full = (self.bos,) + ctx
        with torch.no_grad():
            if self._cache is not None and self._cache[0] == full:
                return self._cache[2].copy()
            if self._cache is not None and self._cache[0] == full[:-1]:
                ids = torch.tensor([[full[-1]]], device=self.device)
                out = self.model(input_ids=ids, past_key_values=self._cache[1], use_cache=True)
            else:
                ids = torch.tensor([full], device=self.device)
                out = self.model(input_ids=ids, use_cache=True)
            lp = self._logp(out.logits[0, -1])
        self._cache = (full, out.past_key_values, lp)
        return lp.copy()

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> np.ndarray:
        r"""Per-token :math:`\log_b P(x_t \mid \text{prompt}, x^{t-1})` in one causal pass, units of ``base``.

        The same numbers as :meth:`~semtheory.channel.LanguageModel.token_logprobs`, from one :meth:`table`
        call.  Chapter 14.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens, ids in ``range(vocab_size)``.
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
        if s.size == 0:
            return np.zeros(0)
        full = np.concatenate([p, s])[None, :-1]
        tab = self.table(full, start=len(p))[0]  # (len(s), V) natural-log laws
        return tab[np.arange(len(s)), s] / lb

    def sample(self, n: int, *, prompt: Sequence[int] = (), seed: SeedLike = None,
               temperature: float = 1.0) -> np.ndarray:
        r"""``n`` tokens drawn after ``prompt`` with the KV cache, from :math:`\softmax(\log P / T)`; seeded.

        One :meth:`next_token_logprobs` step per token (the cache makes it one forward step).  Chapter 14.

        Parameters
        ----------
        n : int
            Number of tokens to draw, >= 0.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before the first draw.
        seed : int, numpy.random.Generator or None, keyword-only, default None
            Seed of the draws.
        temperature : float, keyword-only, default 1.0
            The sampling temperature :math:`T > 0`.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The drawn token ids.
        """
        n = check_int(n, "n", minimum=0)
        if isinstance(temperature, bool) or not (isinstance(temperature, (int, float)) and math.isfinite(temperature)
                                                  and temperature > 0):
            raise ValueError(f"temperature must be finite and > 0, got {temperature!r}")
        rng = as_rng(seed)
        ctx = list(self.check_tokens(prompt, "prompt"))
        out = np.empty(n, dtype=np.int64)
        for t in range(n):
            lp = self.next_token_logprobs(ctx) / temperature
            p = np.exp(lp - lp.max())
            out[t] = int(rng.choice(self.vocab_size, p=p / p.sum()))
            ctx.append(int(out[t]))
        return out

    # -- texts ---------------------------------------------------------------------------------------

    def encode(self, text: str) -> np.ndarray:
        """The tokenizer's canonical token ids of ``text`` (no special tokens added).  Chapter 14.

        Parameters
        ----------
        text : str
            The text; the model needs a ``tokenizer``.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The token ids.
        """
        if self.tokenizer is None:
            raise ValueError("this CausalLM has no tokenizer: pass tokenizer= to read texts")
        if not isinstance(text, str):
            raise ValueError(f"text must be a str, got {type(text).__name__}")
        return np.asarray(self.tokenizer(text, add_special_tokens=False)["input_ids"], dtype=np.int64)


def load(path: str | os.PathLike[str], *, device: str | torch.device | None = None, dtype: torch.dtype | None = None,
         batch_size: int = 16) -> CausalLM:
    """A local model and its tokenizer as a :class:`CausalLM`, never downloading.

    ``path`` is a folder written by ``save_pretrained`` or a model name already in the local Hugging Face
    cache. Attention is loaded in its eager form, so :func:`attention_maps` can read the weights.
    ``dtype``: e.g. ``torch.bfloat16`` (default: as saved).

    Parameters
    ----------
    path : str or os.PathLike
        A folder from ``save_pretrained``, or a model name in the local Hugging Face cache.
    device : str or torch.device, optional, keyword-only
        Where to put the model.
    dtype : torch.dtype, optional, keyword-only
        The dtype to load the weights in; default as saved.
    batch_size : int, keyword-only, default 16
        Passed to :class:`CausalLM`.

    Returns
    -------
    CausalLM
        The model with its tokenizer.
    """
    tf = _transformers()
    where = str(path)
    kwargs = dict(local_files_only=True)
    try:
        tok = tf.AutoTokenizer.from_pretrained(where, **kwargs)
        model = tf.AutoModelForCausalLM.from_pretrained(where, attn_implementation="eager",
                                                        **({"dtype": dtype} if dtype is not None else {}), **kwargs)
    except (OSError, ValueError) as exc:
        raise ValueError(f"path {where!r} is not a model on this machine (a folder from save_pretrained, or a name "
                         "already in the local Hugging Face cache); semtheory never downloads") from exc
    return CausalLM(model, tok, device=device, batch_size=batch_size)


class TextMeasures(NamedTuple):
    r"""A text scored by a model (units of ``base``): ``bits_per_token`` and ``bits_per_byte`` are the code
    length of the text's *canonical* tokenisation divided by its tokens and its UTF-8 bytes; ``perplexity``
    :math:`= \mathrm{base}^{\text{per token}}`; ``densities`` the per-token information content
    :math:`-\log P(x_t \mid x^{t-1})`; ``flow`` their running sum (the code length so far); ``tokens`` the ids;
    ``n_bytes``.  Chapter 14.

    Attributes
    ----------
    bits_per_token : float
        The code length per token, in units of log ``base`` (bits by default).
    bits_per_byte : float
        The code length per UTF-8 byte, in units of log ``base``.
    perplexity : float
        :math:`\mathrm{base}^{\text{per token}}` (dimensionless).
    densities : numpy.ndarray, shape (N,)
        The per-token information contents :math:`-\log P(x_t \mid x^{t-1})`, in units of log ``base``.
    flow : numpy.ndarray, shape (N,)
        Their running sum, in units of log ``base``.
    tokens : numpy.ndarray of int, shape (N,)
        The canonical token ids of the text.
    n_bytes : int
        The text's length in UTF-8 bytes.
    """

    bits_per_token: float
    bits_per_byte: float
    perplexity: float
    densities: np.ndarray
    flow: np.ndarray
    tokens: np.ndarray
    n_bytes: int


def text_measures(model: CausalLM, text: str, *, base: float = 2, window: int | None = None,
                  progress: Callable[..., Any] | None = None) -> TextMeasures:
    r"""Bits per token, bits per byte and perplexity of ``text`` under ``model``, with per-token densities.

    .. math:: \text{per token} = -\frac1N\sum_{t=1}^N \log P(x_t \mid x^{t-1}), \qquad
              \text{per byte} = -\frac1B\sum_{t=1}^N \log P(x_t \mid x^{t-1})

    for the canonical tokenisation :math:`x^N` of the text and its :math:`B` UTF-8 bytes.  The model also
    gives mass to other segmentations of the same bytes, so this is the code length of one segmentation, an
    upper bound on :math:`-\log P(\text{text})` (chapter 1).  Texts longer than ``window`` tokens (default:
    the model's maximum positions) are scored in consecutive windows, each conditioned on nothing but BOS;
    ``progress(done, total)`` is called after each window.

    Parameters
    ----------
    model : CausalLM
        The model, with a tokenizer.
    text : str
        The text to score, at least one token long.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    window : int, optional, keyword-only
        The most tokens scored in one window, at most the model's maximum positions minus one (the default).
    progress : callable, optional, keyword-only
        Called as ``progress(done, total)`` (tokens) after each window.

    Returns
    -------
    TextMeasures
        The code lengths and per-token densities, in units of log ``base`` (bits by default).
    """
    if not isinstance(model, CausalLM):
        raise ValueError(f"model must be a semtheory.hf.CausalLM, got {type(model).__name__}")
    log_base(base)  # validated before any work
    ids = model.encode(text)
    if ids.size == 0:
        raise ValueError("text must hold at least one token")
    limit = getattr(model.model.config, "max_position_embeddings", None) or getattr(model.model.config, "n_positions", 1024)
    W = check_int(window if window is not None else int(limit) - 1, "window", minimum=1, maximum=int(limit) - 1)
    dens = np.empty(ids.size)
    for s0 in range(0, ids.size, W):
        dens[s0:s0 + W] = -model.token_logprobs(ids[s0:s0 + W], base=base)
        if progress is not None:
            progress(min(s0 + W, ids.size), ids.size)
    n_bytes = len(text.encode("utf-8"))
    total = float(dens.sum())
    per_token = total / ids.size
    return TextMeasures(per_token, total / n_bytes, float(base ** per_token), dens, np.cumsum(dens), ids, n_bytes)


class SourceTextReport(NamedTuple):
    r"""A model read against a known source whose symbols are written as characters (units of ``base``).

    ``model_bits_per_symbol`` is the model's code length of the text per source symbol, ``entropy_rate`` the
    source's exact entropy rate per symbol, ``excess`` their difference (at least the sampling noise below
    zero, by the source coding theorem, for a long text), ``text`` the text read, ``measures`` the
    :class:`TextMeasures`.  Chapter 14.

    Attributes
    ----------
    model_bits_per_symbol : float
        The model's code length per source symbol, in units of log ``base``.
    entropy_rate : float
        The source's entropy rate per symbol, in units of log ``base``.
    excess : float
        ``model_bits_per_symbol - entropy_rate``, in units of log ``base``.
    text : str
        The text read.
    measures : TextMeasures
        The scores of the text.
    """

    model_bits_per_symbol: float
    entropy_rate: float
    excess: float
    text: str
    measures: TextMeasures


def source_text_report(model: CausalLM, source: LanguageModel, n: int, *, alphabet: str, seed: SeedLike = None,
                       base: float = 2, window: int | None = None) -> SourceTextReport:
    r"""Perplexity against the entropy rate: ``n`` symbols of ``source`` written as text, scored by ``model``.

    Symbol :math:`v` of the source (a :class:`~semtheory.channel.LanguageModel` with ``entropy_rate(base=...)``,
    e.g. a :class:`semtheory.sources.MarkovSource`) is written as the character ``alphabet[v]``; the model's
    code length of the text per symbol, :math:`-\frac1n \log P_\theta(\text{text})` (canonical
    tokenisation), is compared with the source's entropy rate :math:`\mathcal H`, the least any model can
    reach on average (chapter 1).  Deterministic under ``seed``.

    Parameters
    ----------
    model : CausalLM
        The model, with a tokenizer.
    source : semtheory.channel.LanguageModel
        A source with ``sample(n, seed=...)`` and ``entropy_rate(base=...)``, e.g. a
        :class:`semtheory.sources.MarkovSource`.
    n : int
        The number of symbols, at least 1.
    alphabet : str, keyword-only
        Distinct characters, at least ``source.vocab_size``; symbol ``v`` is written ``alphabet[v]``.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the sample.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    window : int, optional, keyword-only
        Passed to :func:`text_measures`.

    Returns
    -------
    SourceTextReport
        The model's code length against the entropy rate, in units of log ``base`` per symbol (bits by default).
    """
    if not isinstance(model, CausalLM):
        raise ValueError(f"model must be a semtheory.hf.CausalLM, got {type(model).__name__}")
    rate = getattr(source, "entropy_rate", None)
    if not callable(rate) or not hasattr(source, "sample"):
        raise ValueError("source must have sample() and entropy_rate(base=...) (e.g. a semtheory.sources.MarkovSource)")
    if not isinstance(alphabet, str) or len(set(alphabet)) != len(alphabet) or len(alphabet) < source.vocab_size:
        raise ValueError(f"alphabet must be a str of at least {source.vocab_size} distinct characters, got {alphabet!r}")
    n = check_int(n, "n", minimum=1)
    symbols = source.sample(n, seed=seed)
    text = "".join(alphabet[int(v)] for v in symbols)
    m = text_measures(model, text, base=base, window=window)
    per_symbol = float(m.flow[-1] / n)
    H = float(rate(base=base))
    return SourceTextReport(per_symbol, H, per_symbol - H, text, m)


class AttentionMaps(NamedTuple):
    r"""Attention of a causal LM on one context: ``weights`` (layers, heads, n, n) with position 0 = BOS;
    ``entropy`` (layers, heads, n), the entropy of each query's attention law in units of ``base``; and
    ``pattern_energy`` (layers, heads, n, n) :math:`= -\ln \alpha_{ij}`, the energy of key :math:`j` for
    query :math:`i` in the gauge where the free energy is zero (chapter 10: :math:`\alpha` is the Boltzmann
    law of these energies; ``inf`` above the diagonal).  Chapter 14.

    Attributes
    ----------
    weights : numpy.ndarray, shape (layers, heads, n, n)
        The attention weights, position 0 the BOS token.
    entropy : numpy.ndarray, shape (layers, heads, n)
        The entropy of each query's attention law, in units of log ``base``.
    pattern_energy : numpy.ndarray, shape (layers, heads, n, n)
        :math:`-\ln \alpha_{ij}`, in nats (``inf`` above the diagonal).
    """

    weights: np.ndarray
    entropy: np.ndarray
    pattern_energy: np.ndarray


def attention_maps(model: CausalLM, context: Sequence[int], *, base: float = 2) -> AttentionMaps:
    """Per-layer, per-head attention weights of ``model`` on ``context`` (``output_attentions``), with the
    entropy of each query's law. Needs eager attention (:func:`load` asks for it).

    Parameters
    ----------
    model : CausalLM
        The model, loaded with eager attention.
    context : sequence of int, length n - 1
        Token ids (BOS is prepended).
    base : float, keyword-only, default 2
        Logarithm base of ``entropy`` (2: bits, e: nats).

    Returns
    -------
    AttentionMaps
        Weights, entropies (units of log ``base``) and energies (nats) over the n positions BOS + context.
    """
    if not isinstance(model, CausalLM):
        raise ValueError(f"model must be a semtheory.hf.CausalLM, got {type(model).__name__}")
    lb = log_base(base)
    ids = np.concatenate([[model.bos], model.check_tokens(context, "context")])
    with torch.no_grad():
        out = model.model(input_ids=torch.as_tensor(ids[None], device=model.device), output_attentions=True)
    if not out.attentions:
        raise ValueError("the model returned no attention weights: load it with attn_implementation='eager'")
    w = np.stack([a[0].to(torch.float64).cpu().numpy() for a in out.attentions])
    with np.errstate(divide="ignore", invalid="ignore"):
        energy = -np.log(w)
        ent = -np.where(w > 0, w * np.log(np.where(w > 0, w, 1.0)), 0.0).sum(axis=-1) / lb
    return AttentionMaps(w, ent, energy)
