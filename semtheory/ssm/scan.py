r"""Discretisation of a diagonal state space and the selective scan of Mamba (S6), as a loop or a parallel prefix
scan (chapter 15)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._validate import check_choice, check_flag, check_int
from ..core.types import ArrayLike
from ._common import (
    discretize_unchecked,
    parallel_scan_unchecked,
    same_lead,
    selective_scan_unchecked,
    tensor,
)

if TYPE_CHECKING:
    import torch


def discretize(delta: ArrayLike | torch.Tensor, A: ArrayLike | torch.Tensor, B: ArrayLike | torch.Tensor, *,
               method: str = "zoh") -> tuple[torch.Tensor, torch.Tensor]:
    r"""Zero-order-hold discretisation of a diagonal state space: returns :math:`(\bar A, \bar B)`.

    .. math:: \bar A = e^{\Delta A}, \qquad \bar B = (\Delta A)^{-1}(e^{\Delta A}-I)\,\Delta B
              = \frac{e^{\Delta a} - 1}{a}\, B \ \ \text{(elementwise, diagonal } A)

    (:math:`\bar B = \Delta B` where :math:`a = 0`, the limit).  ``method="euler"`` gives
    :math:`\bar B = \Delta B` everywhere (the first-order limit; Mamba's implementation uses it for
    :math:`B`).  Shapes: ``delta`` (..., D) steps > 0, ``A`` (D, N) diagonal entries :math:`\le 0`,
    ``B`` (..., N); outputs (..., D, N).  Dimensionless.  Chapter 15.

    Parameters
    ----------
    delta : array_like or Tensor, shape (..., D)
        Step sizes :math:`\Delta > 0`, one per channel.
    A : array_like or Tensor, shape (D, N)
        Diagonal entries of the state matrix, :math:`\le 0`.
    B : array_like or Tensor, shape (..., N)
        Input map, with the leading shape of ``delta``.
    method : {"zoh", "euler"}, keyword-only, default "zoh"
        Input map: zero-order hold or Euler's :math:`\Delta B`.

    Returns
    -------
    Abar, Bbar : Tensor, shape (..., D, N)
        The discrete decay :math:`e^{\Delta A}` and input map :math:`\bar B` (dimensionless).
    """
    method = check_choice(method, "method", ("zoh", "euler"))
    delta = tensor(delta, "delta")
    A = tensor(A, "A", min_ndim=2)
    B = tensor(B, "B")
    if not bool((delta > 0).all()):
        raise ValueError("delta must be > 0 (a step size)")
    if not bool((A <= 0).all()):
        raise ValueError("A must be <= 0 (a stable diagonal state matrix)")
    if A.ndim != 2 or delta.shape[-1] != A.shape[0] or B.shape[-1] != A.shape[1]:
        raise ValueError(f"A must have shape (D, N) = ({delta.shape[-1]}, {B.shape[-1]}) matching delta (..., D) and B (..., N), got {tuple(A.shape)}")
    same_lead("delta", delta, "B", B, 1, 1)
    return discretize_unchecked(delta, A, B, method)


def parallel_scan(a: ArrayLike | torch.Tensor, b: ArrayLike | torch.Tensor, *, axis: int = 0) -> torch.Tensor:
    r"""All states :math:`h_t = a_t \circ h_{t-1} + b_t` (:math:`h_0 = 0` before the first step) by a parallel prefix scan.

    The maps :math:`f_t(h) = a_t h + b_t` compose associatively, :math:`f_t \circ f_s = (a_t a_s,\ a_t b_s + b_t)`,
    so all prefixes are computed in :math:`\lceil \log_2 L \rceil` rounds of elementwise products (Hillis–Steele;
    :math:`O(L \log L)` work, depth :math:`O(\log L)`), instead of :math:`L` dependent steps.  Mamba's GPU kernel
    uses the same associativity.  ``a`` and ``b`` tensors of the same shape with time along ``axis``; returns
    the states, same shape.  Chapter 15.

    Parameters
    ----------
    a : array_like or Tensor
        Decays :math:`a_t`, time along ``axis``.
    b : array_like or Tensor, same shape as ``a``
        Inputs :math:`b_t`.
    axis : int, keyword-only, default 0
        The time axis.

    Returns
    -------
    Tensor, same shape as ``a``
        The states :math:`h_1, \dots, h_L` (units of ``b``).

    Examples
    --------
    >>> import torch
    >>> parallel_scan(torch.tensor([0.5, 0.5, 0.5]), torch.tensor([1.0, 1.0, 1.0])).tolist()
    [1.0, 1.5, 1.75]
    """
    a = tensor(a, "a")
    b = tensor(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {tuple(a.shape)}, got {tuple(b.shape)}")
    axis = check_int(axis, "axis")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis must index an axis of a (ndim {a.ndim}), got {axis}")
    return parallel_scan_unchecked(a, b, axis)


def selective_scan(x: ArrayLike | torch.Tensor, delta: ArrayLike | torch.Tensor, A: ArrayLike | torch.Tensor, B: ArrayLike | torch.Tensor, C: ArrayLike | torch.Tensor, D: ArrayLike | torch.Tensor | None = None, *, method: str = "zoh",
                   scan: str = "loop", return_state: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    r"""The selective scan of Mamba (S6): a diagonal state space whose :math:`\Delta_t, B_t, C_t` vary with :math:`t`.

    .. math:: h_t = e^{\Delta_t A} \circ h_{t-1} + \bar B_t\, x_t, \qquad y_t = h_t C_t + D \circ x_t,
              \qquad h_0 = 0,

    per channel :math:`d` (state :math:`h_t[d] \in \R^N`).  Shapes: ``x`` and ``delta`` (..., L, D), ``A``
    (D, N), ``B`` and ``C`` (..., L, N), ``D`` (D,) or ``None``; returns ``y`` (..., L, D) (and the final
    state (..., D, N) with ``return_state``).  ``scan="loop"``: a plain loop over time; ``scan="parallel"``:
    :func:`parallel_scan` (same result to round-off).  :func:`discretize` gives :math:`\bar B_t` (``method``
    ``"zoh"`` or ``"euler"``; Mamba's reference implementation uses Euler for :math:`B`).  Chapter 15.

    Parameters
    ----------
    x : array_like or Tensor, shape (..., L, D)
        The input channels.
    delta : array_like or Tensor, shape (..., L, D)
        Step sizes :math:`\Delta_t > 0`.
    A : array_like or Tensor, shape (D, N)
        Diagonal state matrices, entries :math:`\le 0`.
    B, C : array_like or Tensor, shape (..., L, N)
        Input and output maps, shared by the channels.
    D : array_like or Tensor, shape (D,), optional
        Skip weights; ``None`` for no skip term.
    method : {"zoh", "euler"}, keyword-only, default "zoh"
        Input map (:func:`discretize`).
    scan : {"loop", "parallel"}, keyword-only, default "loop"
        A loop over time or :func:`parallel_scan`.
    return_state : bool, keyword-only, default False
        Also return the final state.

    Returns
    -------
    y : Tensor, shape (..., L, D)
        The outputs (units of ``x`` times those of :math:`B C`).
    h : Tensor, shape (..., D, N)
        The final state, only with ``return_state``.
    """
    method = check_choice(method, "method", ("zoh", "euler"))
    check_flag(return_state, "return_state")
    if scan not in ("loop", "parallel"):
        raise ValueError(f"scan must be 'loop' or 'parallel', got {scan!r}")
    x = tensor(x, "x", min_ndim=2)
    delta = tensor(delta, "delta", min_ndim=2)
    A = tensor(A, "A", min_ndim=2)
    B = tensor(B, "B", min_ndim=2)
    C = tensor(C, "C", min_ndim=2)
    if delta.shape != x.shape:
        raise ValueError(f"delta must have the shape of x {tuple(x.shape)}, got {tuple(delta.shape)}")
    if not bool((delta > 0).all()):
        raise ValueError("delta must be > 0 (a step size)")
    if A.ndim != 2 or A.shape[0] != x.shape[-1]:
        raise ValueError(f"A must have shape (D, N) with D = {x.shape[-1]}, got {tuple(A.shape)}")
    if not bool((A <= 0).all()):
        raise ValueError("A must be <= 0 (a stable diagonal state matrix)")
    for name, M in (("B", B), ("C", C)):
        if M.shape != x.shape[:-1] + (A.shape[1],):
            raise ValueError(f"{name} must have shape {tuple(x.shape[:-1]) + (A.shape[1],)}, got {tuple(M.shape)}")
    if D is not None:
        D = tensor(D, "D")
        if D.shape != (x.shape[-1],):
            raise ValueError(f"D must have shape ({x.shape[-1]},), got {tuple(D.shape)}")
    y, h = selective_scan_unchecked(x, delta, A, B, C, D, method=method, scan=scan)
    return (y, h) if return_state else y
