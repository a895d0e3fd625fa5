"""Words, co-occurrences and PMI: counts, (shifted) PMI, SGNS, weighted and SVD factorisations, analogies.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import scipy.sparse as sps
from scipy.linalg import cho_factor as _cho_factor, cho_solve as _cho_solve

from ..core.types import ArrayLike, FloatArray, SeedLike
from .._validate import as_array as _asarray
from .._validate import (
    as_float,
    as_rng,
    check_flag,
    check_int,
    check_positive,
    check_probability,
    check_seed,
    log_base,
)
from ._common import as_real_matrix, check_counts, sparse_real

#: Words are maximal runs of ASCII letters of the lowercased text.
WORD_PATTERN = r"[a-z]+"
_DENSE_SVD_MAX = 300  # below this many rows/columns truncated_svd uses an exact dense SVD


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


def _as_ids(ids, vocab_size: int) -> np.ndarray:
    arr = _asarray(ids, "ids")
    if arr.ndim != 1:
        raise ValueError(f"ids must be a 1-D sequence of token ids, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"ids must hold integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < -1 or arr.max() >= vocab_size):
        raise ValueError(f"ids must lie in [-1, vocab_size - 1] = [-1, {vocab_size - 1}] (-1 = out of vocabulary)")
    return arr


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
    x = _as_ids(ids, V)
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


class WeightedFit(NamedTuple):
    r"""A weighted rank-:math:`d` factorisation :math:`Z \approx WC^\T`: ``words`` :math:`W`, ``contexts`` :math:`C`,
    and ``objective`` after each half-sweep (non-increasing), starting with the initial value.

    Attributes
    ----------
    words : numpy.ndarray, shape (n_words, d)
        The factor :math:`W`.
    contexts : numpy.ndarray, shape (n_contexts, d)
        The factor :math:`C`.
    objective : numpy.ndarray, shape (2 * sweeps + 1,)
        :math:`J` at the start and after each half-sweep (squared units of ``target``).
    """

    words: np.ndarray
    contexts: np.ndarray
    objective: np.ndarray


def _als_half(rows, cols, z, w, n, F, reg):
    """Solve every row of the updated factor: (F_S^T diag(w) F_S + reg I) x = F_S^T diag(w) z_S."""
    d = F.shape[1]
    X = np.zeros((n, d))
    ridge = reg * np.eye(d)
    order = np.argsort(rows, kind="stable")
    rows, cols, z, w = rows[order], cols[order], z[order], w[order]
    bounds = np.searchsorted(rows, np.arange(n + 1))
    for i in range(n):
        s = slice(bounds[i], bounds[i + 1])
        Fs = F[cols[s]]
        Fw = Fs * w[s, None]
        A, b = Fw.T @ Fs + ridge, Fw.T @ z[s]
        try:  # symmetric positive definite when reg > 0: a Cholesky solve (much faster than a batched LU)
            X[i] = _cho_solve(_cho_factor(A, check_finite=False), b, check_finite=False)
        except np.linalg.LinAlgError:  # reg = 0 and a singular Gram matrix: the minimum-norm minimiser
            X[i] = np.linalg.lstsq(A, b, rcond=None)[0]
    return X


def weighted_factorisation(target: ArrayLike | sps.spmatrix, weights: ArrayLike | sps.spmatrix, d: int, *,
                           init: tuple[ArrayLike, ArrayLike] | None = None, sweeps: int = 10, reg: float = 1e-3,
                           seed: SeedLike = 0) -> WeightedFit:
    r"""Weighted low-rank factorisation by alternating least squares: :math:`\min_{W,C} J`,

    .. math:: J(W, C) = \sum_{(w,c):\ \omega_{wc} > 0} \omega_{wc}\,(\langle W_w, C_c\rangle - z_{wc})^2
              + \lambda(\lVert W\rVert_F^2 + \lVert C\rVert_F^2).

    ``weights`` (dense or sparse, :math:`\ge 0`) selects and weights the cells; ``target`` gives :math:`z` there.
    Each half-sweep solves every row of one factor exactly (a ridge regression per row), so :math:`J` never
    increases.  ``init`` = ``(W0, C0)`` (e.g. from :func:`svd_embeddings`) or ``None`` (Gaussian, ``seed``).
    With all weights equal on a complete matrix and ``reg`` = 0 the minimum is the truncated SVD's (Eckart and
    Young); SGNS's second-order form (:func:`sgns_least_squares`) is the case that chapter 9 compares with the
    unweighted SVD (Levy, Goldberg and Dagan 2015).  Chapter 9.

    Parameters
    ----------
    target : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The values :math:`z_{wc}`, finite on the weighted cells.
    weights : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The weights :math:`\omega_{wc} \ge 0`, at least one positive.
    d : int
        Rank, in ``[1, min(n_words, n_contexts)]``.
    init : tuple of array_like or None, keyword-only, default None
        Starting factors ``(W0, C0)`` of shapes ``(n_words, d)`` and ``(n_contexts, d)`` (None: Gaussian).
    sweeps : int, keyword-only, default 10
        Number of sweeps (each updates :math:`W`, then :math:`C`), at least 1.
    reg : float, keyword-only, default 1e-3
        Ridge weight :math:`\lambda \ge 0`.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the Gaussian start (used when ``init`` is None).

    Returns
    -------
    WeightedFit
        The factors and the objective after each half-sweep.
    """
    Wt = (sparse_real(weights, "weights") if sps.issparse(weights) else sps.csr_matrix(as_real_matrix(weights, "weights"))).tocoo()
    if Wt.data.size and (not np.all(np.isfinite(Wt.data)) or Wt.data.min() < 0):
        raise ValueError("weights must be finite and >= 0")
    keep = Wt.data > 0
    rows, cols, w = Wt.row[keep], Wt.col[keep], Wt.data[keep].astype(float)
    if not w.size:
        raise ValueError("weights must have at least one positive cell")
    if sps.issparse(target):
        Z = sparse_real(target, "target")
    else:
        Z = as_real_matrix(target, "target")
    if Z.shape != Wt.shape:
        raise ValueError(f"target and weights must have the same shape, got {Z.shape} and {Wt.shape}")
    z = np.asarray(Z[rows, cols], dtype=float).ravel()
    if not np.all(np.isfinite(z)):
        raise ValueError("target must be finite on the weighted cells")
    n, m = Wt.shape
    d = check_int(d, "d", minimum=1, maximum=min(n, m))
    sweeps = check_int(sweeps, "sweeps", minimum=1)
    reg = check_positive(reg, "reg", allow_zero=True)
    if init is None:
        rng = as_rng(seed)
        W, C = rng.standard_normal((n, d)) / math.sqrt(d), rng.standard_normal((m, d)) / math.sqrt(d)
    else:
        if isinstance(init, (str, bytes)) or not hasattr(init, "__len__") or len(init) != 2:
            raise ValueError(f"init must be None or a pair (W0, C0) of arrays, got {type(init).__name__}")
        W, C = (np.array(as_real_matrix(x, "init"), dtype=float) for x in init)
        if W.shape != (n, d) or C.shape != (m, d):
            raise ValueError(f"init must be a pair of arrays of shapes ({n}, {d}) and ({m}, {d})")

    def J(W, C):
        res = np.einsum("ij,ij->i", W[rows], C[cols]) - z
        return float((w * res**2).sum() + reg * ((W**2).sum() + (C**2).sum()))

    obj = [J(W, C)]
    for _ in range(sweeps):
        W = _als_half(rows, cols, z, w, n, C, reg)
        obj.append(J(W, C))
        C = _als_half(cols, rows, z, w, m, W, reg)
        obj.append(J(W, C))
    return WeightedFit(W, C, np.array(obj))


class FactorisationErrors(NamedTuple):
    r"""Errors of a factorisation :math:`P = WC^\T` of :math:`M` (:func:`factorisation_errors`): ``weighted``
    :math:`\sum_{\omega>0}\omega(P - M)^2`, ``frobenius`` :math:`\lVert M - P\rVert_F^2` over every cell, and the
    part of it on the cells of zero weight, ``unweighted_cells``.

    Attributes
    ----------
    weighted : float
        :math:`\sum_{\omega>0}\omega(P - M)^2` (weights times squared units of :math:`M`).
    frobenius : float
        :math:`\lVert M - P\rVert_F^2` (squared units of :math:`M`).
    unweighted_cells : float
        The part of ``frobenius`` on the cells of weight 0.
    """

    weighted: float
    frobenius: float
    unweighted_cells: float


def _factor_pair(W, C, shape) -> tuple[np.ndarray, np.ndarray]:
    W, C = as_real_matrix(W, "W"), as_real_matrix(C, "C")
    if W.shape[0] != shape[0] or C.shape[0] != shape[1] or W.shape[1] != C.shape[1]:
        raise ValueError(f"W and C must have shapes ({shape[0]}, d) and ({shape[1]}, d), got {W.shape} and {C.shape}")
    return W, C


def _sparse_finite(M, name: str) -> sps.csr_matrix:
    A = sparse_real(M, name) if sps.issparse(M) else sps.csr_matrix(as_real_matrix(M, name))
    if not np.all(np.isfinite(A.data)):
        raise ValueError(f"{name} contains NaN or inf")
    return A


def factorisation_errors(W: ArrayLike, C: ArrayLike, M: ArrayLike | sps.spmatrix,
                         weights: ArrayLike | sps.spmatrix) -> FactorisationErrors:
    r"""Both objectives of chapter 9's comparison for one factorisation :math:`P = WC^\T` of :math:`M`.

    ``weighted`` is :math:`\sum_{\omega_{xc}>0}\omega_{xc}(\langle W_x, C_c\rangle - M_{xc})^2` (the data term of
    :func:`weighted_factorisation`, without the ridge), ``frobenius`` is :math:`\lVert M - WC^\T\rVert_F^2` over
    every cell, computed without forming :math:`WC^\T` as
    :math:`\lVert M\rVert_F^2 - 2\operatorname{tr}(W^\T M C) + \operatorname{tr}(W^\T W\, C^\T C)`, and
    ``unweighted_cells`` is the part of ``frobenius`` on the cells of weight 0.  ``M`` and ``weights`` are dense
    or ``scipy.sparse`` of one shape; ``weights`` :math:`\ge 0`.  Squared nats when :math:`M` is a PMI.  The
    truncated SVD minimises ``frobenius`` over rank :math:`d` (Eckart and Young); the SGNS-weighted fit targets
    ``weighted``.  Chapter 9.

    Parameters
    ----------
    W : array_like, shape (n_words, d)
        The word factor.
    C : array_like, shape (n_contexts, d)
        The context factor.
    M : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The matrix factorised (finite).
    weights : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The weights :math:`\omega \ge 0`.

    Returns
    -------
    FactorisationErrors
        Both objectives and the error on the zero-weight cells (squared nats when :math:`M` is a PMI).
    """
    A = _sparse_finite(M, "M")
    Om = _sparse_finite(weights, "weights").tocoo()
    if Om.shape != A.shape:
        raise ValueError(f"M and weights must have the same shape, got {A.shape} and {Om.shape}")
    if Om.data.size and Om.data.min() < 0:
        raise ValueError("weights must be >= 0")
    W, C = _factor_pair(W, C, A.shape)
    keep = Om.data > 0
    r, c, w = Om.row[keep], Om.col[keep], Om.data[keep]
    res = np.einsum("ij,ij->i", W[r], C[c]) - np.asarray(A[r, c], dtype=float).ravel()
    fro = A.multiply(A).sum() - 2.0 * float(np.sum(W * (A @ C))) + float(np.sum((W.T @ W) * (C.T @ C)))
    fro = max(float(fro), 0.0)
    return FactorisationErrors(float((w * res**2).sum()), fro, max(fro - float((res**2).sum()), 0.0))


def pair_correlations(W: ArrayLike, C: ArrayLike, M: ArrayLike | sps.spmatrix, counts: ArrayLike | sps.spmatrix, *,
                      rare: float = 0.5, frequent: float = 0.9) -> tuple[float, float, float]:
    r"""Pearson correlation of :math:`\langle W_x, C_c\rangle` with :math:`M_{xc}` on the stored non-zero cells of
    ``M``: over all of them, over the *rare* pairs (count at most the ``rare`` quantile of the counts of those
    cells) and over the *frequent* ones (count at least the ``frequent`` quantile).  ``counts`` is the
    co-occurrence matrix (:func:`cooccurrence`) of the same shape.  Returns ``(all, rare, frequent)``.  Chapter 9.

    Parameters
    ----------
    W : array_like, shape (n_words, d)
        The word factor.
    C : array_like, shape (n_contexts, d)
        The context factor.
    M : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The target matrix; its stored non-zero cells are compared (at least three).
    counts : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The co-occurrence counts that define rare and frequent pairs.
    rare : float, keyword-only, default 0.5
        Quantile of the counts at or below which a pair is rare, in :math:`[0, 1]`.
    frequent : float, keyword-only, default 0.9
        Quantile of the counts at or above which a pair is frequent, in :math:`[0, 1]`.

    Returns
    -------
    tuple of float
        ``(all, rare, frequent)``: Pearson correlations, dimensionless in :math:`[-1, 1]`.
    """
    A = _sparse_finite(M, "M").tocoo()
    Cn = check_counts(counts)
    if Cn.shape != A.shape:
        raise ValueError(f"M and counts must have the same shape, got {A.shape} and {Cn.shape}")
    lo, hi = check_probability(rare, "rare"), check_probability(frequent, "frequent")
    W, C = _factor_pair(W, C, A.shape)
    keep = A.data != 0
    r, c, m = A.row[keep], A.col[keep], A.data[keep]
    if m.size < 3:
        raise ValueError("M must have at least three non-zero cells")
    inner = np.einsum("ij,ij->i", W[r], C[c])
    n = np.asarray(Cn.tocsr()[r, c], dtype=float).ravel()
    out = []
    for s in (np.ones(m.size, bool), n <= np.quantile(n, lo), n >= np.quantile(n, hi)):
        if s.sum() < 2 or not (np.std(inner[s]) > 0 and np.std(m[s]) > 0):
            raise ValueError("a correlation is undefined: a group of cells has constant values")
        out.append(float(np.corrcoef(inner[s], m[s])[0, 1]))
    return tuple(out)


def _sign_fix(U: np.ndarray, Vt: np.ndarray):
    """Make the largest-|.| entry of each left singular vector positive (deterministic signs)."""
    j = np.argmax(np.abs(U), axis=0)
    s = np.sign(U[j, np.arange(U.shape[1])])
    s[s == 0] = 1.0
    return U * s, Vt * s[:, None]


def truncated_svd(M: ArrayLike | sps.spmatrix, d: int, *, seed: SeedLike = 0, n_iter: int = 6,
                  oversample: int = 10) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""The leading ``d`` singular triplets :math:`M \approx U_d \Sigma_d V_d^\T` of a dense or sparse matrix.

    Small matrices (at most 300 rows or columns) and ``d`` close to full rank use an exact dense SVD; larger
    ones the randomised range finder with ``n_iter`` power iterations (Halko, Martinsson and Tropp 2011),
    which only multiplies by :math:`M` and :math:`M^\T` (so a ``scipy.sparse`` matrix stays sparse) and is
    deterministic under ``seed``.  Signs are fixed so that each column of :math:`U` has its largest entry
    positive.  Returns ``(U, s, Vt)`` with ``s`` decreasing.  Chapter 9.

    Parameters
    ----------
    M : array_like or scipy.sparse matrix, shape (n, m)
        A finite real matrix.
    d : int
        Number of triplets, in ``[1, min(n, m)]``.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the randomised range finder.
    n_iter : int, keyword-only, default 6
        Power iterations, at least 0.
    oversample : int, keyword-only, default 10
        Extra columns of the random sketch, at least 0.

    Returns
    -------
    U : numpy.ndarray, shape (n, d)
        Left singular vectors (orthonormal columns).
    s : numpy.ndarray, shape (d,)
        Singular values, decreasing, in the units of ``M``.
    Vt : numpy.ndarray, shape (d, m)
        Right singular vectors (orthonormal rows).
    """
    if sps.issparse(M):
        A = sparse_real(M, "M")
        if not np.all(np.isfinite(A.data)):
            raise ValueError("M contains NaN or inf")
    else:
        A = as_real_matrix(M, "M")
    check_seed(seed)  # refused even where the exact dense SVD does not draw
    n, m = A.shape
    d = check_int(d, "d", minimum=1, maximum=min(n, m))
    n_iter = check_int(n_iter, "n_iter", minimum=0)
    oversample = check_int(oversample, "oversample", minimum=0)
    if min(n, m) <= _DENSE_SVD_MAX or d + oversample >= min(n, m):
        dense = A.toarray() if sps.issparse(A) else A
        U, s, Vt = np.linalg.svd(dense, full_matrices=False)
        U, Vt = _sign_fix(U[:, :d], Vt[:d])
        return U, s[:d], Vt
    rng = as_rng(seed)
    Q = _orth(A @ rng.standard_normal((m, d + oversample)))
    for _ in range(n_iter):
        Q = _orth(A.T @ Q)
        Q = _orth(A @ Q)
    Bt = np.asarray(A.T @ Q)  # B^T with B = Q^T A, computed so that a sparse A stays on the left
    w, Ub = np.linalg.eigh(Bt.T @ Bt)  # B B^T = U_b diag(s^2) U_b^T (a small matrix)
    order = np.argsort(w)[::-1][:d]
    s = np.sqrt(np.maximum(w[order], 0.0))
    Ub = Ub[:, order]
    Vt = (Bt @ Ub / np.where(s > 0, s, 1.0)).T
    U, Vt = _sign_fix(Q @ Ub, Vt)
    return U, s, Vt


def _orth(Y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of a tall ``Y`` by symmetric orthogonalisation, applied twice.

    Uses only matrix products and a small eigen-decomposition (no tall QR, which is slow on a busy machine).
    """
    for _ in range(2):
        w, V = np.linalg.eigh(Y.T @ Y)
        keep = w > w.max() * 1e-13
        Y = Y @ (V[:, keep] / np.sqrt(w[keep]))
    return Y


class Embeddings(NamedTuple):
    r"""Factors of a matrix :math:`M \approx WC^\T`: ``words`` :math:`W = U_d\Sigma_d^{p}`, ``contexts``
    :math:`C = V_d\Sigma_d^{1-p}`, and the ``singular_values`` :math:`\Sigma_d`.

    Attributes
    ----------
    words : numpy.ndarray, shape (n_words, d)
        :math:`W = U_d\Sigma_d^{p}`.
    contexts : numpy.ndarray, shape (n_contexts, d)
        :math:`C = V_d\Sigma_d^{1-p}`.
    singular_values : numpy.ndarray, shape (d,)
        :math:`\Sigma_d`, decreasing, in the units of :math:`M`.
    """

    words: np.ndarray
    contexts: np.ndarray
    singular_values: np.ndarray


def svd_embeddings(M: ArrayLike | sps.spmatrix, d: int, *, power: float = 0.5, seed: SeedLike = 0) -> Embeddings:
    r"""Word and context vectors from the rank-``d`` truncated SVD of ``M`` (e.g. :func:`shifted_pmi`).

    :math:`W = U_d \Sigma_d^{p}` and :math:`C = V_d \Sigma_d^{1-p}` with :math:`p` = ``power`` in [0, 1], so
    :math:`W C^\T = U_d \Sigma_d V_d^\T` is the best rank-:math:`d` approximation of :math:`M` (Eckart--Young)
    and equals :math:`M` at full rank.  :math:`p = 1/2` is the symmetric split of Levy, Goldberg and Dagan
    (2015).  Put the rows on the unit sphere with :func:`to_sphere`.  Chapter 9.

    Parameters
    ----------
    M : array_like or scipy.sparse matrix, shape (n_words, n_contexts)
        The matrix factorised (finite).
    d : int
        Dimension, in ``[1, min(n_words, n_contexts)]``.
    power : float, keyword-only, default 0.5
        The exponent :math:`p \in [0, 1]` of the singular values given to the words.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of :func:`truncated_svd`.

    Returns
    -------
    Embeddings
        Word and context vectors and the singular values.
    """
    p = check_probability(power, "power")
    U, s, Vt = truncated_svd(M, d, seed=seed)
    return Embeddings(U * s**p, Vt.T * s ** (1 - p), s)


def to_sphere(X: ArrayLike) -> np.ndarray:
    r"""Rows of ``X`` divided by their Euclidean norms: points on the unit sphere :math:`S^{d-1}`.

    On the sphere the inner product is the cosine similarity.  A zero row (a word with no positive
    association at all) has no direction and stays zero, so its cosine with everything is 0.  Chapter 9.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Vectors, one per row.

    Returns
    -------
    numpy.ndarray, shape (n, d)
        The rows with unit norm (zero rows stay zero).

    Examples
    --------
    >>> to_sphere([[3.0, 4.0], [0.0, 0.0]]).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    return _sphere(X, "X")


def _sphere(X, name: str) -> np.ndarray:
    A = as_real_matrix(X, name)
    n = np.linalg.norm(A, axis=1, keepdims=True)
    return np.divide(A, n, out=np.zeros_like(A), where=n > 0)


def _check_row(i, n: int, name: str) -> int:
    return check_int(i, name, minimum=0, maximum=n - 1)


def nearest(E: ArrayLike, i: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    r"""The ``k`` rows of ``E`` with the largest cosine similarity to row ``i`` (itself excluded).

    Returns ``(indices, cosines)``, most similar first (ties by index).  Chapter 9.

    Parameters
    ----------
    E : array_like, shape (n, d)
        Embeddings, one per row.
    i : int
        The query row, in ``[0, n - 1]``.
    k : int, default 5
        Number of neighbours, in ``[1, n - 1]``.

    Returns
    -------
    indices : numpy.ndarray of int, shape (k,)
        The neighbours, most similar first.
    cosines : numpy.ndarray, shape (k,)
        Their cosine similarities with row ``i`` (dimensionless, in :math:`[-1, 1]`).
    """
    S = _sphere(E, "E")
    i = _check_row(i, S.shape[0], "i")
    k = check_int(k, "k", minimum=1, maximum=S.shape[0] - 1)
    cos = S @ S[i]
    cos[i] = -np.inf
    order = np.lexsort((np.arange(len(cos)), -cos))[:k]
    return order, cos[order]


def analogy(E: ArrayLike, a: int, b: int, c: int, k: int = 1) -> np.ndarray:
    r"""Answer ":math:`a` is to :math:`b` as :math:`c` is to ?" by 3CosAdd: the rows closest to :math:`\hat b - \hat a + \hat c`.

    :math:`\arg\max_{x \notin \{a,b,c\}} \cos(x, b) - \cos(x, a) + \cos(x, c)` on unit-norm rows (Mikolov et al.
    2013; Levy and Goldberg 2014).  Returns the ``k`` best indices.  Chapter 9.

    Parameters
    ----------
    E : array_like, shape (n, d)
        Embeddings, one per row (normalised here).
    a, b, c : int
        Rows of the three given words, in ``[0, n - 1]``.
    k : int, default 1
        Number of answers, in ``[1, max(n - 3, 1)]``.

    Returns
    -------
    numpy.ndarray of int, shape (k,)
        The best rows, best first.
    """
    S = _sphere(E, "E")
    n = S.shape[0]
    a, b, c = (_check_row(v, n, name) for v, name in ((a, "a"), (b, "b"), (c, "c")))
    k = check_int(k, "k", minimum=1, maximum=max(n - 3, 1))
    score = S @ (S[b] - S[a] + S[c])
    score[[a, b, c]] = -np.inf
    return np.lexsort((np.arange(n), -score))[:k]


class AnalogyResult(NamedTuple):
    r"""``quads`` tested, ``predicted`` word, ``rank`` of the true answer (1 = found), ``correct``; ``skipped`` quads.

    ``rank_only_c`` and ``predicted_only_c``: the same for the *only-c* baseline (Linzen 2016), which answers
    with the nearest neighbour of :math:`c` alone (:math:`a`, :math:`b`, :math:`c` excluded) and ignores the offset
    :math:`\hat b - \hat a`; an analogy "solved" by both says nothing about a linear offset.

    Attributes
    ----------
    quads : tuple of tuple of str
        The quadruples tested.
    predicted : tuple of str
        The 3CosAdd answer to each.
    rank : numpy.ndarray of int, shape (len(quads),)
        Rank of the expected answer among all candidates (1 = correct).
    skipped : tuple of tuple of str
        The quadruples with a word outside the vocabulary.
    rank_only_c : numpy.ndarray of int, shape (len(quads),)
        The same rank for the only-c baseline.
    predicted_only_c : tuple of str
        The only-c baseline's answers.
    """

    quads: tuple
    predicted: tuple
    rank: np.ndarray
    skipped: tuple
    rank_only_c: np.ndarray = np.zeros(0, dtype=np.int64)
    predicted_only_c: tuple = ()

    @property
    def correct_only_c(self) -> np.ndarray:
        return self.rank_only_c == 1

    @property
    def correct(self) -> np.ndarray:
        return self.rank == 1

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean()) if len(self.rank) else float("nan")


def analogy_test(E: ArrayLike, words: Sequence[str], quads: Iterable[Sequence[str]]) -> AnalogyResult:
    r"""Run :func:`analogy` on word quadruples ``(a, b, c, d)`` ("a : b :: c : d") and report honestly.

    For each quadruple whose four words are all in ``words``, records the prediction and the rank of the
    expected answer ``d`` among all candidates (rank 1 = correct); the others are listed in ``skipped``.
    The same is recorded for the only-c baseline, :math:`\arg\max_{x \notin \{a,b,c\}} \cos(x, c)`
    (Linzen 2016).  Chapter 9.

    Parameters
    ----------
    E : array_like, shape (n, d)
        Embeddings, one per row.
    words : sequence of str
        The word of each row.
    quads : iterable of tuple of str
        Quadruples ``(a, b, c, d)``.

    Returns
    -------
    AnalogyResult
        Predictions and ranks for 3CosAdd and the only-c baseline, and the skipped quadruples; ``correct`` and
        ``accuracy`` (a fraction) are properties.
    """
    S = _sphere(E, "E")
    if isinstance(words, str) or not hasattr(words, "__iter__"):
        raise ValueError(f"words must be a sequence of the {S.shape[0]} words naming the rows of E, got {words!r}")
    if isinstance(quads, str) or not hasattr(quads, "__iter__"):
        raise ValueError(f"quads must be a sequence of 4-tuples of words, got {quads!r}")
    words = tuple(words)
    if len(words) != S.shape[0]:
        raise ValueError(f"words must name the {S.shape[0]} rows of E, got {len(words)}")
    idx = {w: i for i, w in enumerate(words)}
    tested, pred, rank, skipped, pred_c, rank_c = [], [], [], [], [], []
    for q in quads:
        if len(q) != 4 or not all(isinstance(w, str) for w in q):
            raise ValueError(f"quads must be 4-tuples of words, got {q!r}")
        if not all(w in idx for w in q):
            skipped.append(tuple(q))
            continue
        a, b, c, d = (idx[w] for w in q)
        score = S @ (S[b] - S[a] + S[c])
        score[[a, b, c]] = -np.inf
        order = np.lexsort((np.arange(len(score)), -score))
        tested.append(tuple(q))
        pred.append(words[order[0]])
        rank.append(int(np.nonzero(order == d)[0][0]) + 1)
        base = S @ S[c]
        base[[a, b, c]] = -np.inf
        order = np.lexsort((np.arange(len(base)), -base))
        pred_c.append(words[order[0]])
        rank_c.append(int(np.nonzero(order == d)[0][0]) + 1)
    return AnalogyResult(tuple(tested), tuple(pred), np.array(rank, dtype=np.int64), tuple(skipped),
                         np.array(rank_c, dtype=np.int64), tuple(pred_c))
