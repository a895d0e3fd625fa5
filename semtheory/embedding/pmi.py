"""Words, co-occurrences and PMI: word tokens, co-occurrence counts, (shifted) PMI and SGNS's optimum and weights.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.  The factorisations of these
matrices (weighted, SVD) and the geometry of the vectors are in :mod:`semtheory.embedding.factorisation`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import NamedTuple

import numpy as np
import scipy.sparse as sps

from ..core.types import ArrayLike, FloatArray
from .._validate import as_float, as_token_ids, check_flag, check_int, check_positive, log_base
from ._common import check_counts

#: Words are maximal runs of ASCII letters of the lowercased text.
WORD_PATTERN = r"[a-z]+"


# ==============================================================================================
# Words, co-occurrences and PMI
# ==============================================================================================




class WordTokens(NamedTuple):
    """A tokenised text: ``ids`` (``-1`` for words outside the vocabulary), ``words`` (id -> word), ``counts``.

    Attributes
    ----------
    ids : numpy.ndarray of int, shape (n_words_in_text,)
        The token stream, one id per word of the text (``-1`` outside the vocabulary).
    words : tuple of str
        The vocabulary, most frequent first; ``words[i]`` is the word of id ``i``.
    counts : numpy.ndarray of int, shape (len(words),)
        The number of occurrences of each vocabulary word.
    """

    ids: np.ndarray
    words: tuple
    counts: np.ndarray

    def index(self, word: str) -> int:
        """The id of ``word`` (``ValueError`` naming it if it is not in the vocabulary)."""
        try:
            return self.words.index(word)
        except ValueError:
            raise ValueError(f"word {word!r} is not in the vocabulary") from None


def word_tokens(text: str, *, min_count: int = 1, max_vocab: int | None = None) -> WordTokens:
    r"""Lowercase word tokens of ``text`` (regex ``WORD_PATTERN``) with a frequency-ordered vocabulary.

    The vocabulary keeps the words seen at least ``min_count`` times, at most ``max_vocab`` of them,
    ordered by decreasing count (ties alphabetically, so it is a deterministic function of the text).  The
    token stream keeps every word in place; a word outside the vocabulary gets id ``-1`` so that distances
    between the others are unchanged.  Chapter 9.

    Parameters
    ----------
    text : str
        The text.
    min_count : int, keyword-only, default 1
        Smallest count of a vocabulary word, at least 1.
    max_vocab : int or None, keyword-only, default None
        Largest vocabulary size (None: no limit).

    Returns
    -------
    WordTokens
        Token ids, vocabulary and counts.

    Examples
    --------
    >>> word_tokens("The cat saw the dog.").words
    ('the', 'cat', 'dog', 'saw')
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    min_count = check_int(min_count, "min_count", minimum=1)
    if max_vocab is not None:
        max_vocab = check_int(max_vocab, "max_vocab", minimum=1)
    words = re.findall(WORD_PATTERN, text.lower())
    if not words:
        raise ValueError("text contains no words (no run of letters a-z)")
    cnt = Counter(words)
    vocab = sorted((w for w, n in cnt.items() if n >= min_count), key=lambda w: (-cnt[w], w))
    if max_vocab is not None:
        vocab = vocab[:max_vocab]
    if not vocab:
        raise ValueError(f"no word occurs at least min_count={min_count} times")
    idx = {w: i for i, w in enumerate(vocab)}
    ids = np.fromiter((idx.get(w, -1) for w in words), dtype=np.int64, count=len(words))
    return WordTokens(ids, tuple(vocab), np.array([cnt[w] for w in vocab], dtype=np.int64))


def cooccurrence(ids: ArrayLike, vocab_size: int, window: int = 2, *, weighting: str = "harmonic") -> sps.csr_matrix:
    r"""Symmetric co-occurrence counts :math:`\#(w, c)` of tokens at distance :math:`1 \le \delta \le` ``window``.

    Each ordered pair of positions :math:`(i, i\pm\delta)` adds a weight to cell ``(ids[i], ids[i±δ])``:
    1 (``weighting="uniform"``) or :math:`1/\delta` (``"harmonic"``: nearer neighbours count more; word2vec's
    randomly shrunk window weights :math:`\delta` by :math:`(w-\delta+1)/w` on average, the same for
    :math:`w \le 2`).  Pairs with an id of ``-1`` (out of vocabulary) are skipped.
    Returns a ``vocab_size`` x ``vocab_size`` ``scipy.sparse.csr_matrix``.  Chapter 9.

    Parameters
    ----------
    ids : array_like of int, shape (n,)
        The token stream, ids in ``[-1, vocab_size - 1]`` (``-1``: out of vocabulary).
    vocab_size : int
        Number of tokens ``V``, at least 1.
    window : int, default 2
        Largest distance :math:`\delta`, at least 1.
    weighting : {"harmonic", "uniform"}, keyword-only, default "harmonic"
        Weight :math:`1/\delta` or 1 per pair.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (V, V)
        The symmetric (weighted) counts.
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    x = as_token_ids(ids, "ids", vocab_size=V, minimum=-1, nonempty=False)
    window = check_int(window, "window", minimum=1)
    if weighting not in ("uniform", "harmonic"):
        raise ValueError(f"weighting must be 'uniform' or 'harmonic', got {weighting!r}")
    rows, cols, vals = [], [], []
    for d in range(1, min(window, max(len(x) - 1, 0)) + 1):
        a, b = x[:-d], x[d:]
        m = (a >= 0) & (b >= 0)
        w = 1.0 if weighting == "uniform" else 1.0 / d
        rows += [a[m], b[m]]
        cols += [b[m], a[m]]
        vals += [np.full(int(m.sum()), w)] * 2
    if not rows:
        return sps.csr_matrix((V, V))
    C = sps.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(V, V))
    return C.tocsr()


def _marginals(C: sps.csr_matrix, alpha: float):
    D = float(C.sum())
    nw = np.asarray(C.sum(axis=1)).ravel()
    nc = np.asarray(C.sum(axis=0)).ravel()
    pc = nc**alpha
    pc = pc / pc.sum()
    return D, nw, pc


def pmi_matrix(counts: ArrayLike | sps.spmatrix, *, alpha: float = 1.0, base: float = 2) -> np.ndarray:
    r"""Dense pointwise mutual information :math:`\mathrm{PMI}(w,c) = \log \frac{\#(w,c)/D}{(\#(w)/D)\,P_\alpha(c)}`.

    :math:`D = \sum_{w,c} \#(w,c)`, :math:`\#(w) = \sum_c \#(w,c)`, and the context law is smoothed,
    :math:`P_\alpha(c) = \#(c)^\alpha / \sum_{c'} \#(c')^\alpha` (``alpha=1``: the plain marginal, PMI exactly
    :math:`\log\frac{p(w,c)}{p(w)p(c)}`; 0.75 is word2vec's choice, Levy et al. 2015).  Cells never seen are
    :math:`-\infty`.  Units of ``base`` (bits by default; ``base=math.e`` for nats).  For large vocabularies use the sparse
    :func:`shifted_pmi`.  Chapter 9.

    Parameters
    ----------
    counts : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        Non-negative finite co-occurrence counts :math:`\#(w, c)` (e.g. from :func:`cooccurrence`), not all zero.
    alpha : float, keyword-only, default 1.0
        Exponent of the context smoothing, positive.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (n_words, n_contexts)
        PMI in units of log ``base`` (bits by default); ``-inf`` on unobserved cells.

    Examples
    --------
    >>> round(float(pmi_matrix(np.array([[2.0, 0.0], [0.0, 2.0]]))[0, 0]), 12)  # log2 of (1/2) / (1/2 * 1/2)
    1.0
    """
    C = check_counts(counts)
    a = check_positive(alpha, "alpha")
    lb = log_base(base)
    D, nw, pc = _marginals(C, a)
    dense = C.toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(dense) + math.log(D) - np.log(nw)[:, None] - np.log(D * pc)[None, :]
    out[dense == 0] = -np.inf
    return out / lb


def shifted_pmi(counts: ArrayLike | sps.spmatrix, k: float = 1.0, *, positive: bool = True,
                alpha: float = 1.0) -> sps.csr_matrix:
    r"""Sparse shifted PMI :math:`M_{wc} = \mathrm{PMI}(w,c) - \log k` on the observed cells (nats).

    ``positive=True`` (SPPMI) keeps :math:`\max(M_{wc}, 0)` and drops the zeros; ``positive=False`` keeps the
    signed values on observed cells and puts 0 on unobserved ones (the ":math:`\mathrm{PMI}_0`" convention,
    since :math:`-\infty` cannot be factorised).  ``k`` is the number of negative samples of SGNS, whose
    optimum is :math:`\langle w, c\rangle = \mathrm{PMI}(w,c) - \log k` (Levy and Goldberg 2014; see
    :func:`sgns_optimal_inner_product`).  ``alpha`` smooths the context law as in :func:`pmi_matrix`.
    Chapter 9.

    Parameters
    ----------
    counts : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        Non-negative finite co-occurrence counts :math:`\#(w, c)` (e.g. from :func:`cooccurrence`), not all zero.
    k : float, default 1.0
        Number of negative samples, positive (the shift is :math:`\log k`).
    positive : bool, keyword-only, default True
        Keep only the positive part (SPPMI).
    alpha : float, keyword-only, default 1.0
        Exponent of the context smoothing, positive.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_words, n_contexts)
        The shifted (positive) PMI on the observed cells, in nats.
    """
    C = check_counts(counts).tocoo()
    k = check_positive(k, "k")
    positive = check_flag(positive, "positive")
    a = check_positive(alpha, "alpha")
    D, nw, pc = _marginals(C.tocsr(), a)
    m = C.data > 0
    r, c, n = C.row[m], C.col[m], C.data[m]
    val = np.log(n) + math.log(D) - np.log(nw[r]) - np.log(D * pc[c]) - math.log(k)
    if positive:
        keep = val > 0
        r, c, val = r[keep], c[keep], val[keep]
    return sps.csr_matrix((val, (r, c)), shape=C.shape)


def sgns_optimal_inner_product(pair_count: ArrayLike, word_count: ArrayLike, context_count: ArrayLike, total: ArrayLike,
                               k: float = 1.0) -> float:
    r"""The per-pair optimum of skip-gram with negative sampling: :math:`z^\ast = \log\frac{\#(w,c)\,D}{\#(w)\,\#(c)} - \log k`.

    The SGNS objective of one pair, :math:`\#(w,c)\log\sigma(z) + k\,\frac{\#(w)\#(c)}{D}\log\sigma(-z)`
    with :math:`z = \langle w, c\rangle`, is concave in :math:`z` and stationary exactly there (the sympy
    derivation :func:`semtheory.symbolic.embedding.sgns_optimum`).  Nats.  Chapter 9.

    Parameters
    ----------
    pair_count : float or array_like
        :math:`\#(w, c)`, the count of the pair.
    word_count : float or array_like
        :math:`\#(w)`, the count of the word.
    context_count : float or array_like
        :math:`\#(c)`, the count of the context.
    total : float or array_like
        :math:`D`, the total count.
    k : float, default 1.0
        Number of negative samples, positive.

    Returns
    -------
    float
        The optimal inner product :math:`z^\ast`, in nats.

    Examples
    --------
    >>> abs(sgns_optimal_inner_product(2, 4, 5, 18) - math.log(2 * 18 / (4 * 5))) < 1e-12
    True
    """
    n = check_positive(pair_count, "pair_count")
    nw = check_positive(word_count, "word_count")
    nc = check_positive(context_count, "context_count")
    D = check_positive(total, "total")
    k = check_positive(k, "k")
    return math.log(n) + math.log(D) - math.log(nw) - math.log(nc) - math.log(k)


def sgns_weight(pair_count: ArrayLike, word_count: ArrayLike, context_count: ArrayLike, total: ArrayLike,
                k: float = 1.0) -> float | FloatArray:
    r"""The curvature of the per-pair SGNS objective at its optimum: :math:`w_{wc} = \frac{a\,b}{a + b}`.

    With :math:`a = \#(w,c)` (positive draws) and :math:`b = k\,\#(w)\#(c)/D` (expected negative draws),
    :math:`\ell''(z) = -(a + b)\,\sigma(z)\sigma(-z)` and :math:`\sigma(z^\ast)\sigma(-z^\ast) = ab/(a+b)^2`, so
    :math:`\ell(z) = \ell(z^\ast) - \tfrac12 w_{wc}(z - z^\ast)^2 + O((z-z^\ast)^3)`: to second order SGNS is a
    least-squares fit of the shifted PMI weighted by :math:`w_{wc}` (counts per pair; the truncated SVD weights
    every cell equally).  Vectorised over array arguments (``pair_count`` may be 0: weight 0).  Chapter 9.

    Parameters
    ----------
    pair_count : float or array_like
        :math:`\#(w, c)`, the count of the pair.
    word_count : float or array_like
        :math:`\#(w)`, the count of the word.
    context_count : float or array_like
        :math:`\#(c)`, the count of the context.
    total : float or array_like
        :math:`D`, the total count.
    k : float, default 1.0
        Number of negative samples, positive.

    Returns
    -------
    float or numpy.ndarray
        The weight :math:`w_{wc} = ab/(a + b)`, in counts (the shape of the broadcast arguments).
    """
    a = as_float(pair_count, "pair_count")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError("pair_count must be finite and >= 0")
    nw = as_float(word_count, "word_count")
    nc = as_float(context_count, "context_count")
    for v, name in ((nw, "word_count"), (nc, "context_count")):
        if not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise ValueError(f"{name} must be finite and > 0")
    D = check_positive(total, "total")
    k = check_positive(k, "k")
    b = k * nw * nc / D
    w = a * b / (a + b)
    return float(w) if w.ndim == 0 else w


def sgns_least_squares(counts: ArrayLike | sps.spmatrix, k: float = 1.0, *,
                       alpha: float = 1.0) -> tuple[sps.csr_matrix, sps.csr_matrix]:
    r"""The second-order (least-squares) form of SGNS on the observed pairs: ``(target, weights)``, sparse.

    On each observed cell, ``target`` :math:`z^\ast_{wc} = \log(a/b)` and ``weights`` :math:`\omega_{wc} = ab/(a+b)`
    with :math:`a = \#(w,c)` and :math:`b = k\,\#(w)\,P_\alpha(c)` the expected number of negative draws
    (:func:`sgns_optimal_inner_product`, :func:`sgns_weight`).  Both matrices have exactly the observed cells
    as their structure (zeros of ``target`` are stored).  Maximising SGNS is, to second order around the
    optimum, minimising :math:`\sum \omega_{wc}(\langle w, c\rangle - z^\ast_{wc})^2`; unobserved pairs (where the
    SGNS optimum is :math:`-\infty`) are left out.  Nats.  Chapter 9.

    Parameters
    ----------
    counts : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        Non-negative finite co-occurrence counts :math:`\#(w, c)` (e.g. from :func:`cooccurrence`), not all zero.
    k : float, default 1.0
        Number of negative samples, positive.
    alpha : float, keyword-only, default 1.0
        Exponent of the context smoothing, positive.

    Returns
    -------
    target : scipy.sparse.csr_matrix, shape (n_words, n_contexts)
        :math:`z^\ast_{wc}` on the observed cells, in nats.
    weights : scipy.sparse.csr_matrix, shape (n_words, n_contexts)
        :math:`\omega_{wc}` on the same cells, in counts.
    """
    C = check_counts(counts).tocoo()
    k = check_positive(k, "k")
    D, nw, pc = _marginals(C.tocsr(), check_positive(alpha, "alpha"))
    m = C.data > 0
    r, c, a = C.row[m], C.col[m], C.data[m].astype(float)
    b = k * nw[r] * pc[c]
    z = np.log(a) - np.log(b)
    w = a * b / (a + b)
    mk = lambda v: sps.csr_matrix((v, (r, c)), shape=C.shape)  # noqa: E731
    return mk(z), mk(w)
