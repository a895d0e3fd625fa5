r"""Token embedding as vectorisation on the semantic manifold: PMI, the unit sphere, JL, IB and InfoNCE.

Chapter 9.  Five groups of tools, each exact where an exact value exists.

**Co-occurrence and PMI.**  :func:`word_tokens` cuts a text into lowercase words (the regular expression
``[a-z]+``; a word-level vocabulary keeps nearest neighbours readable, and the chapter is about embeddings, not
tokenisers; any integer token stream, e.g. the BPE ids of :mod:`semtheory.tokens`, works the same way).
:func:`cooccurrence` counts pairs of tokens at distance :math:`1..w` in a ``scipy.sparse`` matrix,
:func:`pmi_matrix` gives :math:`\mathrm{PMI}(w,c) = \log\frac{\#(w,c)\,D}{\#(w)\,\#_\alpha(c)}`, and
:func:`shifted_pmi` the sparse shifted (positive) PMI :math:`\max(\mathrm{PMI} - \log k, 0)` that skip-gram
with :math:`k` negative samples factorises implicitly (Levy and Goldberg 2014).  :func:`truncated_svd` and
:func:`svd_embeddings` factorise it; :func:`to_sphere` puts the rows on the unit sphere, where the inner
product is the cosine; :func:`nearest`, :func:`analogy` and :func:`analogy_test` query the result.

**Probability--inner-product space.**  :func:`sphere_logprobs` is the next-token law
:math:`Q(v \mid c) = \softmax_v(s\,\langle u_c, w_v\rangle)` with :math:`\|u_c\| = \|w_v\| = 1` and scale
:math:`s`; its log-probability matrix has rank at most :math:`d + 1` (:func:`numerical_rank`), so a source whose
log-probability matrix has higher rank cannot be matched: :func:`fit_sphere_softmax` finds the best one
(the *softmax bottleneck*, Yang et al. 2018).

**Johnson--Lindenstrauss and quasi-orthogonality.**  :func:`gaussian_projection`, :func:`jl_distortions`,
the Dasgupta--Gupta dimension :func:`jl_dimension` and pair-failure bound :func:`jl_pair_failure_bound`
(with its exact value :func:`jl_pair_failure_exact` for Gaussian projections); the cap probability of two
random unit vectors (:func:`cap_probability`, its bound :func:`cap_bound`, Ball 1997), the resulting
exponential lower bound on the number of :math:`\varepsilon`-quasi-orthogonal directions
(:func:`quasi_orthogonal_bound`) and a greedy experiment (:func:`greedy_quasi_orthogonal`).

**Optimal vectorisation on a known source.**  :func:`context_next_law` gives the exact joint law of a
context window and the next token of any :class:`~semtheory.channel.LanguageModel`;
:func:`encoder_information` the exact :math:`(I(X;T), I(T;Y))` of a deterministic context encoder
:math:`T = f(X)` (:func:`last_k_encoder`, :func:`sign_hash_encoder`, :func:`agglomerative_ib`);
:func:`information_bottleneck` the IB curve by the log-domain iterative algorithm of Tishby, Pereira and
Bialek (1999).

**InfoNCE.**  :func:`infonce` evaluates :math:`\log N - \mathcal L_N` on a score matrix (always
:math:`\le \log N`), :func:`optimal_critic` the critic :math:`\log p(y\mid x)/p(y)`,
:func:`infonce_exact` the exact expectation of the bound for small :math:`N`, :func:`infonce_monte_carlo` its
Monte-Carlo estimate, and :func:`train_infonce_critic` a CPC-style critic on the unit sphere trained in
torch (van den Oord et al. 2018; Poole et al. 2019).

Units: PMI and the InfoNCE/KL values are in nats by default (``base=math.e``) because the SGNS shift
:math:`\log k` and the ceiling :math:`\log N` are natural logarithms; the information measures of a known
source take ``base`` (2 = bits, the default, as everywhere in :mod:`semtheory.measures`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import NamedTuple, Sequence

import numpy as np
import scipy.sparse as sps
from scipy.linalg import cho_factor as _cho_factor, cho_solve as _cho_solve
from scipy.special import betainc, log_softmax, logsumexp, xlogy

from ._validate import as_array as _asarray
from ._validate import (
    as_float,
    as_pmf,
    as_real_array,
    as_rng,
    as_stochastic,
    check_flag,
    check_int,
    check_positive,
    check_probability,
    check_seed,
    log_base,
)
from .measures import mutual_information

__all__ = [
    # corpus and PMI
    "WORD_PATTERN",
    "WordTokens",
    "word_tokens",
    "cooccurrence",
    "pmi_matrix",
    "shifted_pmi",
    "sgns_optimal_inner_product",
    "sgns_weight",
    "sgns_least_squares",
    "WeightedFit",
    "weighted_factorisation",
    "FactorisationErrors",
    "factorisation_errors",
    "pair_correlations",
    "truncated_svd",
    "Embeddings",
    "svd_embeddings",
    "to_sphere",
    "nearest",
    "analogy",
    "AnalogyResult",
    "analogy_test",
    # probability-inner-product space
    "sphere_logprobs",
    "numerical_rank",
    "SoftmaxFit",
    "fit_sphere_softmax",
    # Johnson-Lindenstrauss and quasi-orthogonality
    "gaussian_projection",
    "jl_distortions",
    "jl_dimension",
    "jl_pair_failure_bound",
    "jl_pair_failure_exact",
    "cap_probability",
    "cap_bound",
    "quasi_orthogonal_bound",
    "greedy_quasi_orthogonal",
    # optimal vectorisation
    "context_next_law",
    "context_samples",
    "EncoderInfo",
    "encoder_information",
    "stochastic_encoder_information",
    "last_k_encoder",
    "sign_hash_encoder",
    "agglomerative_ib",
    "IBCurve",
    "information_bottleneck",
    "DIBResult",
    "deterministic_information_bottleneck",
    # InfoNCE
    "readable_information",
    "optimal_critic",
    "infonce",
    "infonce_exact",
    "infonce_monte_carlo",
    "InfoNCEFit",
    "train_infonce_critic",
]

#: Words are maximal runs of ASCII letters of the lowercased text.
WORD_PATTERN = r"[a-z]+"

_DENSE_SVD_MAX = 300  # below this many rows/columns truncated_svd uses an exact dense SVD
_MAX_ENUM = 2**21  # largest number of (y_2..y_N) tuples infonce_exact enumerates


# ==============================================================================================
# Small validators
# ==============================================================================================


def _as_real_matrix(x, name: str, *, allow_neg_inf: bool = False) -> np.ndarray:
    if sps.issparse(x):
        x = _sparse_real(x, name).toarray()
    arr = as_real_array(x, name, finite=False, nonempty=False)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    bad = np.isnan(arr) | (arr == np.inf)
    if not allow_neg_inf:
        bad |= arr == -np.inf
    if bad.any():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _sparse_real(x, name: str) -> sps.csr_matrix:
    """A sparse matrix as a float CSR matrix; complex entries (whose imaginary part scipy would drop) are refused."""
    if np.asarray(x.data).dtype.kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {x.dtype})")
    if np.asarray(x.data).dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold real numbers, got dtype {x.dtype}")
    return sps.csr_matrix(x, dtype=float)


def _check_eps(eps) -> float:
    return check_probability(eps, "eps", low_open=True, high_open=True)


def _as_joint(p_xy, name: str = "p_xy") -> np.ndarray:
    return as_pmf(p_xy, name, ndim=2)


def _check_counts(counts, name: str = "counts"):
    """Return (csr matrix, is_sparse) after checking a non-negative finite 2-D count matrix with mass."""
    if sps.issparse(counts):
        C = _sparse_real(counts, name)
        data = C.data
    else:
        C = _as_real_matrix(counts, name)
        data = C
    if C.ndim != 2 or C.shape[0] == 0 or C.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D matrix, got shape {C.shape}")
    if not np.all(np.isfinite(data)):
        raise ValueError(f"{name} contains NaN or inf")
    if np.any(data < 0):
        raise ValueError(f"{name} has negative entries")
    if not data.sum() > 0:
        raise ValueError(f"{name} is all zero: no co-occurrences to compute PMI from")
    return sps.csr_matrix(C)


# ==============================================================================================
# Words, co-occurrences and PMI
# ==============================================================================================


class WordTokens(NamedTuple):
    """A tokenised text: ``ids`` (``-1`` for words outside the vocabulary), ``words`` (id -> word), ``counts``."""

    ids: np.ndarray
    words: tuple
    counts: np.ndarray

    def index(self, word: str) -> int:
        """The id of ``word`` (``ValueError`` naming it if it is not in the vocabulary)."""
        try:
            return self.words.index(word)
        except ValueError:
            raise ValueError(f"word {word!r} is not in the vocabulary") from None


def word_tokens(text, *, min_count=1, max_vocab=None) -> WordTokens:
    r"""Lowercase word tokens of ``text`` (regex :data:`WORD_PATTERN`) with a frequency-ordered vocabulary.

    The vocabulary keeps the words seen at least ``min_count`` times, at most ``max_vocab`` of them,
    ordered by decreasing count (ties alphabetically, so it is a deterministic function of the text).  The
    token stream keeps every word in place; a word outside the vocabulary gets id ``-1`` so that distances
    between the others are unchanged.  Chapter 9.
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


def cooccurrence(ids, vocab_size, window=2, *, weighting="harmonic") -> sps.csr_matrix:
    r"""Symmetric co-occurrence counts :math:`\#(w, c)` of tokens at distance :math:`1 \le \delta \le` ``window``.

    Each ordered pair of positions :math:`(i, i\pm\delta)` adds a weight to cell ``(ids[i], ids[i±δ])``:
    1 (``weighting="uniform"``) or :math:`1/\delta` (``"harmonic"``: nearer neighbours count more; word2vec's
    randomly shrunk window weights :math:`\delta` by :math:`(w-\delta+1)/w` on average, the same for
    :math:`w \le 2`).  Pairs with an id of ``-1`` (out of vocabulary) are skipped.
    Returns a ``vocab_size`` x ``vocab_size`` ``scipy.sparse.csr_matrix``.  Chapter 9.
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


def pmi_matrix(counts, *, alpha=1.0, base=math.e) -> np.ndarray:
    r"""Dense pointwise mutual information :math:`\mathrm{PMI}(w,c) = \log \frac{\#(w,c)/D}{(\#(w)/D)\,P_\alpha(c)}`.

    :math:`D = \sum_{w,c} \#(w,c)`, :math:`\#(w) = \sum_c \#(w,c)`, and the context law is smoothed,
    :math:`P_\alpha(c) = \#(c)^\alpha / \sum_{c'} \#(c')^\alpha` (``alpha=1``: the plain marginal, PMI exactly
    :math:`\log\frac{p(w,c)}{p(w)p(c)}`; 0.75 is word2vec's choice, Levy et al. 2015).  Cells never seen are
    :math:`-\infty`.  Units of ``base`` (nats by default).  For large vocabularies use the sparse
    :func:`shifted_pmi`.  Chapter 9.
    """
    C = _check_counts(counts)
    a = check_positive(alpha, "alpha")
    lb = log_base(base)
    D, nw, pc = _marginals(C, a)
    dense = C.toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(dense) + math.log(D) - np.log(nw)[:, None] - np.log(D * pc)[None, :]
    out[dense == 0] = -np.inf
    return out / lb


def shifted_pmi(counts, k=1.0, *, positive=True, alpha=1.0) -> sps.csr_matrix:
    r"""Sparse shifted PMI :math:`M_{wc} = \mathrm{PMI}(w,c) - \log k` on the observed cells (nats).

    ``positive=True`` (SPPMI) keeps :math:`\max(M_{wc}, 0)` and drops the zeros; ``positive=False`` keeps the
    signed values on observed cells and puts 0 on unobserved ones (the ":math:`\mathrm{PMI}_0`" convention,
    since :math:`-\infty` cannot be factorised).  ``k`` is the number of negative samples of SGNS, whose
    optimum is :math:`\langle w, c\rangle = \mathrm{PMI}(w,c) - \log k` (Levy and Goldberg 2014; see
    :func:`sgns_optimal_inner_product`).  ``alpha`` smooths the context law as in :func:`pmi_matrix`.
    Chapter 9.
    """
    C = _check_counts(counts).tocoo()
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


def sgns_optimal_inner_product(pair_count, word_count, context_count, total, k=1.0) -> float:
    r"""The per-pair optimum of skip-gram with negative sampling: :math:`z^\ast = \log\frac{\#(w,c)\,D}{\#(w)\,\#(c)} - \log k`.

    The SGNS objective of one pair, :math:`\#(w,c)\log\sigma(z) + k\,\frac{\#(w)\#(c)}{D}\log\sigma(-z)`
    with :math:`z = \langle w, c\rangle`, is concave in :math:`z` and stationary exactly there (the sympy
    derivation :func:`semtheory.symbolic.embedding.sgns_optimum`).  Nats.  Chapter 9.
    """
    n = check_positive(pair_count, "pair_count")
    nw = check_positive(word_count, "word_count")
    nc = check_positive(context_count, "context_count")
    D = check_positive(total, "total")
    k = check_positive(k, "k")
    return math.log(n) + math.log(D) - math.log(nw) - math.log(nc) - math.log(k)


def sgns_weight(pair_count, word_count, context_count, total, k=1.0):
    r"""The curvature of the per-pair SGNS objective at its optimum: :math:`w_{wc} = \frac{a\,b}{a + b}`.

    With :math:`a = \#(w,c)` (positive draws) and :math:`b = k\,\#(w)\#(c)/D` (expected negative draws),
    :math:`\ell''(z) = -(a + b)\,\sigma(z)\sigma(-z)` and :math:`\sigma(z^\ast)\sigma(-z^\ast) = ab/(a+b)^2`, so
    :math:`\ell(z) = \ell(z^\ast) - \tfrac12 w_{wc}(z - z^\ast)^2 + O((z-z^\ast)^3)`: to second order SGNS is a
    least-squares fit of the shifted PMI weighted by :math:`w_{wc}` (counts per pair; the truncated SVD weights
    every cell equally).  Vectorised over array arguments (``pair_count`` may be 0: weight 0).  Chapter 9.
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


def sgns_least_squares(counts, k=1.0, *, alpha=1.0) -> tuple[sps.csr_matrix, sps.csr_matrix]:
    r"""The second-order (least-squares) form of SGNS on the observed pairs: ``(target, weights)``, sparse.

    On each observed cell, ``target`` :math:`z^\ast_{wc} = \log(a/b)` and ``weights`` :math:`\omega_{wc} = ab/(a+b)`
    with :math:`a = \#(w,c)` and :math:`b = k\,\#(w)\,P_\alpha(c)` the expected number of negative draws
    (:func:`sgns_optimal_inner_product`, :func:`sgns_weight`).  Both matrices have exactly the observed cells
    as their structure (zeros of ``target`` are stored).  Maximising SGNS is, to second order around the
    optimum, minimising :math:`\sum \omega_{wc}(\langle w, c\rangle - z^\ast_{wc})^2`; unobserved pairs (where the
    SGNS optimum is :math:`-\infty`) are left out.  Nats.  Chapter 9.
    """
    C = _check_counts(counts).tocoo()
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
    and ``objective`` after each half-sweep (non-increasing), starting with the initial value."""

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


def weighted_factorisation(target, weights, d, *, init=None, sweeps=10, reg=1e-3, seed=0) -> WeightedFit:
    r"""Weighted low-rank factorisation by alternating least squares: :math:`\min_{W,C} J`,

    .. math:: J(W, C) = \sum_{(w,c):\ \omega_{wc} > 0} \omega_{wc}\,(\langle W_w, C_c\rangle - z_{wc})^2
              + \lambda(\lVert W\rVert_F^2 + \lVert C\rVert_F^2).

    ``weights`` (dense or sparse, :math:`\ge 0`) selects and weights the cells; ``target`` gives :math:`z` there.
    Each half-sweep solves every row of one factor exactly (a ridge regression per row), so :math:`J` never
    increases.  ``init`` = ``(W0, C0)`` (e.g. from :func:`svd_embeddings`) or ``None`` (Gaussian, ``seed``).
    With all weights equal on a complete matrix and ``reg`` = 0 the minimum is the truncated SVD's (Eckart and
    Young); SGNS's second-order form (:func:`sgns_least_squares`) is the case that chapter 9 compares with the
    unweighted SVD (Levy, Goldberg and Dagan 2015).  Chapter 9.
    """
    Wt = (_sparse_real(weights, "weights") if sps.issparse(weights) else sps.csr_matrix(_as_real_matrix(weights, "weights"))).tocoo()
    if Wt.data.size and (not np.all(np.isfinite(Wt.data)) or Wt.data.min() < 0):
        raise ValueError("weights must be finite and >= 0")
    keep = Wt.data > 0
    rows, cols, w = Wt.row[keep], Wt.col[keep], Wt.data[keep].astype(float)
    if not w.size:
        raise ValueError("weights must have at least one positive cell")
    if sps.issparse(target):
        Z = _sparse_real(target, "target")
    else:
        Z = _as_real_matrix(target, "target")
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
        W, C = (np.array(_as_real_matrix(x, "init"), dtype=float) for x in init)
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
    part of it on the cells of zero weight, ``unweighted_cells``."""

    weighted: float
    frobenius: float
    unweighted_cells: float


def _factor_pair(W, C, shape) -> tuple[np.ndarray, np.ndarray]:
    W, C = _as_real_matrix(W, "W"), _as_real_matrix(C, "C")
    if W.shape[0] != shape[0] or C.shape[0] != shape[1] or W.shape[1] != C.shape[1]:
        raise ValueError(f"W and C must have shapes ({shape[0]}, d) and ({shape[1]}, d), got {W.shape} and {C.shape}")
    return W, C


def _sparse_finite(M, name: str) -> sps.csr_matrix:
    A = _sparse_real(M, name) if sps.issparse(M) else sps.csr_matrix(_as_real_matrix(M, name))
    if not np.all(np.isfinite(A.data)):
        raise ValueError(f"{name} contains NaN or inf")
    return A


def factorisation_errors(W, C, M, weights) -> FactorisationErrors:
    r"""Both objectives of chapter 9's comparison for one factorisation :math:`P = WC^\T` of :math:`M`.

    ``weighted`` is :math:`\sum_{\omega_{xc}>0}\omega_{xc}(\langle W_x, C_c\rangle - M_{xc})^2` (the data term of
    :func:`weighted_factorisation`, without the ridge), ``frobenius`` is :math:`\lVert M - WC^\T\rVert_F^2` over
    every cell, computed without forming :math:`WC^\T` as
    :math:`\lVert M\rVert_F^2 - 2\operatorname{tr}(W^\T M C) + \operatorname{tr}(W^\T W\, C^\T C)`, and
    ``unweighted_cells`` is the part of ``frobenius`` on the cells of weight 0.  ``M`` and ``weights`` are dense
    or ``scipy.sparse`` of one shape; ``weights`` :math:`\ge 0`.  Squared nats when :math:`M` is a PMI.  The
    truncated SVD minimises ``frobenius`` over rank :math:`d` (Eckart and Young); the SGNS-weighted fit targets
    ``weighted``.  Chapter 9.
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


def pair_correlations(W, C, M, counts, *, rare=0.5, frequent=0.9) -> tuple[float, float, float]:
    r"""Pearson correlation of :math:`\langle W_x, C_c\rangle` with :math:`M_{xc}` on the stored non-zero cells of
    ``M``: over all of them, over the *rare* pairs (count at most the ``rare`` quantile of the counts of those
    cells) and over the *frequent* ones (count at least the ``frequent`` quantile).  ``counts`` is the
    co-occurrence matrix (:func:`cooccurrence`) of the same shape.  Returns ``(all, rare, frequent)``.  Chapter 9.
    """
    A = _sparse_finite(M, "M").tocoo()
    Cn = _check_counts(counts)
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


def truncated_svd(M, d, *, seed=0, n_iter=6, oversample=10):
    r"""The leading ``d`` singular triplets :math:`M \approx U_d \Sigma_d V_d^\T` of a dense or sparse matrix.

    Small matrices (at most 300 rows or columns) and ``d`` close to full rank use an exact dense SVD; larger
    ones the randomised range finder with ``n_iter`` power iterations (Halko, Martinsson and Tropp 2011),
    which only multiplies by :math:`M` and :math:`M^\T` (so a ``scipy.sparse`` matrix stays sparse) and is
    deterministic under ``seed``.  Signs are fixed so that each column of :math:`U` has its largest entry
    positive.  Returns ``(U, s, Vt)`` with ``s`` decreasing.  Chapter 9.
    """
    if sps.issparse(M):
        A = _sparse_real(M, "M")
        if not np.all(np.isfinite(A.data)):
            raise ValueError("M contains NaN or inf")
    else:
        A = _as_real_matrix(M, "M")
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
    :math:`C = V_d\Sigma_d^{1-p}`, and the ``singular_values`` :math:`\Sigma_d`."""

    words: np.ndarray
    contexts: np.ndarray
    singular_values: np.ndarray


def svd_embeddings(M, d, *, power=0.5, seed=0) -> Embeddings:
    r"""Word and context vectors from the rank-``d`` truncated SVD of ``M`` (e.g. :func:`shifted_pmi`).

    :math:`W = U_d \Sigma_d^{p}` and :math:`C = V_d \Sigma_d^{1-p}` with :math:`p` = ``power`` in [0, 1], so
    :math:`W C^\T = U_d \Sigma_d V_d^\T` is the best rank-:math:`d` approximation of :math:`M` (Eckart--Young)
    and equals :math:`M` at full rank.  :math:`p = 1/2` is the symmetric split of Levy, Goldberg and Dagan
    (2015).  Put the rows on the unit sphere with :func:`to_sphere`.  Chapter 9.
    """
    p = check_probability(power, "power")
    U, s, Vt = truncated_svd(M, d, seed=seed)
    return Embeddings(U * s**p, Vt.T * s ** (1 - p), s)


def to_sphere(X) -> np.ndarray:
    r"""Rows of ``X`` divided by their Euclidean norms: points on the unit sphere :math:`S^{d-1}`.

    On the sphere the inner product is the cosine similarity.  A zero row (a word with no positive
    association at all) has no direction and stays zero, so its cosine with everything is 0.  Chapter 9.
    """
    return _sphere(X, "X")


def _sphere(X, name: str) -> np.ndarray:
    A = _as_real_matrix(X, name)
    n = np.linalg.norm(A, axis=1, keepdims=True)
    return np.divide(A, n, out=np.zeros_like(A), where=n > 0)


def _check_row(i, n: int, name: str) -> int:
    return check_int(i, name, minimum=0, maximum=n - 1)


def nearest(E, i, k=5) -> tuple[np.ndarray, np.ndarray]:
    r"""The ``k`` rows of ``E`` with the largest cosine similarity to row ``i`` (itself excluded).

    Returns ``(indices, cosines)``, most similar first (ties by index).  Chapter 9.
    """
    S = _sphere(E, "E")
    i = _check_row(i, S.shape[0], "i")
    k = check_int(k, "k", minimum=1, maximum=S.shape[0] - 1)
    cos = S @ S[i]
    cos[i] = -np.inf
    order = np.lexsort((np.arange(len(cos)), -cos))[:k]
    return order, cos[order]


def analogy(E, a, b, c, k=1) -> np.ndarray:
    r"""Answer ":math:`a` is to :math:`b` as :math:`c` is to ?" by 3CosAdd: the rows closest to :math:`\hat b - \hat a + \hat c`.

    :math:`\arg\max_{x \notin \{a,b,c\}} \cos(x, b) - \cos(x, a) + \cos(x, c)` on unit-norm rows (Mikolov et al.
    2013; Levy and Goldberg 2014).  Returns the ``k`` best indices.  Chapter 9.
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


def analogy_test(E, words: Sequence[str], quads) -> AnalogyResult:
    r"""Run :func:`analogy` on word quadruples ``(a, b, c, d)`` ("a : b :: c : d") and report honestly.

    For each quadruple whose four words are all in ``words``, records the prediction and the rank of the
    expected answer ``d`` among all candidates (rank 1 = correct); the others are listed in ``skipped``.
    The same is recorded for the only-c baseline, :math:`\arg\max_{x \notin \{a,b,c\}} \cos(x, c)`
    (Linzen 2016).  Chapter 9.
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


# ==============================================================================================
# The probability-inner-product space on the unit sphere
# ==============================================================================================


def sphere_logprobs(U, W, scale=1.0) -> np.ndarray:
    r"""Next-token log-probabilities :math:`\log Q(v \mid c) = s\langle \hat u_c, \hat w_v\rangle - \log Z_c`.

    ``U`` (contexts x d) and ``W`` (tokens x d) are projected onto the unit sphere (rows normalised; a zero
    row is an error) and the scale :math:`s` = ``scale`` > 0 is an inverse temperature: the logits lie in
    :math:`[-s, s]`, so every probability ratio is at most :math:`e^{2s}`.  The matrix of log-probabilities
    is :math:`s\hat U \hat W^\T - \log Z\,\mathbf 1^\T`, of rank at most :math:`d + 1`.  Nats.  Chapter 9.
    """
    A = _as_real_matrix(U, "U")
    B = _as_real_matrix(W, "W")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"U and W must have the same dimension d, got {A.shape[1]} and {B.shape[1]}")
    s = check_positive(scale, "scale")
    na, nb = np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1)
    if not (na > 0).all():
        raise ValueError("U has a zero row: it has no direction on the sphere")
    if not (nb > 0).all():
        raise ValueError("W has a zero row: it has no direction on the sphere")
    return log_softmax(s * (A / na[:, None]) @ (B / nb[:, None]).T, axis=1)


def numerical_rank(A, rtol=1e-9) -> int:
    r"""Number of singular values of ``A`` above ``rtol`` times the largest (0 for a zero matrix).

    Used on log-probability matrices, so ``A`` must be finite (a zero probability, :math:`-\infty`, has no
    rank).  Chapter 9.
    """
    M = _as_real_matrix(A, "A")
    rtol = check_positive(rtol, "rtol")
    s = np.linalg.svd(M, compute_uv=False)
    if s[0] == 0:
        return 0
    return int((s > rtol * s[0]).sum())


class SoftmaxFit(NamedTuple):
    """A fitted sphere-softmax model: ``logprobs`` (contexts x tokens, nats), expected ``kl`` (units of the
    call's ``base``), ``scale``, unit-norm ``contexts`` and ``tokens`` vectors, ``converged``."""

    logprobs: np.ndarray
    kl: float
    scale: float
    contexts: np.ndarray
    tokens: np.ndarray
    converged: bool


def fit_sphere_softmax(conditional, weights, dim, *, seed=0, restarts=1, maxiter=300, base=math.e) -> SoftmaxFit:
    r"""The best next-token law of the form :math:`Q(v\mid c) = \softmax_v(s\langle u_c, w_v\rangle)`, :math:`u_c, w_v \in S^{d-1}`.

    Minimises the expected divergence :math:`\sum_c \pi(c)\,\KL(P(\cdot\mid c)\,\|\,Q(\cdot\mid c))`, i.e. the
    cross-entropy :math:`-\sum_c \pi(c) \sum_v P(v\mid c)\log Q(v\mid c)` minus the conditional entropy, over
    the unit vectors and the scale :math:`s > 0` (parametrised as :math:`u = a/\|a\|`, :math:`s = e^\theta`), with
    an analytic gradient and nonlinear conjugate gradients from ``restarts`` seeded random starts; the best
    is returned.  ``conditional`` is the row-stochastic matrix :math:`P(v \mid c)`, ``weights`` the pmf
    :math:`\pi(c)` of the contexts.  Since :math:`\log Q` has rank at most :math:`d+1`, the divergence stays
    positive while :math:`d + 1` is below the smallest rank of :math:`\log P + z\mathbf 1^\T` over row shifts
    :math:`z` (the softmax bottleneck).  ``kl`` in units of ``base`` (nats by default).  Chapter 9.
    """
    from scipy.optimize import minimize

    P = as_stochastic(conditional, "conditional")
    if P.ndim != 2:
        raise ValueError(f"conditional must be a 2-D matrix (contexts x tokens), got shape {P.shape}")
    w = as_pmf(weights, "weights", ndim=1)
    if len(w) != P.shape[0]:
        raise ValueError(f"weights must have one entry per context ({P.shape[0]}), got {len(w)}")
    d = check_int(dim, "dim", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=1)
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    lb = log_base(base)
    rng = as_rng(seed)
    n, V = P.shape
    WP = w[:, None] * P
    h = -xlogy(WP, P).sum()

    def f(x):
        A, B, th = x[: n * d].reshape(n, d), x[n * d : -1].reshape(V, d), x[-1]
        na = np.linalg.norm(A, axis=1, keepdims=True)
        nb = np.linalg.norm(B, axis=1, keepdims=True)
        Uh, Wh, s = A / na, B / nb, math.exp(min(th, 50.0))
        Z = s * Uh @ Wh.T
        LQ = log_softmax(Z, axis=1)
        loss = -(WP * LQ).sum() - h
        G = w[:, None] * np.exp(LQ) - WP  # d loss / d Z
        gU, gW = s * G @ Wh, s * G.T @ Uh
        gA = (gU - Uh * (gU * Uh).sum(1, keepdims=True)) / na
        gB = (gW - Wh * (gW * Wh).sum(1, keepdims=True)) / nb
        return loss, np.concatenate([gA.ravel(), gB.ravel(), [(G * Z).sum()]])

    # first start: the rank-d SVD of the row-centred log-probabilities (whose rows are shift-free logits)
    with np.errstate(divide="ignore"):
        LP = np.log(P)
    LP = np.where(np.isfinite(LP), LP, LP[np.isfinite(LP)].min() - 10.0 if np.isfinite(LP).any() else 0.0)
    LP = LP - LP.mean(axis=1, keepdims=True)
    Us, ss, Vts = np.linalg.svd(LP, full_matrices=False)
    k = min(d, len(ss))
    A0 = np.zeros((n, d))
    B0 = np.zeros((V, d))
    A0[:, :k] = Us[:, :k] * np.sqrt(ss[:k])
    B0[:, :k] = Vts[:k].T * np.sqrt(ss[:k])
    A0 += 1e-3 * rng.standard_normal(A0.shape)  # no zero rows, and a tie-breaker
    B0 += 1e-3 * rng.standard_normal(B0.shape)
    s0 = float(np.median(np.linalg.norm(A0, axis=1)) * np.median(np.linalg.norm(B0, axis=1)))
    starts = [np.concatenate([A0.ravel(), B0.ravel(), [math.log(min(max(s0, 0.1), 1e3))]])]
    starts += [np.concatenate([rng.standard_normal((n + V) * d), [math.log(3.0)]]) for _ in range(restarts - 1)]
    best = None
    for x0 in starts:
        r = minimize(f, x0, jac=True, method="CG", options={"maxiter": maxiter, "gtol": 1e-7})
        if best is None or r.fun < best.fun:
            best = r
    x = best.x
    U = to_sphere(x[: n * d].reshape(n, d))
    Wv = to_sphere(x[n * d : -1].reshape(V, d))
    s = math.exp(min(x[-1], 50.0))
    LQ = sphere_logprobs(U, Wv, s)
    kl = max(float(-(WP * LQ).sum() - h), 0.0) / lb
    return SoftmaxFit(LQ, kl, s, U, Wv, bool(best.success))


# ==============================================================================================
# Johnson-Lindenstrauss
# ==============================================================================================


def gaussian_projection(X, k, *, seed=None) -> np.ndarray:
    r"""Random linear map :math:`f(x) = Rx/\sqrt k` with i.i.d. standard normal :math:`R \in \R^{k\times D}`, applied to the rows of ``X``.

    For every fixed :math:`u \ne v` the ratio :math:`\|f(u)-f(v)\|^2/\|u-v\|^2` is distributed exactly as
    :math:`\chi^2_k/k` (mean 1).  Deterministic under ``seed``.  Chapter 9.
    """
    A = _as_real_matrix(X, "X")
    k = check_int(k, "k", minimum=1)
    R = as_rng(seed).standard_normal((k, A.shape[1]))
    return A @ R.T / math.sqrt(k)


def _pair_sq_dists(A: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(A.shape[0], 1)
    g = A @ A.T
    sq = np.diag(g)
    return np.maximum(sq[i] + sq[j] - 2 * g[i, j], 0.0)


def jl_distortions(X, k, *, seed=None) -> np.ndarray:
    r"""Distortions :math:`\|f(x_i)-f(x_j)\|^2 / \|x_i - x_j\|^2` of all :math:`\binom m2` pairs under :func:`gaussian_projection`.

    The pairs are in ``numpy.triu_indices`` order; squared distances come from Gram matrices, so memory is
    :math:`O(m^2)`, not :math:`O(m^2 D)`.  ``X`` must hold at least two rows and no duplicate rows (a zero
    distance has no ratio).  Chapter 9.
    """
    A = _as_real_matrix(X, "X")
    if A.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows (points), got {A.shape[0]}")
    d0 = _pair_sq_dists(A)
    sq = (A * A).sum(1)
    i, j = np.triu_indices(A.shape[0], 1)
    if not (d0 > 1e-12 * (sq[i] + sq[j])).all():
        raise ValueError("X has duplicate rows: their distance ratio is undefined")
    return _pair_sq_dists(gaussian_projection(A, k, seed=seed)) / d0


def jl_dimension(m, eps) -> int:
    r"""Dasgupta--Gupta target dimension :math:`k = \lceil 4\ln m / (\varepsilon^2/2 - \varepsilon^3/3) \rceil`.

    With this :math:`k`, a random projection preserves all :math:`\binom m2` squared distances of
    :math:`m \ge 2` points within :math:`1 \pm \varepsilon` with probability at least :math:`1/m` (each pair
    fails with probability at most :math:`2/m^2`; :func:`jl_pair_failure_bound`), so a good map exists
    (Johnson and Lindenstrauss 1984; Dasgupta and Gupta 2003).  ``0 < eps < 1``.  Chapter 9.
    """
    m = check_int(m, "m", minimum=2)
    e = _check_eps(eps)
    return int(math.ceil(4 * math.log(m) / (e * e / 2 - e**3 / 3)))


def jl_pair_failure_bound(k, eps) -> float:
    r"""Chernoff bound on :math:`\Pr[\,|\|f(u)-f(v)\|^2/\|u-v\|^2 - 1| > \varepsilon\,]` for one pair.

    :math:`e^{-k\varepsilon^2/4} + e^{-k(\varepsilon^2/2-\varepsilon^3/3)/2} \le 2e^{-k(\varepsilon^2/2-\varepsilon^3/3)/2}`
    (the lower and upper tails of Dasgupta and Gupta 2003, Lemma 2.2, with
    :math:`\ln(1-\varepsilon) \le -\varepsilon - \varepsilon^2/2` and
    :math:`\ln(1+\varepsilon) \le \varepsilon - \varepsilon^2/2 + \varepsilon^3/3`); the same Chernoff bounds
    hold for :math:`\chi^2_k/k`, so for Gaussian projections too.  Chapter 9.
    """
    k = check_int(k, "k", minimum=1)
    e = _check_eps(eps)
    return min(1.0, math.exp(-k * e * e / 4) + math.exp(-k * (e * e / 2 - e**3 / 3) / 2))


def jl_pair_failure_exact(k, eps) -> float:
    r"""Exact :math:`\Pr[\,|\chi^2_k/k - 1| > \varepsilon\,]`: the per-pair failure probability of :func:`gaussian_projection`.  Chapter 9."""
    from scipy.stats import chi2

    k = check_int(k, "k", minimum=1)
    e = _check_eps(eps)
    return float(chi2.cdf(k * (1 - e), k) + chi2.sf(k * (1 + e), k))


# ==============================================================================================
# Quasi-orthogonal directions
# ==============================================================================================


def cap_probability(d, eps) -> float:
    r"""Exact :math:`\Pr[\,|\langle x, y\rangle| \ge \varepsilon\,]` for independent uniform unit vectors in :math:`\R^d`.

    :math:`\langle x, y\rangle^2 \sim \mathrm{Beta}(\tfrac12, \tfrac{d-1}2)`, so the probability is the
    regularised incomplete beta function :math:`I_{1-\varepsilon^2}(\tfrac{d-1}2, \tfrac12)` (1 for
    :math:`d = 1`).  Chapter 9.
    """
    d = check_int(d, "d", minimum=1)
    e = _check_eps(eps)
    if d == 1:
        return 1.0
    return float(betainc((d - 1) / 2, 0.5, 1 - e * e))


def cap_bound(d, eps) -> float:
    r"""Upper bound :math:`\min(1, 2e^{-d\varepsilon^2/2})` on :func:`cap_probability`.

    Each of the two caps :math:`\{x : \langle x, y\rangle \ge \varepsilon\}` of the sphere :math:`S^{d-1}`
    has normalised measure at most :math:`e^{-d\varepsilon^2/2}` (Ball 1997).  Chapter 9.
    """
    d = check_int(d, "d", minimum=1)
    e = _check_eps(eps)
    return min(1.0, 2 * math.exp(-d * e * e / 2))


def quasi_orthogonal_bound(d, eps, *, exact=False, log=False) -> float:
    r"""A lower bound on :math:`M(d, \varepsilon)`, the largest number of unit vectors in :math:`\R^d` with pairwise :math:`|\cos| \le \varepsilon`.

    Deletion method: draw :math:`N` independent uniform unit vectors and delete one vector of every pair with
    :math:`|\cos| > \varepsilon`; the expected number of such pairs is :math:`\binom N2 q`, with :math:`q` the
    cap probability, so some draw keeps at least :math:`N - \binom N2 q` vectors.

    * ``exact=False``: with Ball's bound :math:`q \le 2e^{-d\varepsilon^2/2}` and
      :math:`N = \lfloor e^{d\varepsilon^2/2}/2 \rfloor`, :math:`M(d,\varepsilon) \ge N/2`; together with the
      trivial :math:`M \ge 1` (one vector), the value returned is exactly the bound of the chapter's theorem,
      :math:`\max\{1, \tfrac12\lfloor e^{d\varepsilon^2/2}/2\rfloor\}`, about :math:`e^{d\varepsilon^2/2}/4`:
      exponential in :math:`d`.
    * ``exact=True``: :math:`\max_{N \ge 1} \lceil N - \binom N2 q \rceil` with the exact :math:`q` of
      :func:`cap_probability` (the maximiser is :math:`\lfloor 1/q + 1/2\rfloor` or :math:`\lceil 1/q + 1/2\rceil`);
      never below the ``exact=False`` value, since :math:`q \le 2e^{-d\varepsilon^2/2}`.

    Neither counts the trivial :math:`M \ge d` of an orthonormal basis.  ``log=True`` returns the natural log
    of the bound (for ``exact=False`` only; useful when it overflows a float).  Chapter 9.
    """
    d = check_int(d, "d", minimum=1)
    e = _check_eps(eps)
    exact, log = check_flag(exact, "exact"), check_flag(log, "log")
    x = d * e * e / 2
    if log:
        if exact:
            raise ValueError("log=True is available for exact=False only")
        if x > 700:
            return x - math.log(4.0)  # floor(e^x/2)/2 = e^x/4 to within a relative e^{-x}
        return math.log(max(math.floor(math.exp(x) / 2) / 2, 1.0))
    if not exact:
        if x > 700:
            return math.inf
        return max(math.floor(math.exp(x) / 2) / 2, 1.0)
    q = cap_probability(d, e)
    if q <= 0:
        return math.inf
    best = 1.0
    c = 1 / q + 0.5
    for N in {max(1, math.floor(c)), max(1, math.ceil(c))}:
        best = max(best, math.ceil(N - N * (N - 1) / 2 * q - 1e-12))
    return float(best)


def greedy_quasi_orthogonal(d, eps, n_draws, *, seed=None, batch=256) -> np.ndarray:
    r"""Greedy packing: draw ``n_draws`` uniform unit vectors in :math:`\R^d` one by one and keep each one whose :math:`|\cos|` with every kept vector is at most ``eps``.

    Returns the kept vectors (rows).  Their number is a *lower* bound on :math:`M(d, \varepsilon)` that
    grows with ``n_draws``.  Candidates are screened against the kept set in vectorised batches and then
    accepted in order, so the result is exactly the sequential greedy one; deterministic under ``seed``.
    Chapter 9.
    """
    d = check_int(d, "d", minimum=1)
    e = _check_eps(eps)
    n_draws = check_int(n_draws, "n_draws", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    rng = as_rng(seed)
    kept = np.empty((0, d))
    done = 0
    while done < n_draws:
        b = min(batch, n_draws - done)
        C = rng.standard_normal((b, d))
        C /= np.linalg.norm(C, axis=1, keepdims=True)
        done += b
        if len(kept):
            C = C[np.abs(C @ kept.T).max(axis=1) <= e]
        if not len(C):
            continue
        G = np.abs(C @ C.T)
        acc: list[int] = []
        for i in range(len(C)):
            if all(G[i, j] <= e for j in acc):
                acc.append(i)
        kept = np.vstack([kept, C[acc]])
    return kept


# ==============================================================================================
# Optimal vectorisation on a known source
# ==============================================================================================


def context_next_law(model, context_length) -> np.ndarray:
    r"""Exact joint law :math:`p(x, y)` of a context window :math:`X = X_{t-L+1}^{t}` and the next token :math:`Y = X_{t+1}`.

    Computed by :func:`semtheory.channel.sequence_law` for :math:`L + 1` tokens (so for a stationary source the
    window's law is stationary).  Returns shape ``(V**L, V)``; row ``x`` is the context whose tokens are the
    base-``V`` digits of ``x``, oldest first (so ``x % V**k`` is the last ``k`` tokens).  Chapter 9.
    """
    from .channel import sequence_law

    L = check_int(context_length, "context_length", minimum=1)
    law = sequence_law(model, L + 1)
    V = law.shape[0]
    return law.reshape(V**L, V)


def context_samples(seq, vocab_size, context_length) -> tuple[np.ndarray, np.ndarray]:
    r"""Pairs ``(x, y)`` of a token sequence: ``x`` the index of each length-:math:`L` window (as in :func:`context_next_law`), ``y`` the token after it.  Chapter 9."""
    V = check_int(vocab_size, "vocab_size", minimum=1)
    L = check_int(context_length, "context_length", minimum=1)
    s = _asarray(seq, "seq")
    if s.ndim != 1 or (s.size and s.dtype.kind not in "iu"):
        raise ValueError("seq must be a 1-D sequence of integer token ids")
    if s.size and (s.min() < 0 or s.max() >= V):
        raise ValueError(f"seq must hold token ids in [0, vocab_size - 1] = [0, {V - 1}]")
    if len(s) <= L:
        raise ValueError(f"seq must be longer than context_length={L}, got {len(s)} tokens")
    s = s.astype(np.int64)
    x = np.zeros(len(s) - L, dtype=np.int64)
    for j in range(L):
        x = x * V + s[j : len(s) - L + j]
    return x, s[L:]


class EncoderInfo(NamedTuple):
    """A context encoder :math:`T = f(X)`: ``i_xt`` :math:`= I(X;T) = H(T)`, ``i_ty`` :math:`= I(T;Y)`, ``cells`` used."""

    i_xt: float
    i_ty: float
    cells: int


def _as_labels(labels, n: int) -> np.ndarray:
    lab = _asarray(labels, "labels")
    if lab.shape != (n,):
        raise ValueError(f"labels must have one entry per context, shape ({n},), got {lab.shape}")
    if lab.size and lab.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers, got dtype {lab.dtype}")
    if lab.size and lab.min() < 0:
        raise ValueError("labels must be >= 0")
    return lab.astype(np.int64)


def encoder_information(p_xy, labels, base=2) -> EncoderInfo:
    r"""Exact information of a deterministic context encoder :math:`T = f(X)` given by ``labels[x] = f(x)``.

    :math:`p(t, y) = \sum_{x: f(x) = t} p(x, y)`; returns :math:`I(X;T) = H(T)` (deterministic encoder),
    :math:`I(T;Y)`, which data processing bounds by :math:`\min(H(T), I(X;Y)) \le \min(\log M, I(X;Y))` for
    :math:`M` cells, and the number of cells used.  Units of ``base``.  Chapter 9.
    """
    p = _as_joint(p_xy)
    lab = _as_labels(labels, p.shape[0])
    _, inv = np.unique(lab, return_inverse=True)
    pty = np.zeros((inv.max() + 1, p.shape[1]))
    np.add.at(pty, inv, p)
    pty = pty / pty.sum()
    pt = pty.sum(axis=1)
    lb = log_base(base)
    h = max(float(-xlogy(pt, pt).sum() / lb), 0.0)
    return EncoderInfo(h, mutual_information(pty, 0, 1, base=base), int((pt > 0).sum()))


def stochastic_encoder_information(p_xy, q_tx, *, base=2) -> EncoderInfo:
    r"""Exact information of a stochastic context encoder :math:`q(t \mid x)` (rows of ``q_tx``, contexts x cells).

    :math:`p(x,t,y) = p(x,y)\,q(t\mid x)` (the chain :math:`Y - X - T`); returns :math:`I(X;T)`, :math:`I(T;Y)`
    and the number of cells with :math:`p(t) > 0`.  A one-hot ``q_tx`` gives :func:`encoder_information`.
    :math:`I(T;Y) = I(X;Y)` iff :math:`p(y\mid x) = p(y \mid x')` whenever :math:`x, x'` can both emit one
    :math:`t` (chapter 9).  Units of ``base``.  Chapter 9.
    """
    p = _as_joint(p_xy)
    q = as_stochastic(q_tx, "q_tx")
    if q.ndim != 2 or q.shape[0] != p.shape[0]:
        raise ValueError(f"q_tx must have one row per context, shape ({p.shape[0]}, cells), got {q.shape}")
    px = p.sum(axis=1)
    pxt = px[:, None] * q
    pty = q.T @ p
    return EncoderInfo(mutual_information(pxt, 0, 1, base=base), mutual_information(pty, 0, 1, base=base),
                       int((pxt.sum(axis=0) > 0).sum()))


def last_k_encoder(vocab_size, context_length, k) -> np.ndarray:
    r"""Labels of the encoder that keeps the last ``k`` tokens of a length-:math:`L` window (``k = 0``: a constant).  Chapter 9."""
    V = check_int(vocab_size, "vocab_size", minimum=1)
    L = check_int(context_length, "context_length", minimum=1)
    k = check_int(k, "k", minimum=0, maximum=L)
    return np.arange(V**L, dtype=np.int64) % (V**k)


def sign_hash_encoder(features, bits, *, seed=None) -> np.ndarray:
    r"""A :math:`d`-bit binary embedding :math:`f(x) = (\ind[\langle r_j, \phi(x)\rangle > 0])_{j=1}^{d}` with Gaussian :math:`r_j`.

    ``features`` (contexts x D) are the vectors :math:`\phi(x)`; ``bits`` = :math:`d`.  The label is the
    integer whose binary digits are the signs, so the encoder has at most :math:`2^d` cells.  Random
    hyperplane hashing (Charikar 2002) of a projection to :math:`d` dimensions.  Deterministic under ``seed``.
    Chapter 9.
    """
    F = _as_real_matrix(features, "features")
    d = check_int(bits, "bits", minimum=1, maximum=62)
    R = as_rng(seed).standard_normal((F.shape[1], d))
    return ((F @ R > 0).astype(np.int64) << np.arange(d, dtype=np.int64)).sum(axis=1)


def _g(x: np.ndarray) -> np.ndarray:
    return xlogy(x, x)


def agglomerative_ib(p_xy) -> dict[int, np.ndarray]:
    r"""Agglomerative information bottleneck (Slonim and Tishby 1999): deterministic encoders with :math:`M = n, n-1, \dots, 1` cells.

    Starting from one cell per context, repeatedly merge the two cells whose merger loses the least
    relevant information :math:`I(T;Y)`; the loss of merging cells :math:`i, j` is
    :math:`\sum_y [g(a_y) + g(b_y) - g(a_y + b_y)] - [g(A) + g(B) - g(A + B)] \ge 0` with
    :math:`g(z) = z\log z`, :math:`a_y = p(i, y)`, :math:`A = p(i)`, a Jensen--Shannon divergence weighted by
    :math:`A + B`.  Ties go to the lexicographically smallest pair.  Returns ``{M: labels}``.  Chapter 9.
    """
    p = _as_joint(p_xy)
    n = p.shape[0]
    rows = p.copy()
    mass = rows.sum(axis=1)
    active = np.ones(n, dtype=bool)
    labels = np.arange(n, dtype=np.int64)

    def costs(i: int) -> np.ndarray:
        a, A = rows[i], mass[i]
        c = (_g(a)[None, :] + _g(rows) - _g(a[None, :] + rows)).sum(1) - (_g(A) + _g(mass) - _g(A + mass))
        c = np.maximum(c, 0.0)
        c[~active] = np.inf
        c[i] = np.inf
        return c

    cost = np.full((n, n), np.inf)
    for i in range(n):
        cost[i] = costs(i)
    out = {n: labels.copy()}
    for m in range(n - 1, 0, -1):
        i, j = divmod(int(np.argmin(cost)), n)  # cost is symmetric: the first hit has i < j
        rows[i] += rows[j]
        mass[i] += mass[j]
        rows[j] = 0.0
        mass[j] = 0.0
        active[j] = False
        labels[labels == j] = i
        cost[j, :] = np.inf
        cost[:, j] = np.inf
        ci = costs(i)
        cost[i, :] = ci
        cost[:, i] = ci
        _, lab = np.unique(labels, return_inverse=True)
        out[m] = lab.astype(np.int64)
    return out


class IBCurve(NamedTuple):
    r"""The information-bottleneck curve: for each ``beta``, the chosen encoder ``encoders[i]`` (:math:`q(t\mid x)`)
    and its ``i_xt`` :math:`= I(X;T)`, ``i_ty`` :math:`= I(T;Y)` (units of ``base``); ``i_xy`` :math:`= I(X;Y)`."""

    beta: np.ndarray
    i_xt: np.ndarray
    i_ty: np.ndarray
    encoders: tuple
    i_xy: float


def _soft_info(px, pxy, q):
    """(I(X;T), I(T;Y)) in nats of a soft encoder q(t|x)."""
    pxt = px[:, None] * q
    pt = pxt.sum(0)
    ok = pt > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ixt = float((xlogy(pxt[:, ok], q[:, ok]) - xlogy(pxt[:, ok], pt[ok][None, :])).sum())
    pty = q.T @ pxy
    py = pxy.sum(0)
    denom = pt[:, None] * py[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ity = float(np.where(pty > 0, xlogy(pty, pty) - xlogy(pty, np.where(denom > 0, denom, 1.0)), 0.0).sum())
    return max(ixt, 0.0), max(ity, 0.0)


def _ib_iterate(px, pyx, pxy, q, beta, max_iter, tol):
    negh = xlogy(pyx, pyx).sum(1)  # sum_y p(y|x) log p(y|x)
    for _ in range(max_iter):
        pt = px @ q
        alive = pt > 1e-300
        qyt = np.zeros((q.shape[1], pyx.shape[1]))
        qyt[alive] = (q[:, alive].T @ pxy) / pt[alive][:, None]
        # KL(p(y|x) || q(y|t)) as one matrix product; a zero q(y|t) counts as e^{-700} (a KL of
        # hundreds of nats, i.e. that cell is switched off), which keeps the product free of 0 * inf
        kl = negh[:, None] - pyx @ np.log(np.maximum(qyt, 1e-304)).T
        with np.errstate(divide="ignore"):
            logits = np.log(np.where(alive, pt, 0.0))[None, :] - beta * kl
        logits[:, ~alive] = -np.inf
        new = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
        delta = np.abs(new - q).max()
        q = new
        if delta < tol:
            break
    return q


def information_bottleneck(p_xy, betas, *, n_clusters=None, restarts=2, seed=0, max_iter=300, tol=1e-8, base=2) -> IBCurve:
    r"""The information-bottleneck curve :math:`\max\{I(T;Y) : I(X;T) \le R\}` of a joint pmf ``p_xy`` (Tishby, Pereira and Bialek 1999).

    For each :math:`\beta` the IB Lagrangian :math:`\mathcal L_\beta[q] = I(X;T) - \beta I(T;Y)` is minimised
    over encoders :math:`q(t\mid x)` with ``n_clusters`` cells (default: one per class of the minimal
    sufficient statistic, see below) by the
    self-consistent iteration, in the log domain,

    .. math:: \log q(t\mid x) = \log q(t) - \beta\,\KL(p(y\mid x)\,\|\,q(y\mid t)) - \log Z(x, \beta),\quad
              q(t) = \sum_x p(x) q(t\mid x),\quad q(y\mid t) = \frac{\sum_x p(x,y) q(t\mid x)}{q(t)},

    annealed over the increasing ``betas`` (each solution, slightly perturbed, seeds the next; seeded), then
    annealed back down from the sufficient statistic, and restarted at each :math:`\beta` from ``restarts``
    random encoders.  The iteration only finds local minima, so the curve is then read off a common pool of candidates: every
    converged encoder, the constant encoder (the point :math:`(0,0)`) and the minimal sufficient statistic
    (contexts with equal :math:`p(y\mid x)` merged, the point :math:`(H(T^\ast), I(X;Y))`).  For each
    :math:`\beta` the candidate with the smallest :math:`\mathcal L_\beta` is returned, so both
    :math:`I(X;T)` and :math:`I(T;Y)` are non-decreasing in :math:`\beta` (exchange argument), the curve starts
    at :math:`(0, 0)` for :math:`\beta \le 1` and reaches :math:`I(X;Y)` for large :math:`\beta`.  Units of
    ``base``.  Chapter 9.
    """
    p = _as_joint(p_xy)
    b = as_real_array(betas, "betas", finite=False, nonempty=False)
    if b.ndim != 1 or b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("betas must be a non-empty 1-D array of finite values >= 0 (beta = 0: the zero-rate end)")
    if np.any(np.diff(b) <= 0):
        raise ValueError("betas must be strictly increasing (the solver anneals along them)")
    n_clusters = None if n_clusters is None else check_int(n_clusters, "n_clusters", minimum=1)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=0)
    tol = check_positive(tol, "tol")
    lb = log_base(base)
    rng = as_rng(seed)
    px_full = p.sum(1)
    pyx_full = np.divide(p, px_full[:, None], out=np.full_like(p, 1.0 / p.shape[1]), where=px_full[:, None] > 0)
    # The minimal sufficient statistic S: contexts with equal p(y|x).  Every stationary encoder depends on x
    # only through p(y|x), and I(X;T) = I(S;T) for such encoders, so the iteration runs on the classes.
    _, suff = np.unique(np.round(pyx_full, 12), axis=0, return_inverse=True)
    suff = np.asarray(suff).ravel()
    ns = int(suff.max()) + 1
    p_s = np.zeros((ns, p.shape[1]))
    np.add.at(p_s, suff, p)
    ps = p_s.sum(1)
    pys = np.divide(p_s, ps[:, None], out=np.full_like(p_s, 1.0 / p.shape[1]), where=ps[:, None] > 0)
    cands = [np.ones((ns, 1)), np.eye(ns)]  # the constant encoder and S itself
    nt = ns if n_clusters is None else n_clusters
    q = rng.dirichlet(np.ones(nt), size=ns) * 0.1 + 0.9 / nt
    for beta in b:  # forward annealing, from a nearly constant encoder
        q = q * np.exp(0.01 * rng.standard_normal(q.shape))
        q /= q.sum(1, keepdims=True)
        q = _ib_iterate(ps, pys, p_s, q, float(beta), max_iter, tol)
        cands.append(q.copy())
    # reverse annealing, from (a perturbation of) the sufficient statistic, and fresh random starts per beta:
    # the forward path alone can stay on a branch that is no longer optimal (a test in test_embedding.py)
    q = np.eye(ns, nt) if nt >= ns else rng.dirichlet(np.ones(nt), size=ns)
    q = 0.99 * q + 0.01 / nt
    q /= q.sum(1, keepdims=True)
    for beta in b[::-1]:
        q = _ib_iterate(ps, pys, p_s, q, float(beta), max_iter, tol)
        cands.append(q.copy())
        for _ in range(restarts):
            cands.append(_ib_iterate(ps, pys, p_s, rng.dirichlet(np.ones(nt), size=ns), float(beta), max_iter, tol))
    pts = np.array([_soft_info(ps, p_s, c) for c in cands])
    cands = [c[suff] for c in cands]  # back to one row per context
    i_xy = mutual_information(p, 0, 1, base=math.e)
    pts[:, 1] = np.minimum(pts[:, 1], i_xy)  # round-off only: I(T;Y) <= I(X;Y) by data processing
    pts[pts < 1e-12] = 0.0  # round-off of the constant encoder
    chosen = [int(np.argmin(pts[:, 0] - beta * pts[:, 1] + 1e-12 * np.arange(len(pts)))) for beta in b]
    # enforce the exchange-argument ordering against round-off ties
    ixt = np.maximum.accumulate(pts[chosen, 0]) / lb
    ity = np.maximum.accumulate(pts[chosen, 1]) / lb
    return IBCurve(b, ixt, ity, tuple(cands[c] for c in chosen), i_xy / lb)


class DIBResult(NamedTuple):
    r"""The deterministic information bottleneck, one entry per ``beta``: ``labels[i]`` (the hard encoder
    :math:`f`, one cell per context), ``h_t`` :math:`= H(T) = I(X;T)`, ``i_ty`` :math:`= I(T;Y)` (units of
    ``base``), ``cells`` used, and ``costs[i]``, the DIB functional after each iteration (nats; non-increasing)."""

    beta: np.ndarray
    labels: tuple
    h_t: np.ndarray
    i_ty: np.ndarray
    cells: np.ndarray
    costs: tuple


def _dib_run(p, px, pyx, negh, f, beta, max_iter):
    n, ny = p.shape
    hist = []
    for _ in range(max_iter + 1):
        cellid, f = np.unique(f, return_inverse=True)  # relabel to the live cells 0..m-1
        f = f.ravel()
        m = len(cellid)
        qt = np.bincount(f, weights=px, minlength=m)
        qyt = np.stack([np.bincount(f, weights=p[:, y], minlength=m) for y in range(ny)], axis=1)
        qyt /= np.maximum(qt, 1e-300)[:, None]
        kl = negh[:, None] - pyx @ np.log(np.maximum(qyt, 1e-304)).T  # KL(p(y|x) || q(y|t)), nats
        with np.errstate(divide="ignore"):
            score = np.log(qt)[None, :] - beta * kl
        hist.append(float(px @ (-np.log(np.maximum(qt[f], 1e-300)) + beta * kl[np.arange(n), f])))
        new = np.argmax(score, axis=1)
        if np.array_equal(new, f):
            break
        f = new
    return f, np.array(hist)


def deterministic_information_bottleneck(p_xy, betas, *, n_clusters=None, restarts=10, seed=0, max_iter=200,
                                         base=2) -> DIBResult:
    r"""The deterministic information bottleneck (Strouse and Schwab 2017): :math:`\min_f H(T) - \beta I(T;Y)`, :math:`T = f(X)`.

    The IB Lagrangian with :math:`I(X;T)` replaced by :math:`H(T)`; its minimisers are hard clusterings.  For
    each :math:`\beta` the iteration is started from the identity encoder :math:`f(x) = x`, from the constant
    encoder, and from ``restarts`` random labellings into ``n_clusters`` cells (default: one per context;
    seeded), and the run with the smallest final :math:`H(T) - \beta I(T;Y)` is kept.  Each run alternates

    .. math:: f(x) = \arg\max_t\ \big[\log q(t) - \beta\,\KL(p(y\mid x)\,\|\,q(y\mid t))\big],\qquad
              q(t) = \sum_{x: f(x) = t} p(x),\quad q(y\mid t) = \frac{\sum_{x: f(x)=t} p(x,y)}{q(t)}

    (ties to the smallest :math:`t`) until :math:`f` stops changing.  Both steps minimise
    :math:`\mathcal J = \sum_x p(x)[-\log q(f(x)) + \beta\KL(p(y\mid x)\|q(y\mid f(x)))]`, which at the
    consistent :math:`q` equals :math:`H(T) + \beta(I(X;Y) - I(T;Y))`, so :math:`\mathcal J` never increases and
    the loop ends (a local minimum; ``costs`` records the kept run).  From the identity, contexts with equal
    :math:`p(y\mid x)` are merged on the first step.  Units of ``base``; ``costs`` in nats.  Chapter 9.
    """
    p = _as_joint(p_xy)
    b = as_real_array(betas, "betas", finite=False, nonempty=False)
    if b.ndim != 1 or b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("betas must be a non-empty 1-D array of finite values >= 0 (beta = 0: the zero-rate end)")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=0)
    n = p.shape[0]
    k = n if n_clusters is None else check_int(n_clusters, "n_clusters", minimum=1, maximum=n)
    lb = log_base(base)
    px = p.sum(1)
    pyx = np.divide(p, px[:, None], out=np.full_like(p, 1.0 / p.shape[1]), where=px[:, None] > 0)
    negh = xlogy(pyx, pyx).sum(1)
    rng = as_rng(seed)
    inits = [np.arange(n), np.zeros(n, dtype=np.int64)] + [rng.integers(0, k, size=n) for _ in range(restarts)]
    labels_out, h, i, cells, costs = [], [], [], [], []
    for beta in b:
        best = None
        for f0 in inits:
            f, hist = _dib_run(p, px, pyx, negh, f0.copy(), float(beta), max_iter)
            _, lab = np.unique(f, return_inverse=True)
            e = encoder_information(p, lab.astype(np.int64), base=math.e)
            cost = e.i_xt - beta * e.i_ty
            if best is None or cost < best[0] - 1e-12:
                best = (cost, lab.astype(np.int64), hist)
        e = encoder_information(p, best[1], base=base)
        labels_out.append(best[1])
        h.append(e.i_xt)
        i.append(e.i_ty)
        cells.append(e.cells)
        costs.append(best[2])
    return DIBResult(b, tuple(labels_out), np.array(h), np.array(i), np.array(cells), tuple(costs))


# ==============================================================================================
# InfoNCE
# ==============================================================================================


def readable_information(p_xy, log_q, *, critic=False, base=2) -> float:
    r"""The information a softmax read-out :math:`Q(y\mid x)` extracts: :math:`I_Q = H(Y) - \E[-\log Q(Y\mid X)]`.

    :math:`I_Q = I(X;Y) - \sum_x p(x)\,\KL(p(\cdot\mid x)\,\|\,Q(\cdot\mid x)) \le I(X;Y)` (Barber and Agakov's
    bound); equality iff :math:`Q = p(y\mid x)` wherever :math:`p(x) > 0`.  ``log_q`` (contexts x tokens) holds
    :math:`\log Q` up to a per-row constant (rows are normalised here); with ``critic=True`` it is a critic
    :math:`g` and :math:`Q \propto p(y)\,e^{g(x,y)}`, the conditional law a CPC critic implies (exact for
    :func:`optimal_critic`).  Units of ``base``.  Chapter 9.
    """
    p = _as_joint(p_xy)
    g = as_real_array(log_q, "log_q", finite=False, nonempty=False)
    critic = check_flag(critic, "critic")
    if g.shape != p.shape or np.any(np.isnan(g)) or np.any(g == np.inf):
        raise ValueError(f"log_q must be a real array of shape {p.shape} (no NaN or +inf)")
    py = p.sum(axis=0)
    if critic:
        with np.errstate(divide="ignore"):
            g = g + np.log(py)[None, :]
    g = np.where(np.isfinite(g), g, -np.inf)
    empty = np.flatnonzero(np.all(np.isneginf(g), axis=1) & (p.sum(axis=1) > 0))
    if empty.size:
        raise ValueError(f"log_q row {int(empty[0])} is -inf everywhere (after the critic's log p(y)) for a context of "
                         "positive probability: its read-out law Q(.|x) is undefined")
    with np.errstate(invalid="ignore"):  # rows of contexts of probability 0 are not used
        logq = log_softmax(g, axis=1)
    with np.errstate(invalid="ignore"):
        ce = -float(np.where(p > 0, p * logq, 0.0).sum())
    hy = -float(xlogy(py, py).sum())
    return (hy - ce) / log_base(base)


def optimal_critic(p_xy) -> np.ndarray:
    r"""The InfoNCE-optimal critic :math:`g^\ast(x, y) = \log\frac{p(y\mid x)}{p(y)}` (nats; :math:`-\infty` where :math:`p(x,y) = 0`).

    Any :math:`g^\ast(x,y) + a(x)` is equally optimal.  Rows of contexts with :math:`p(x) = 0` are set to 0
    (they are never drawn).  Chapter 9.
    """
    p = _as_joint(p_xy)
    px, py = p.sum(1), p.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(p) - np.log(px)[:, None] - np.log(py)[None, :]
    g[px == 0] = 0.0
    return g


def infonce(scores, base=math.e) -> float:
    r"""The InfoNCE lower bound :math:`\log N - \mathcal L_N = \frac1N\sum_i \Big[s_{ii} - \log\frac1N\sum_j e^{s_{ij}}\Big]` of one batch.

    ``scores[i, j]`` :math:`= g(x_i, y_j)` for a batch of :math:`N` pairs :math:`(x_i, y_i)`, positives on the
    diagonal.  Each term is :math:`\log N` plus a log-softmax, so the value is at most :math:`\log N` for every
    critic and batch; its expectation is at most :math:`I(X;Y)` (van den Oord et al. 2018; Poole et al. 2019).
    ``-inf`` scores (impossible pairs) are allowed, ``+inf`` and NaN are not, nor a row that is ``-inf``
    everywhere (its softmax is undefined).  Units of ``base`` (nats by default).  Chapter 9.
    """
    S = _as_real_matrix(scores, "scores", allow_neg_inf=True)
    if S.shape[0] != S.shape[1]:
        raise ValueError(f"scores must be square (N x N), got shape {S.shape}")
    lb = log_base(base)
    N = S.shape[0]
    empty = np.flatnonzero(np.all(np.isneginf(S), axis=1))
    if empty.size:
        raise ValueError(f"scores row {int(empty[0])} is -inf everywhere: its softmax over the batch is undefined")
    val = float(np.mean(np.diag(S) - logsumexp(S, axis=1))) + math.log(N)
    return min(val, math.log(N)) / lb


def _ratio_and_py(p_xy):
    p = _as_joint(p_xy)
    px, py = p.sum(1), p.sum(0)
    r = np.divide(p, px[:, None] * py[None, :], out=np.zeros_like(p), where=(px[:, None] * py[None, :]) > 0)
    return p, py, r


def infonce_exact(p_xy, N, base=math.e) -> float:
    r"""Exact expected InfoNCE bound of the optimal critic, :math:`\E[\log N - \mathcal L_N(g^\ast)]`, by enumeration.

    :math:`(x, y_1) \sim p(x,y)`, :math:`y_2, \dots, y_N \sim p(y)` i.i.d., and with :math:`r = p(y\mid x)/p(y)`
    the value is :math:`\E\big[\log r(x,y_1) - \log\tfrac1N\sum_j r(x,y_j)\big] = I(X;Y) - \KL(\bar P\,\|\,Q)`
    where :math:`\bar P` is the law of the batch with the positive at a uniformly random index and :math:`Q` the
    product of the marginals; the maximum of the expected InfoNCE over critics.  Enumerates the
    :math:`V^{N-1}` negative tuples (refused above :math:`2^{21}`).  Units of ``base``.  Chapter 9.
    """
    p, py, r = _ratio_and_py(p_xy)
    N = check_int(N, "N", minimum=1)
    lb = log_base(base)
    V = p.shape[1]
    if V ** (N - 1) > _MAX_ENUM:
        raise ValueError(f"N={N} with {V} tokens needs {V}**{N - 1} tuples, more than {_MAX_ENUM}: use infonce_monte_carlo")
    # law of S = sum_{j>=2} r(x, y_j) for each x, as (values, weights) over all tuples
    vals = np.zeros((p.shape[0], 1))
    wts = np.ones(1)
    for _ in range(N - 1):
        vals = (vals[:, :, None] + r[:, None, :]).reshape(p.shape[0], -1)
        wts = (wts[:, None] * py[None, :]).reshape(-1)
    total = 0.0
    for y1 in range(V):
        col = p[:, y1]
        ok = col > 0
        if not ok.any():
            continue
        r1 = r[ok, y1]
        inner = np.log(r1)[:, None] - np.log((r1[:, None] + vals[ok]) / N)
        total += float(col[ok] @ (inner @ wts))
    return total / lb


def infonce_monte_carlo(p_xy, critic, N, *, n_batches=200, seed=None, base=math.e) -> tuple[float, float]:
    r"""Monte-Carlo mean and standard error of :func:`infonce` over ``n_batches`` fresh batches of ``N`` pairs drawn from ``p_xy``.

    ``critic`` is a table ``(contexts x tokens)`` of scores :math:`g(x, y)`.  Deterministic under ``seed``.
    Units of ``base`` (nats by default).  Chapter 9.
    """
    p = _as_joint(p_xy)
    g = _as_real_matrix(critic, "critic", allow_neg_inf=True)
    if g.shape != p.shape:
        raise ValueError(f"critic must have the shape of p_xy {p.shape}, got {g.shape}")
    N = check_int(N, "N", minimum=1)
    nb = check_int(n_batches, "n_batches", minimum=1)
    lb = log_base(base)
    rng = as_rng(seed)
    flat = rng.choice(p.size, size=(nb, N), p=p.reshape(-1))
    xs, ys = np.divmod(flat, p.shape[1])
    # sum_j e^{g(x_i, y_j)} = sum_v c_v e^{g(x_i, v)} with c_v the number of y_j = v in the batch: O(N V), not O(N^2)
    out = np.empty(nb)
    V = p.shape[1]
    chunk = max(1, 2**21 // (N * V))
    for s in range(0, nb, chunk):
        X, Y = xs[s : s + chunk], ys[s : s + chunk]
        cnt = np.stack([np.bincount(r, minlength=V) for r in Y]).astype(float)
        with np.errstate(divide="ignore"):
            logc = np.log(cnt)
        lse = logsumexp(g[X] + logc[:, None, :], axis=2)  # (b, N)
        if np.any(np.isneginf(lse)):
            raise ValueError("critic is -inf on every token of a batch for one of its contexts: the InfoNCE softmax "
                             "over that batch is undefined")
        out[s : s + chunk] = np.mean(g[X, Y] - lse, axis=1) + math.log(N)
    out = np.minimum(out, math.log(N)) / lb
    return float(out.mean()), float(out.std(ddof=1) / math.sqrt(nb)) if nb > 1 else 0.0


class InfoNCEFit(NamedTuple):
    """A trained CPC critic :math:`g(x,y) = s\\langle \\hat u_x, \\hat w_y\\rangle`: ``critic`` table (nats),
    ``scale``, training ``losses`` (nats per step) and the batch size ``N`` used."""

    critic: np.ndarray
    scale: float
    losses: np.ndarray
    N: int


def train_infonce_critic(x, y, n_contexts, vocab_size, *, dim=8, N=64, steps=300, lr=0.05, seed=0) -> InfoNCEFit:
    r"""Train a CPC/InfoNCE critic on the unit sphere in torch: :math:`g(x, y) = s\langle \hat u_x, \hat w_y\rangle`.

    Each step draws a batch of ``N`` training pairs ``(x[i], y[i])`` (context indices and next tokens, e.g.
    from :func:`context_samples`) and takes an Adam step on the InfoNCE loss
    :math:`\mathcal L_N = -\frac1N\sum_i \log\frac{e^{g(x_i,y_i)}}{\sum_j e^{g(x_i,y_j)}}` (van den Oord et al.
    2018).  Vectors :math:`u_x, w_y \in \R^d` are normalised inside the critic; the scale :math:`s = e^\theta` is
    learned.  Seeded (``torch.Generator``), CPU (one thread, restored afterwards), float64; a few hundred
    steps take about a second.  A loss or parameter that stops being finite (``lr`` far too large) raises
    ``ValueError`` naming ``lr`` and the step.
    Chapter 9.
    """
    nx = check_int(n_contexts, "n_contexts", minimum=1)
    V = check_int(vocab_size, "vocab_size", minimum=1)
    xa, ya = _asarray(x, "x"), _asarray(y, "y")
    if xa.ndim != 1 or ya.shape != xa.shape or xa.size == 0:
        raise ValueError("x and y must be 1-D arrays of the same non-zero length")
    if xa.dtype.kind not in "iu" or xa.min() < 0 or xa.max() >= nx:
        raise ValueError(f"x must hold context indices in [0, n_contexts - 1] = [0, {nx - 1}]")
    if ya.dtype.kind not in "iu" or ya.min() < 0 or ya.max() >= V:
        raise ValueError(f"y must hold token ids in [0, vocab_size - 1] = [0, {V - 1}]")
    d = check_int(dim, "dim", minimum=1)
    N = check_int(N, "N", minimum=2)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = check_int(seed, "seed", minimum=0)
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add synchronisation cost
    try:
        return _train_infonce(torch, xa, ya, nx, V, d, N, steps, lr, seed)
    finally:
        torch.set_num_threads(threads)


def _train_infonce(torch, xa, ya, nx, V, d, N, steps, lr, seed) -> InfoNCEFit:
    gen = torch.Generator().manual_seed(seed)
    A = torch.randn(nx, d, generator=gen, dtype=torch.float64).requires_grad_()
    B = torch.randn(V, d, generator=gen, dtype=torch.float64).requires_grad_()
    th = torch.tensor(math.log(3.0), dtype=torch.float64, requires_grad=True)
    X, Y = torch.as_tensor(xa, dtype=torch.long), torch.as_tensor(ya, dtype=torch.long)
    opt = torch.optim.Adam([A, B, th], lr=lr)
    labels = torch.arange(N)
    losses = np.empty(steps)
    for t in range(steps):
        idx = torch.randint(len(X), (N,), generator=gen)
        u = torch.nn.functional.normalize(A[X[idx]], dim=1)
        w = torch.nn.functional.normalize(B[Y[idx]], dim=1)
        loss = torch.nn.functional.cross_entropy(th.exp() * u @ w.T, labels)
        if not torch.isfinite(loss):
            raise ValueError(f"lr={lr:g} is too large: the InfoNCE loss is not finite at step {t} (diverged)")
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[t] = loss.item()
    if not all(bool(torch.isfinite(v).all()) for v in (A, B, th)):
        raise ValueError(f"lr={lr:g} is too large: the critic's parameters are not finite after step {steps - 1} (diverged)")
    with torch.no_grad():
        s = float(th.exp())
        g = s * torch.nn.functional.normalize(A, dim=1) @ torch.nn.functional.normalize(B, dim=1).T
    return InfoNCEFit(g.numpy().copy(), s, losses, N)
