"""Factorisations and geometry of word vectors: weighted (SGNS least-squares) and truncated-SVD factorisations,
their errors, unit-sphere vectors, nearest neighbours and analogies.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.  The matrices factorised here
(PMI, shifted PMI, SGNS's weights) come from :mod:`semtheory.embedding.pmi`.
"""

from __future__ import annotations

import math
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import scipy.sparse as sps

from ..core.types import ArrayLike, FloatArray, SeedLike
from .._validate import as_rng, check_int, check_positive, check_probability, check_seed
from ._common import as_real_matrix, check_counts, sparse_real

_DENSE_SVD_MAX = 300  # below this many rows/columns truncated_svd uses an exact dense SVD


# ==============================================================================================
# Weighted and SVD factorisations, vectors on the sphere, analogies
# ==============================================================================================


class WeightedFit(NamedTuple):
    r"""A weighted rank-:math:`d` factorisation :math:`Z \approx WC^\T`: ``words`` :math:`W`, ``contexts`` :math:`C`,
    and ``objective`` after each half-sweep (non-increasing), starting with the initial value.

    Attributes
    ----------
    words : numpy.ndarray, shape (n_words, d)
        The factor :math:`W`.
    contexts : numpy.ndarray, shape (n_contexts, d)
        The factor :math:`C`.
    objective : numpy.ndarray, shape (2 * n_iter + 1,)
        :math:`J` at the start and after each half-sweep (squared units of ``target``).
    """

    words: np.ndarray
    contexts: np.ndarray
    objective: np.ndarray


def _als_half(weights, weighted_target, F, reg):
    """Solve every row of the updated factor: (F_S^T diag(w) F_S + reg I) x = F_S^T diag(w) z_S.

    ``weights`` and ``weighted_target`` are CSR matrices (rows: the factor being solved, columns: the rows of
    ``F``) holding w and w z on the weighted cells.  The Gram matrices of all rows come from one sparse
    product with the outer products F_c F_c^T (their upper triangles), and are solved in one batch.
    """
    n, (m, d) = weights.shape[0], F.shape
    iu = np.triu_indices(d)
    Q = (F[:, iu[0]] * F[:, iu[1]])                          # F_c F_c^T, upper triangle, one row per c
    A = np.empty((n, d, d))
    A[:, iu[0], iu[1]] = weights @ Q
    A[:, iu[1], iu[0]] = A[:, iu[0], iu[1]]
    A += reg * np.eye(d)
    b = np.asarray(weighted_target @ F)
    X = np.empty((n, d))
    try:  # symmetric positive definite (always when reg > 0): one batched solve
        np.linalg.cholesky(A)
        ok = np.ones(n, dtype=bool)
    except np.linalg.LinAlgError:  # reg = 0 and singular Gram matrices: those rows take the minimum-norm minimiser
        ok = np.zeros(n, dtype=bool)
        for i in range(n):
            try:
                np.linalg.cholesky(A[i])
                ok[i] = True
            except np.linalg.LinAlgError:
                X[i] = np.linalg.lstsq(A[i], b[i], rcond=None)[0]
    if ok.any():
        X[ok] = np.linalg.solve(A[ok], b[ok][..., None])[..., 0]
    return X


def weighted_factorisation(target: ArrayLike | sps.spmatrix, weights: ArrayLike | sps.spmatrix, d: int, *,
                           init: tuple[ArrayLike, ArrayLike] | None = None, n_iter: int = 10, reg: float = 1e-3,
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
    n_iter : int, keyword-only, default 10
        Number of sweeps, all run (each updates :math:`W`, then :math:`C`), at least 1.
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
    n_iter = check_int(n_iter, "n_iter", minimum=1)
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

    by_word = sps.csr_matrix((w, (rows, cols)), shape=(n, m))          # duplicate cells add, as in J
    by_word_z = sps.csr_matrix((w * z, (rows, cols)), shape=(n, m))
    by_context, by_context_z = by_word.T.tocsr(), by_word_z.T.tocsr()
    obj = [J(W, C)]
    for _ in range(n_iter):
        W = _als_half(by_word, by_word_z, C, reg)
        obj.append(J(W, C))
        C = _als_half(by_context, by_context_z, W, reg)
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
    target = np.asarray(A[r, c], dtype=float).ravel() if r.size else np.zeros(0)  # (an empty index is a sparse (1, 0))
    res = np.einsum("ij,ij->i", W[r], C[c]) - target
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
    i = check_int(i, "i", minimum=0, maximum=S.shape[0] - 1)
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
    a, b, c = (check_int(v, name, minimum=0, maximum=n - 1) for v, name in ((a, "a"), (b, "b"), (c, "c")))
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
