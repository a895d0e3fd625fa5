r"""Mamba-2's scalar-decay state space in its three forms: the recurrence, the state-space dual (masked attention)
matrix and the chunked block algorithm; the semiseparable mask, its rank, and the cost of each form (chapter 15)."""

from __future__ import annotations

from typing import NamedTuple

from .._validate import check_flag, check_int, check_positive
from ..core.types import ArrayLike
from ._common import (
    segsum,
    ssd_chunked_unchecked,
    ssd_matrix_unchecked,
    ssd_recurrent_unchecked,
    tensor,
    torch,
)


def _check_ssd(x, a, B, C):
    x = tensor(x, "x", min_ndim=2)
    a = tensor(a, "a")
    B = tensor(B, "B", min_ndim=2)
    C = tensor(C, "C", min_ndim=2)
    if a.shape != x.shape[:-1]:
        raise ValueError(f"a must have shape {tuple(x.shape[:-1])} (x without its last axis), got {tuple(a.shape)}")
    if not bool(((a > 0) & (a <= 1)).all()):
        raise ValueError("a must lie in (0, 1] (decays e^{Delta A} with A <= 0)")
    if B.shape[:-1] != x.shape[:-1] or B.shape != C.shape:
        raise ValueError(f"B and C must have shape {tuple(x.shape[:-1])} + (N,), got {tuple(B.shape)} and {tuple(C.shape)}")
    return x, a, B, C


def ssd_recurrent(x: ArrayLike | torch.Tensor, a: ArrayLike | torch.Tensor, B: ArrayLike | torch.Tensor, C: ArrayLike | torch.Tensor, *,
                  return_state: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    r"""Mamba-2's recurrence with scalar decay: :math:`H_t = a_t H_{t-1} + B_t x_t^\T`, :math:`y_t = H_t^\T C_t`, :math:`H_0 = 0`.

    Shapes: ``x`` (..., L, P), ``a`` (..., L) in :math:`(0, 1]`, ``B`` and ``C`` (..., L, N); returns ``y``
    (..., L, P) (and the final state (..., N, P) with ``return_state``).  :math:`O(L N P)` time, a state of
    :math:`N P` numbers.  Chapter 15.

    Parameters
    ----------
    x : array_like or Tensor, shape (..., L, P)
        The head's input channels.
    a : array_like or Tensor, shape (..., L)
        Scalar decays in :math:`(0, 1]`.
    B, C : array_like or Tensor, shape (..., L, N)
        Keys and queries of the dual attention form.
    return_state : bool, keyword-only, default False
        Also return the final state.

    Returns
    -------
    y : Tensor, shape (..., L, P)
        The outputs.
    H : Tensor, shape (..., N, P)
        The final state, only with ``return_state``.
    """
    check_flag(return_state, "return_state")
    x, a, B, C = _check_ssd(x, a, B, C)
    y, h = ssd_recurrent_unchecked(x, a, B, C)
    return (y, h) if return_state else y


def semiseparable_mask(a: ArrayLike | torch.Tensor) -> torch.Tensor:
    r"""The 1-semiseparable decay mask :math:`L_{ij} = \prod_{k=j+1}^{i} a_k` (:math:`i \ge j`; 0 for :math:`i < j`).

    Computed in the log domain, :math:`L_{ij} = \exp\sum_{k=j+1}^{i} \log a_k`, by cumulative sums that never
    subtract two large numbers.  ``a`` (..., L) in :math:`(0, 1]`; returns (..., L, L).  Every submatrix
    below the diagonal has rank one, :math:`L_{ij} = \ell_i / \ell_j` with :math:`\ell_i = \prod_{k \le i} a_k`.
    Chapter 15.

    Parameters
    ----------
    a : array_like or Tensor, shape (..., L)
        Decays in :math:`(0, 1]`.

    Returns
    -------
    Tensor, shape (..., L, L)
        The mask :math:`L` (dimensionless), lower triangular with unit diagonal.

    Examples
    --------
    >>> round(float(semiseparable_mask([0.9, 0.5, 0.8, 0.7, 0.6])[4, 1]), 6)
    0.336
    """
    a = tensor(a, "a")
    if not bool(((a > 0) & (a <= 1)).all()):
        raise ValueError("a must lie in (0, 1] (decays e^{Delta A} with A <= 0)")
    return torch.exp(segsum(torch.log(a)))


def semiseparable_rank(M: ArrayLike | torch.Tensor, *, rtol: float = 1e-9) -> int:
    r"""The semiseparable rank of a lower-triangular matrix: :math:`\max_k \operatorname{rank} M_{k:,\,:k+1}`.

    Every submatrix on or below the diagonal lies inside one of the blocks :math:`M_{k:,\,:k+1}` (rows
    :math:`k, \dots, L-1`, columns :math:`0, \dots, k`), so :math:`M` is :math:`N`-semiseparable (Dao & Gu 2024)
    iff this number is at most :math:`N`.  The mask of :func:`semiseparable_mask` has rank 1, and the SSD
    matrix :math:`L \circ C B^\T` with a state of size :math:`N` at most :math:`N`.  Numerical rank by SVD, with
    singular values below ``rtol`` times the largest one of the whole matrix counted as zero.  ``M`` (L, L).
    Chapter 15.

    Parameters
    ----------
    M : array_like or Tensor, shape (L, L)
        A (lower-triangular) matrix.
    rtol : float, keyword-only, default 1e-9
        Relative threshold for a singular value to count.

    Returns
    -------
    int
        :math:`\max_k \operatorname{rank} M_{k:,\,:k+1}`, between 0 and :math:`\lceil L/2 \rceil`.
    """
    M = tensor(M, "M", min_ndim=2)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M must be a square matrix, got shape {tuple(M.shape)}")
    tol = check_positive(rtol, "rtol") * float(torch.linalg.matrix_norm(M, ord=2)) if M.numel() else 0.0
    ranks = [int((torch.linalg.svdvals(M[k:, : k + 1]) > tol).sum()) for k in range(M.shape[0])]
    return max(ranks, default=0)


def ssd_matrix(x: ArrayLike | torch.Tensor, a: ArrayLike | torch.Tensor, B: ArrayLike | torch.Tensor, C: ArrayLike | torch.Tensor) -> torch.Tensor:
    r"""The state-space dual (matrix) form of :func:`ssd_recurrent`: :math:`y = (L \circ C B^\T)\, x`.

    :math:`(C B^\T)_{ij} = C_i^\T B_j` are the scores of linear attention (queries :math:`C`, keys :math:`B`,
    values :math:`x`) and :math:`L` (:func:`semiseparable_mask`) masks the future and decays the past.
    Equal to the recurrence to round-off; :math:`O(L^2 (N + P))` time and :math:`O(L^2)` memory.  Same shapes
    as :func:`ssd_recurrent`.  Chapter 15.

    Parameters
    ----------
    x : array_like or Tensor, shape (..., L, P)
        Values (the head's input channels).
    a : array_like or Tensor, shape (..., L)
        Scalar decays in :math:`(0, 1]`.
    B, C : array_like or Tensor, shape (..., L, N)
        Keys and queries.

    Returns
    -------
    Tensor, shape (..., L, P)
        The outputs :math:`(L \circ C B^\T)\, x`.
    """
    x, a, B, C = _check_ssd(x, a, B, C)
    return ssd_matrix_unchecked(x, a, B, C)


def ssd_chunked(x: ArrayLike | torch.Tensor, a: ArrayLike | torch.Tensor, B: ArrayLike | torch.Tensor, C: ArrayLike | torch.Tensor, *, chunk: int = 64) -> torch.Tensor:
    r"""Mamba-2's block algorithm: the matrix form inside chunks of ``chunk`` steps, the recurrence across them.

    .. math:: y_t = \sum_{j \in \text{chunk}(t),\, j \le t} L_{tj}\, C_t^\T B_j\, x_j
              + \Bigl(\prod_{k=c_0}^{t} a_k\Bigr) H_{c_0 - 1}^\T C_t

    with :math:`c_0` the first step of :math:`t`'s chunk and :math:`H_{c_0-1}` the state entering it.  Equal
    to :func:`ssd_recurrent`; :math:`O(L\,\text{chunk}\,(N+P) + L N P)` time.  Chapter 15.

    Parameters
    ----------
    x : array_like or Tensor, shape (..., L, P)
        The head's input channels.
    a : array_like or Tensor, shape (..., L)
        Scalar decays in :math:`(0, 1]`.
    B, C : array_like or Tensor, shape (..., L, N)
        Keys and queries.
    chunk : int, keyword-only, default 64
        Steps per chunk (the last one is padded).

    Returns
    -------
    Tensor, shape (..., L, P)
        The outputs, equal to :func:`ssd_recurrent`'s.
    """
    x, a, B, C = _check_ssd(x, a, B, C)
    chunk = check_int(chunk, "chunk", minimum=1)
    return ssd_chunked_unchecked(x, a, B, C, chunk)


class SSDCost(NamedTuple):
    r"""Multiply–adds of the two forms of one SSD head: ``recurrent`` :math:`3LNP` and ``matrix`` :math:`L^2(N+P+1)`.

    Attributes
    ----------
    recurrent : int
        Multiply–adds of the loop, :math:`3LNP`.
    matrix : int
        Multiply–adds of the dense matrix form, :math:`L^2(N+P+1)`.
    """

    recurrent: int
    matrix: int


def ssd_cost(n: int, d_state: int, head_dim: int) -> SSDCost:
    r"""Multiply–add counts of :func:`ssd_recurrent` and :func:`ssd_matrix` for one head, as implemented.

    Recurrent: per step, decay the state (:math:`NP`), add :math:`B_t x_t^\T` (:math:`NP`) and read
    :math:`H_t^\T C_t` (:math:`NP`): :math:`3LNP` in all.  Matrix (dense): :math:`C B^\T` (:math:`L^2 N`), the mask
    product (:math:`L^2`) and the product with :math:`x` (:math:`L^2 P`): :math:`L^2(N+P+1)`.  The matrix form
    costs more once :math:`L > 3NP/(N+P+1)`.  ``n`` = :math:`L`, ``d_state`` = :math:`N`, ``head_dim`` = :math:`P`.
    Chapter 15.

    Parameters
    ----------
    n : int
        Sequence length :math:`L \ge 1`.
    d_state : int
        State size :math:`N \ge 1`.
    head_dim : int
        Head width :math:`P \ge 1`.

    Returns
    -------
    SSDCost
        Multiply–add counts (``recurrent``, ``matrix``).

    Examples
    --------
    >>> ssd_cost(100, 64, 64)
    SSDCost(recurrent=1228800, matrix=1290000)
    """
    L = check_int(n, "n", minimum=1)
    N = check_int(d_state, "d_state", minimum=1)
    P = check_int(head_dim, "head_dim", minimum=1)
    return SSDCost(3 * L * N * P, L * L * (N + P + 1))
