r"""Tokens: a byte-level BPE tokenizer, the tokenizer as a source code, and the units of a language model's loss.

Chapter 1 (used by chapters 9, 10 and 14).

**Byte-level BPE.**  Text is first split into *chunks* by a regular expression (a space and a word, a run of
digits, a run of punctuation, a run of white space: :data:`DEFAULT_PATTERN`), and each chunk is read as its
UTF-8 bytes, token ids ``0..255``.  Training repeats ``num_merges`` times: count every pair of adjacent
tokens inside the chunks (weighted by how often each chunk occurs), take the most frequent pair and give it a
new id ``256, 257, ...``; every occurrence of the pair is replaced, left to right.  **Ties** between pairs of
equal count are broken by the *lexicographically smallest pair of ids* ``(a, b)``, so training is a
deterministic function of the text (it does not depend on the order in which chunks occur).  Pair counts are
maintained incrementally (only chunks that contain the merged pair are recounted) and the best pair is kept
in a lazy max-heap, so a few hundred merges on 100 kB of text take about a second.  Encoding applies the
merges in the order they were learned; decoding concatenates the bytes of the tokens, so
``decode(encode(s)) == s`` for every string ``s`` (Sennrich et al. 2016; Gage 1994; Radford et al. 2019).

**A tokenizer is a source code.**  It parses a byte string into variable-length pieces and names each piece
by an index: a *variable-to-fixed* length code.  With ``L`` bytes per token on average, a code that spends
``c`` bits per token spends ``c / L`` bits per byte (:func:`source_code`).

**Units.**  A model's loss is a rate: bits (or nats) per token, per byte, or a perplexity.  With
``r = bytes_per_token`` (the exchange rate),

.. math:: h_{\text{token}} = r\, h_{\text{byte}}, \qquad \PPL_{\text{token}} = b^{h_{\text{token}}}
          = \PPL_{\text{byte}}^{\,r}

(:func:`per_byte`, :func:`per_token`, :func:`rate_to_perplexity`, :func:`perplexity_to_rate`,
:func:`convert`).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .core.types import ArrayLike, FloatArray
from ._validate import as_array as _asarray
from ._validate import as_float, as_real_array, check_int, check_text, check_positive, log_base

if TYPE_CHECKING:
    from .core.models import LanguageModel

__all__ = [
    "DEFAULT_PATTERN",
    "pretokenize",
    "BPETokenizer",
    "train_bpe",
    "token_lengths",
    "SourceCode",
    "source_code",
    "per_byte",
    "per_token",
    "rate_to_perplexity",
    "perplexity_to_rate",
    "UNITS",
    "convert",
    "SegmentationCode",
    "segmentation_code_lengths",
]

#: Chunking rule (GPT-2 style, written for Python's ``re``): English contractions, an optional space followed
#: by letters, by digits or by other symbols, then runs of white space.  Every character of every string is
#: matched by exactly one chunk, so the chunks concatenate back to the text.
DEFAULT_PATTERN = r"'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"


def _compile(pattern) -> re.Pattern:
    if not isinstance(pattern, str) or pattern == "":
        raise ValueError(f"pattern must be a non-empty regular expression string, got {pattern!r}")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern is not a valid regular expression: {exc}") from None


def _chunks(text: str, rx: re.Pattern) -> list[str]:
    out = rx.findall(text)
    if sum(len(c) for c in out) != len(text):
        raise ValueError("pattern does not cover the text: its matches must concatenate back to the text")
    return out


def pretokenize(text: str, pattern: str = DEFAULT_PATTERN) -> list[str]:
    r"""Split ``text`` into the chunks inside which BPE merges are learned and applied.

    The chunks are the successive matches of ``pattern`` (default :data:`DEFAULT_PATTERN`); they must cover
    the text exactly, :math:`\text{chunk}_1 \cdots \text{chunk}_m = \text{text}` (a pattern that skips a
    character raises ``ValueError``).  Chapter 1.

    Parameters
    ----------
    text : str
        The text.
    pattern : str, default DEFAULT_PATTERN
        A regular expression whose successive matches cover the text.

    Returns
    -------
    list of str
        The chunks, in order.

    Examples
    --------
    >>> from semtheory.tokens import pretokenize
    >>> pretokenize("the cat sat")
    ['the', ' cat', ' sat']
    """
    return _chunks(check_text(text), _compile(pattern))


def _merge_word(word: tuple, a: int, b: int, new: int) -> tuple:
    out = []
    i, n = 0, len(word)
    while i < n:
        if i + 1 < n and word[i] == a and word[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


@dataclass(frozen=True)
class BPETokenizer:
    r"""A trained byte-level BPE tokenizer: the ordered ``merges`` and the chunking ``pattern``.

    Token ids ``0..255`` are the bytes; merge number ``i`` (0-based) creates id ``256 + i`` from the pair
    ``merges[i] = (a, b)``.  ``vocab_size = 256 + len(merges)``.  Build one with :func:`train_bpe`.
    Chapter 1.

    Parameters
    ----------
    merges : tuple of (int, int), default ()
        The merges in order; merge ``i`` creates token ``256 + i``.
    pattern : str, default DEFAULT_PATTERN
        The chunking pattern (:func:`pretokenize`).

    Attributes
    ----------
    merges : tuple of (int, int)
        The merges.
    pattern : str
        The chunking pattern.
    """

    merges: tuple = ()
    pattern: str = DEFAULT_PATTERN
    _cache: dict = field(default_factory=dict, compare=False, repr=False, init=False)

    def __post_init__(self):
        _compile(self.pattern)
        merges = tuple(self.merges)
        for i, pair in enumerate(merges):
            ok = (
                isinstance(pair, tuple)
                and len(pair) == 2
                and all(isinstance(t, (int, np.integer)) and not isinstance(t, bool) for t in pair)
                and all(0 <= int(t) < 256 + i for t in pair)
            )
            if not ok:
                raise ValueError(f"merges[{i}] must be a pair of existing token ids (< {256 + i}), got {pair!r}")
        merges = tuple((int(a), int(b)) for a, b in merges)
        object.__setattr__(self, "merges", merges)
        vocab = [bytes([i]) for i in range(256)]
        for a, b in merges:
            vocab.append(vocab[a] + vocab[b])
        object.__setattr__(self, "_vocab", tuple(vocab))
        object.__setattr__(self, "_ranks", {p: i for i, p in enumerate(merges)})
        object.__setattr__(self, "_rx", re.compile(self.pattern))

    # -- vocabulary -------------------------------------------------------------------------------

    @property
    def vocab_size(self) -> int:
        """Number of token ids: 256 bytes plus one per merge.  Chapter 1."""
        return 256 + len(self.merges)

    @property
    def vocab(self) -> tuple:
        """``vocab[i]`` is the byte string of token ``i``.  Chapter 1."""
        return self._vocab

    def token_bytes(self, token: int) -> bytes:
        """The bytes that token ``token`` stands for.  Chapter 1.

        Parameters
        ----------
        token : int
            A token id in ``range(vocab_size)``.

        Returns
        -------
        bytes
            The token's byte string (one byte for ids below 256).
        """
        t = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        return self._vocab[t]

    def token_str(self, token: int) -> str:
        """Printable form of a token (invalid UTF-8 shown as ``\\xNN`` escapes).  Chapter 1.

        Parameters
        ----------
        token : int
            A token id in ``range(vocab_size)``.

        Returns
        -------
        str
            The token's bytes read as UTF-8, with ``\\xNN`` escapes for bytes that are not valid UTF-8.
        """
        return self.token_bytes(token).decode("utf-8", errors="backslashreplace")

    def truncate(self, num_merges: int) -> BPETokenizer:
        r"""The tokenizer made of the first ``num_merges`` merges only.

        BPE training is greedy, so this is exactly what :func:`train_bpe` returns when asked for
        ``num_merges`` merges on the same text.  Chapter 1.

        Parameters
        ----------
        num_merges : int
            Number of merges kept, ``0 <= num_merges <= len(merges)``.

        Returns
        -------
        BPETokenizer
            The tokenizer with ``vocab_size = 256 + num_merges`` and the same ``pattern``.
        """
        m = check_int(num_merges, "num_merges", minimum=0, maximum=len(self.merges))
        return BPETokenizer(self.merges[:m], self.pattern)

    # -- encode / decode --------------------------------------------------------------------------

    def _encode_chunk(self, chunk: str) -> tuple:
        hit = self._cache.get(chunk)
        if hit is not None:
            return hit
        word = tuple(chunk.encode("utf-8"))
        ranks = self._ranks
        while len(word) > 1:
            best, best_rank = None, None
            for p in zip(word, word[1:]):
                r = ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            word = _merge_word(word, best[0], best[1], 256 + best_rank)
        if len(self._cache) < 200_000:
            self._cache[chunk] = word
        return word

    def encode(self, text: str) -> np.ndarray:
        r"""Token ids of ``text``: chunk it, then apply the merges in the order they were learned.

        Returns an ``int64`` array; ``decode(encode(text)) == text`` for every ``str``.  Chapter 1.

        Parameters
        ----------
        text : str
            The text to encode.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The token ids, in ``range(vocab_size)``.
        """
        chunks = _chunks(check_text(text), self._rx)
        out: list[int] = []
        for c in chunks:
            out.extend(self._encode_chunk(c))
        return np.asarray(out, dtype=np.int64)

    def _check_ids(self, ids, name: str = "ids") -> np.ndarray:
        arr = _asarray(ids, name)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {arr.shape}")
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= self.vocab_size):
            raise ValueError(f"{name} must hold integer token ids in [0, {self.vocab_size})")
        return arr.astype(np.int64)

    def decode_bytes(self, ids: ArrayLike) -> bytes:
        """The byte string of a sequence of token ids (concatenation of the tokens' bytes).  Chapter 1.

        Parameters
        ----------
        ids : array_like of int, shape (n,)
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        bytes
            The concatenated bytes of the tokens.
        """
        v = self._vocab
        return b"".join(v[i] for i in self._check_ids(ids).tolist())

    def decode(self, ids: ArrayLike, errors: str = "replace") -> str:
        r"""The text of a sequence of token ids: :meth:`decode_bytes` read as UTF-8.

        Ids produced by :meth:`encode` always decode exactly.  An arbitrary id sequence may cut a multi-byte
        character; ``errors`` (``"replace"``, ``"strict"``, ...) says what to do then.  Chapter 1.

        Parameters
        ----------
        ids : array_like of int, shape (n,)
            Token ids in ``range(vocab_size)`` (possibly empty).
        errors : str, default ``"replace"``
            ``"strict"`` (a ``ValueError`` on invalid UTF-8), ``"replace"``, ``"ignore"`` or
            ``"backslashreplace"``.

        Returns
        -------
        str
            The decoded text.
        """
        if errors not in ("strict", "replace", "ignore", "backslashreplace"):
            raise ValueError(f"errors must be 'strict', 'replace', 'ignore' or 'backslashreplace', got {errors!r}")
        try:
            return self.decode_bytes(ids).decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:
            raise ValueError(f"ids do not decode to valid UTF-8: {exc}") from None

    def __repr__(self) -> str:
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"


def train_bpe(text: str, num_merges: int, *, pattern: str = DEFAULT_PATTERN, min_count: int = 2) -> BPETokenizer:
    r"""Train a byte-level BPE tokenizer with (at most) ``num_merges`` merges on ``text``.

    Chunk the text (:func:`pretokenize`), read each distinct chunk :math:`w` with multiplicity :math:`f_w` as
    its UTF-8 bytes, and repeat: with :math:`n(a, b) = \sum_w f_w \cdot \#\{i : w_i w_{i+1} = ab\}`, merge

    .. math:: (a^*, b^*) = \operatorname{lexmin}\,\argmax_{(a,b)} n(a, b)

    (the most frequent pair; **ties broken by the smallest pair of ids** in lexicographic order) into a new
    token, replacing its occurrences left to right.  Training stops early when the best pair occurs fewer
    than ``min_count`` times (so a short text may give fewer merges than asked).  Counts are updated
    incrementally and the argmax is read from a lazy heap: cost grows with the chunks touched by each merge,
    not with the text.  Returns a :class:`BPETokenizer`.  Chapter 1.

    Parameters
    ----------
    text : str
        The training text.
    num_merges : int
        Most merges, >= 0.
    pattern : str, keyword-only, default DEFAULT_PATTERN
        The chunking pattern.
    min_count : int, keyword-only, default 2
        Stop when the best pair occurs fewer times.

    Returns
    -------
    BPETokenizer
        The trained tokenizer.
    """
    text = check_text(text)
    m = check_int(num_merges, "num_merges", minimum=0)
    min_count = check_int(min_count, "min_count", minimum=1)
    rx = _compile(pattern)
    counts = Counter(_chunks(text, rx))
    words = [tuple(c.encode("utf-8")) for c in counts]
    freqs = list(counts.values())

    pair_n: dict[tuple, int] = {}
    where: dict[tuple, set] = {}
    for wi, (w, f) in enumerate(zip(words, freqs)):
        for p in zip(w, w[1:]):
            pair_n[p] = pair_n.get(p, 0) + f
            where.setdefault(p, set()).add(wi)
    heap = [(-n, p) for p, n in pair_n.items()]
    heapq.heapify(heap)

    merges: list[tuple[int, int]] = []
    while len(merges) < m:
        best = None
        while heap:
            neg, p = heap[0]
            if pair_n.get(p, 0) == -neg:  # a live entry; the heap orders (-count, pair): ties -> smallest pair
                best = p
                break
            heapq.heappop(heap)  # stale entry
        if best is None or pair_n[best] < min_count:
            break
        new = 256 + len(merges)
        merges.append(best)
        a, b = best
        touched: dict[tuple, int] = {}
        for wi in where.pop(best):
            w, f = words[wi], freqs[wi]
            nw = _merge_word(w, a, b, new)
            if nw == w:
                continue
            for p in zip(w, w[1:]):
                touched[p] = touched.get(p, 0) - f
            for p in zip(nw, nw[1:]):
                touched[p] = touched.get(p, 0) + f
                where.setdefault(p, set()).add(wi)
            words[wi] = nw
        for p, d in touched.items():
            if d == 0:
                continue
            n = pair_n.get(p, 0) + d
            if n > 0:
                pair_n[p] = n
                heapq.heappush(heap, (-n, p))
            else:
                pair_n.pop(p, None)
        pair_n.pop(best, None)
    return BPETokenizer(tuple(merges), pattern)


# ==============================================================================================
# The tokenizer as a source code
# ==============================================================================================


def _check_tokenizer(tokenizer) -> BPETokenizer:
    if not isinstance(tokenizer, BPETokenizer):
        raise ValueError(f"tokenizer must be a BPETokenizer, got {type(tokenizer).__name__}")
    return tokenizer


def token_lengths(tokenizer: BPETokenizer, ids: ArrayLike | None = None) -> np.ndarray:
    r"""Length in bytes :math:`\ell(v)` of each token: of ``ids`` if given, else of the whole vocabulary.

    Read as a code, token :math:`v` is the codeword for the source word of :math:`\ell(v)` bytes it stands
    for.  Chapter 1.

    Parameters
    ----------
    tokenizer : BPETokenizer
        A trained tokenizer.
    ids : array_like of int or None, default None
        Token ids (None: the whole vocabulary).

    Returns
    -------
    numpy.ndarray of int64
        Lengths in bytes.
    """
    tok = _check_tokenizer(tokenizer)
    lengths = np.fromiter((len(b) for b in tok.vocab), dtype=np.int64, count=tok.vocab_size)
    if ids is None:
        return lengths
    return lengths[tok._check_ids(ids)]


class SourceCode(NamedTuple):
    r"""A tokenizer read as a variable-to-fixed length source code on one text (see :func:`source_code`).

    ``n_bytes``, ``n_tokens``, ``bytes_per_token`` :math:`r = n_{\text{bytes}}/n_{\text{tokens}}`;
    ``fixed_per_token`` :math:`\log|\V|` and ``fixed_per_byte`` :math:`\log|\V| / r` (an index of fixed
    length per token); ``unigram_per_token`` :math:`\hat H(\text{token})` and ``unigram_per_byte``
    :math:`\hat H(\text{token}) / r` (an ideal code matched to the token frequencies); ``byte_unigram_per_byte``
    :math:`\hat H(\text{byte})` (the same code on raw bytes, for comparison).  Units of the ``base`` asked for.
    Chapter 1.

    Attributes
    ----------
    n_bytes, n_tokens : int
        Bytes of the text and tokens it is parsed into.
    bytes_per_token : float
        :math:`r`.
    fixed_per_token, fixed_per_byte : float
        The fixed-length index, units of log ``base`` per token and per byte.
    unigram_per_token, unigram_per_byte : float
        The ideal code matched to the token frequencies, units of log ``base`` per token and per byte.
    byte_unigram_per_byte : float
        The same code on raw bytes, units of log ``base`` per byte.
    """

    n_bytes: int
    n_tokens: int
    bytes_per_token: float
    fixed_per_token: float
    fixed_per_byte: float
    unigram_per_token: float
    unigram_per_byte: float
    byte_unigram_per_byte: float


def _plugin_entropy_of_ids(ids: np.ndarray, lb: float) -> float:
    _, c = np.unique(ids, return_counts=True)
    n = c.sum()
    return float(-(c / n * np.log(c / n)).sum() / lb)


def source_code(tokenizer: BPETokenizer, text: str, *, base: float = 2) -> SourceCode:
    r"""Code lengths of ``tokenizer`` used as a source code on ``text`` (per token and per byte).

    The tokenizer parses the :math:`n_{\text{bytes}}` bytes into :math:`n_{\text{tokens}}` tokens, a mean of
    :math:`r = n_{\text{bytes}}/n_{\text{tokens}}` bytes per token.  Any code that spends :math:`c` bits per
    token spends :math:`c/r` bits per byte.  Two codes are reported: a fixed-length index,
    :math:`c = \log|\V|`, and the ideal (Shannon) code matched to the empirical token frequencies
    :math:`\hat q`, :math:`c = \hat H(\hat q) = -\sum_v \hat q(v) \log \hat q(v)` (in-sample, so it ignores
    the cost of describing :math:`\hat q`).  ``byte_unigram_per_byte`` is the same ideal code on single bytes.
    Units of ``base`` (2 = bits).  Chapter 1.

    Parameters
    ----------
    tokenizer : BPETokenizer
        A trained tokenizer.
    text : str
        The text coded.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    SourceCode
        Code lengths in units of log ``base`` (bits by default), per token and per byte.
    """
    tok = _check_tokenizer(tokenizer)
    lb = log_base(base)
    text = check_text(text)
    if text == "":
        raise ValueError("text must not be empty")
    ids = tok.encode(text)
    raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    n_bytes, n_tokens = int(raw.size), int(ids.size)
    r = n_bytes / n_tokens
    fixed = math.log(tok.vocab_size) / lb
    uni = _plugin_entropy_of_ids(ids, lb)
    return SourceCode(n_bytes, n_tokens, r, fixed, fixed / r, uni, uni / r, _plugin_entropy_of_ids(raw, lb))


# ==============================================================================================
# Units: bits per byte, bits per token, perplexity
# ==============================================================================================


def _out(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def _ratio(bytes_per_token) -> np.ndarray:
    if isinstance(bytes_per_token, (int, float, np.integer, np.floating)) and not isinstance(bytes_per_token, bool):
        return np.asarray(check_positive(bytes_per_token, "bytes_per_token"))
    r = as_real_array(bytes_per_token, "bytes_per_token", minimum=0.0)
    if np.any(r <= 0):
        raise ValueError("bytes_per_token must be > 0")
    return r


def per_byte(rate_per_token: ArrayLike, bytes_per_token: ArrayLike) -> float | FloatArray:
    r"""A rate per token expressed per byte: :math:`h_{\text{byte}} = h_{\text{token}} / r`, :math:`r` = bytes per token.

    Units are kept (bits stay bits, nats stay nats).  Vectorised.  Chapter 1.

    Parameters
    ----------
    rate_per_token : float or array_like
        A rate per token (any unit), >= 0.
    bytes_per_token : float or array_like
        :math:`r > 0`.

    Returns
    -------
    float or numpy.ndarray
        The rate per byte, in the same unit.
    """
    return _out(as_real_array(rate_per_token, "rate_per_token", minimum=0.0) / _ratio(bytes_per_token))


def per_token(rate_per_byte: ArrayLike, bytes_per_token: ArrayLike) -> float | FloatArray:
    r"""A rate per byte expressed per token: :math:`h_{\text{token}} = r\, h_{\text{byte}}`, :math:`r` = bytes per token.

    Units are kept.  Vectorised.  Chapter 1.

    Parameters
    ----------
    rate_per_byte : float or array_like
        A rate per byte (any unit), >= 0.
    bytes_per_token : float or array_like
        :math:`r > 0`.

    Returns
    -------
    float or numpy.ndarray
        The rate per token, in the same unit.
    """
    return _out(as_real_array(rate_per_byte, "rate_per_byte", minimum=0.0) * _ratio(bytes_per_token))


def rate_to_perplexity(rate: ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Perplexity of a cross-entropy rate: :math:`\PPL = b^{h}` for a rate :math:`h` in units of ``base`` :math:`b`.

    A per-token rate gives the per-token perplexity, a per-byte rate the per-byte perplexity.  A rate whose
    perplexity exceeds the largest float (:math:`h \ln b > 709.78`, e.g. ``1e6`` bits) gives ``inf``, with no
    overflow warning: the perplexity is then too large for a float, not undefined.  Chapter 1.

    Parameters
    ----------
    rate : float or array_like
        A cross-entropy rate :math:`h \ge 0`, units of log ``base``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray
        The perplexity (no units), >= 1.

    Examples
    --------
    >>> from semtheory.tokens import rate_to_perplexity
    >>> round(rate_to_perplexity(3.0), 12)
    8.0
    """
    lb = log_base(base)
    x = as_real_array(rate, "rate", minimum=0.0)
    with np.errstate(over="ignore"):
        return _out(np.exp(x * lb))


def perplexity_to_rate(perplexity: ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Cross-entropy rate of a perplexity: :math:`h = \log_b \PPL` (``perplexity`` :math:`\ge 1`).  Chapter 1.

    Parameters
    ----------
    perplexity : float or array_like
        A perplexity, >= 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray
        The rate, units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    return _out(np.log(as_real_array(perplexity, "perplexity", minimum=1.0)) / lb)


#: The units :func:`convert` understands: a measure (bits, nats or perplexity) per token or per byte.
UNITS = ("bits/token", "nats/token", "ppl/token", "bits/byte", "nats/byte", "ppl/byte")


def convert(value: ArrayLike, from_unit: str, to_unit: str, *,
            bytes_per_token: float | None = None) -> float | FloatArray:
    r"""Convert a language model's loss between bits/nats/perplexity, per token or per byte.

    Every unit is first turned into nats per byte: bits :math:`\times \ln 2`, perplexity :math:`\to \ln
    \PPL`, per token :math:`\div r`; then back.  Hence :math:`h_{\text{token}} = r\,h_{\text{byte}}` and
    :math:`\PPL_{\text{token}} = \PPL_{\text{byte}}^{\,r}`.  ``bytes_per_token`` :math:`r` is required
    whenever the conversion crosses between tokens and bytes.  Units: see :data:`UNITS`.  Chapter 1.

    Parameters
    ----------
    value : float or array_like
        The loss, in ``from_unit``.
    from_unit, to_unit : str
        Units of :data:`UNITS` (e.g. ``"bits/token"``, ``"ppl/byte"``).
    bytes_per_token : float, keyword-only, optional
        :math:`r`, needed when converting between tokens and bytes.

    Returns
    -------
    float or numpy.ndarray
        The loss, in ``to_unit``.

    Examples
    --------
    >>> from semtheory.tokens import convert
    >>> convert(4.0, "bits/token", "bits/byte", bytes_per_token=2.0)
    2.0
    """
    for name, u in (("from_unit", from_unit), ("to_unit", to_unit)):
        if u not in UNITS:
            raise ValueError(f"{name} must be one of {UNITS}, got {u!r}")
    fm, fs = from_unit.split("/")
    tm, ts = to_unit.split("/")
    x = as_real_array(value, "value", minimum=1.0 if fm == "ppl" else 0.0)
    nats = {"bits": lambda v: v * math.log(2), "nats": lambda v: v, "ppl": np.log}[fm](x)
    if fs != ts:
        if bytes_per_token is None:
            raise ValueError(f"bytes_per_token is required to convert {from_unit} to {to_unit}")
        r = _ratio(bytes_per_token)
        nats = nats / r if fs == "token" else nats * r
    with np.errstate(over="ignore"):  # a perplexity beyond the largest float is inf (see rate_to_perplexity)
        out = {"bits": lambda v: v / math.log(2), "nats": lambda v: v, "ppl": np.exp}[tm](nats)
    return _out(as_float(out, "out"))


# ----------------------------------------------------------------------------------------------
# a token model's probability of a text: the canonical segmentation against all segmentations
# ----------------------------------------------------------------------------------------------


class SegmentationCode(NamedTuple):
    r"""Code lengths of one text under a token model (see :func:`segmentation_code_lengths`), units of ``base``.

    Attributes
    ----------
    canonical : float
        Code length of the canonical segmentation, units of log ``base``.
    marginal : float
        Code length of the marginal over every segmentation, units of log ``base``.
    n_segmentations : int
        Number of segmentations summed over.
    n_bytes : int
        Bytes of the text.
    log_base : float
        Natural log of the base.
    """

    #: :math:`-\log Q(\mathrm{encode}(x))`: the code length of the tokenizer's own (canonical) segmentation.
    canonical: float
    #: :math:`-\log \sum_{s:\ \mathrm{bytes}(s) = x} Q(s)`: the code length of the marginal over every segmentation.
    marginal: float
    #: Number of token sequences whose bytes spell the text (the segmentations summed over).
    n_segmentations: int
    #: Number of bytes of the text.
    n_bytes: int
    #: Natural log of the base of the code lengths (``math.log(2)`` for bits).
    log_base: float

    @property
    def canonical_share(self) -> float:
        r"""The fraction of the marginal mass on the canonical segmentation, :math:`Q(\mathrm{encode}(x)) / \sum_s Q(s)`."""
        return math.exp((self.marginal - self.canonical) * self.log_base)


def _segment_table(tok: BPETokenizer, data: bytes) -> list[list[tuple[int, int]]]:
    """``out[i]`` lists ``(token, end)`` for every vocabulary token whose bytes equal ``data[i:end]``."""
    by_bytes: dict[bytes, list[int]] = {}
    for i, b in enumerate(tok.vocab):
        by_bytes.setdefault(b, []).append(i)
    longest = max(len(b) for b in by_bytes)
    out = []
    for i in range(len(data)):
        row = []
        for L in range(1, min(longest, len(data) - i) + 1):
            for t in by_bytes.get(data[i : i + L], ()):
                row.append((t, i + L))
        out.append(row)
    return out


def segmentation_code_lengths(tokenizer: BPETokenizer, text: str, model: LanguageModel, *,
                              base: float = 2) -> SegmentationCode:
    r"""Code length of ``text`` under a token ``model``: canonical segmentation against the marginal over all.

    A token model :math:`Q` gives every token sequence :math:`s` the probability
    :math:`Q(s) = \prod_t Q(s_t \mid s^{t-1})`, and many sequences spell the same bytes :math:`x`.  The
    tokenizer's loss counts only its own parse, :math:`-\log Q(\mathrm{encode}(x))`; the model's probability
    that its token stream begins with *some* sequence spelling exactly :math:`x` is the marginal
    :math:`\sum_{s:\ \mathrm{bytes}(s) = x} Q(s)` (the events are disjoint: no two such sequences are prefixes
    of each other, because tokens are non-empty), so
    :math:`-\log \sum_s Q(s) \le -\log Q(\mathrm{encode}(x))`.  The sum runs over *every* segmentation of
    the bytes into vocabulary tokens, across chunk boundaries too, by a forward recursion over
    (byte position, last :math:`k` tokens), exact for a model with a finite ``model.order`` :math:`k`
    (:class:`~semtheory.sources.NGramModel`, :class:`~semtheory.sources.KneserNeyModel`); log-sum-exp
    throughout.  Units of ``base``.  Chapter 1.

    Parameters
    ----------
    tokenizer : BPETokenizer
        A trained tokenizer.
    text : str
        The text.
    model : LanguageModel
        A token model over the tokenizer's vocabulary with a finite ``order``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    SegmentationCode
        Canonical and marginal code lengths, units of log ``base`` (bits by default).
    """
    from scipy.special import logsumexp

    from .core.models import check_model

    lb = log_base(base)
    tok = _check_tokenizer(tokenizer)
    s = check_text(text)
    if not s:
        raise ValueError("text must not be empty")
    model = check_model(model)
    if model.vocab_size != tok.vocab_size:
        raise ValueError(f"model has {model.vocab_size} tokens but tokenizer has {tok.vocab_size}")
    k = getattr(model, "order", None)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError("model must have a finite context length (an integer attribute model.order >= 0)")
    data = s.encode("utf-8")
    table = _segment_table(tok, data)
    # forward recursion: states[i] maps the last min(k, t) tokens to (log mass, number of paths)
    states: list[dict] = [dict() for _ in range(len(data) + 1)]
    states[0][()] = (0.0, 1)
    cache: dict[tuple, np.ndarray] = {}
    for i in range(len(data)):
        for ctx, (la, npaths) in states[i].items():
            if ctx not in cache:
                cache[ctx] = np.asarray(model.next_token_logprobs(np.array(ctx, dtype=np.int64)), dtype=float)
            lp = cache[ctx]
            for t, end in table[i]:
                nxt = (ctx + (t,))[-k:] if k else ()
                val = la + lp[t]
                old = states[end].get(nxt)
                states[end][nxt] = (val, npaths) if old is None else (float(logsumexp([old[0], val])), old[1] + npaths)
    final = list(states[-1].values())
    marginal = -float(logsumexp([v for v, _ in final]))
    canonical = -model.log_prob(tok.encode(s), base=math.e)
    return SegmentationCode(canonical / lb, marginal / lb, int(sum(n for _, n in final)), len(data), lb)
