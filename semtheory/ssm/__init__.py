r"""Selective state spaces (Mamba), the Mamba-2 state-space duality, and the fixed-size state as a finite-state channel.

Chapter 15.

**Discretisation.**  A continuous state space :math:`\dot h = A h + B u` held constant over a step
:math:`\Delta` (zero-order hold) gives :math:`h_t = \bar A h_{t-1} + \bar B u_t` with

.. math:: \bar A = e^{\Delta A}, \qquad \bar B = (\Delta A)^{-1}(e^{\Delta A} - I)\,\Delta B,

which for diagonal :math:`A` is elementwise, :math:`\bar B = (e^{\Delta a} - 1)/a \cdot B` (:func:`discretize`;
Euler: :math:`\bar A \approx I + \Delta A`, :math:`\bar B \approx \Delta B`).  Mamba's reference code keeps
:math:`\bar A = e^{\Delta A}` and uses Euler's :math:`\bar B = \Delta B`, and so do :class:`MambaBlock` and
:class:`MambaLM` by default (``discretization="euler"``).

**Mamba (S6).**  Every channel :math:`d` of the input carries a diagonal state of size :math:`N`; the step
:math:`\Delta_t`, and the vectors :math:`B_t, C_t \in \R^N`, are functions of the input (*selection*):
:math:`h_t = \bar A_t h_{t-1} + \bar B_t x_t`, :math:`y_t = C_t^\T h_t + D x_t` (:func:`selective_scan`, a
plain loop over time, or :func:`parallel_scan`, a prefix scan over the associative maps
:math:`h \mapsto a_t h + b_t`).

**Mamba-2 (SSD).**  With a *scalar* decay :math:`a_t = e^{\Delta_t A}` per head and a state
:math:`H_t \in \R^{N \times P}`, :math:`H_t = a_t H_{t-1} + B_t x_t^\T`, :math:`y_t = H_t^\T C_t`
(:func:`ssd_recurrent`).  Unrolled, :math:`y = (L \circ C B^\T)\,x` with the 1-semiseparable mask
:math:`L_{ij} = \prod_{k=j+1}^{i} a_k` for :math:`i \ge j` and 0 above the diagonal
(:func:`semiseparable_mask`, :func:`ssd_matrix`): masked linear attention with queries :math:`C`, keys
:math:`B` and values :math:`x`, decayed.  :func:`ssd_chunked` is the block algorithm of Mamba-2 (quadratic
inside chunks, recurrent across them); :func:`semiseparable_rank` checks that :math:`L \circ C B^\T` is
:math:`N`-semiseparable.

**Language model.**  :class:`MambaLM` (``mixer="mamba"`` or ``"mamba2"``) implements the chapter-4
:class:`~semtheory.channel.LanguageModel` interface, with a fixed-size state protocol (:class:`SSMState`);
:func:`train` and :func:`pretrained_ssm_on_markov` mirror :mod:`semtheory.transformer`.

**Finite-state channel.**  A model whose next-token law is a function of a state :math:`S_t` with at most
:math:`S` values pays, on any :math:`m` consecutive predictions, at least
:math:`\tfrac1m[H(X_1^m) - \log S]` per token, and never less than the entropy rate
(:func:`state_bottleneck_bound`).  :func:`delay_source` needs :math:`k \log V` bits of memory;
:class:`RegisterPredictor` is a finite-state predictor that nearly meets the bound, and
:func:`window_cross_entropy` is what a sliding window of the last :math:`j` tokens achieves;
:func:`quantised_cross_entropy` rounds a trained model's state into a finite-state predictor.

Units: tensors are float64 unless given otherwise; information in bits (``base=2``) by default.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
from ._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.ssm")
nn = torch.nn
F = torch.nn.functional

from . import measures
from ._validate import as_float, check_flag, check_int, check_positive, check_probability, log_base, torch_seed
from .channel import LanguageModel, boltzmann_logprobs
from .sources import MarkovSource
from . import transformer as _transformer
from .core.torchloop import Pretrained, TrainResult, cached, one_thread

__all__ = [
    "discretize",
    "selective_scan",
    "parallel_scan",
    "semiseparable_rank",
    "ssd_recurrent",
    "semiseparable_mask",
    "ssd_matrix",
    "ssd_chunked",
    "SSDCost",
    "ssd_cost",
    "SSMState",
    "MambaBlock",
    "MambaLM",
    "train",
    "pretrained_ssm_on_markov",
    "QuantisedRun",
    "quantised_cross_entropy",
    "delay_source",
    "window_cross_entropy",
    "BottleneckBound",
    "state_bottleneck_bound",
    "RegisterPredictor",
]


# ==============================================================================================
# Validation helpers
# ==============================================================================================


def _tensor(x, name: str, *, min_ndim: int = 1) -> torch.Tensor:
    """A finite floating tensor (numpy / lists become float64); ValueError naming ``name`` otherwise."""
    if isinstance(x, torch.Tensor):
        t = x if x.is_floating_point() else x.double()
    else:
        try:
            t = torch.as_tensor(as_float(x, name))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an array of real numbers") from None
    if t.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return t


def _same_lead(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor, nd_a: int, nd_b: int) -> None:
    """Check that the leading (batch..., L) shapes agree, after removing nd trailing axes."""
    sa = tuple(a.shape[: a.ndim - nd_a])
    sb = tuple(b.shape[: b.ndim - nd_b])
    if sa != sb:
        raise ValueError(f"{name_b} must have leading shape {sa} (as {name_a}), got {sb}")


def _check_method(method: str) -> str:
    if method not in ("zoh", "euler"):
        raise ValueError(f"method must be 'zoh' or 'euler', got {method!r}")
    return method


# ==============================================================================================
# Discretisation and the selective scan (Mamba)
# ==============================================================================================


def _discretize(delta, A, B, method="zoh"):
    dA = delta[..., None] * A  # (..., D, N)
    Abar = torch.exp(dA)
    if method == "euler":
        Bbar = delta[..., None] * B[..., None, :]
    else:
        if bool((A == 0).any()):  # (e^{dA} - 1)/A, with its limit delta at A = 0
            safe = torch.where(A == 0, torch.ones_like(A), A)
            gain = torch.where(A == 0, delta[..., None].expand_as(dA), torch.expm1(dA) / safe)
        else:
            gain = torch.expm1(dA) / A
        Bbar = gain * B[..., None, :]
    return Abar, Bbar


def discretize(delta, A, B, *, method="zoh"):
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
    method = _check_method(method)
    delta = _tensor(delta, "delta")
    A = _tensor(A, "A", min_ndim=2)
    B = _tensor(B, "B")
    if not bool((delta > 0).all()):
        raise ValueError("delta must be > 0 (a step size)")
    if not bool((A <= 0).all()):
        raise ValueError("A must be <= 0 (a stable diagonal state matrix)")
    if A.ndim != 2 or delta.shape[-1] != A.shape[0] or B.shape[-1] != A.shape[1]:
        raise ValueError(f"A must have shape (D, N) = ({delta.shape[-1]}, {B.shape[-1]}) matching delta (..., D) and B (..., N), got {tuple(A.shape)}")
    _same_lead("delta", delta, "B", B, 1, 1)
    return _discretize(delta, A, B, method)


def _parallel_scan(a, b, dim):
    """Hillis-Steele inclusive scan of the maps h -> a_t h + b_t along ``dim``: ceil(log2 L) vectorised rounds."""
    a, b = a.movedim(dim, 0), b.movedim(dim, 0)
    L, d = a.shape[0], 1
    while d < L:  # element t holds the composite map over (t - d, t]; compose it with the one over (t - 2d, t - d]
        b = torch.cat([b[:d], a[d:] * b[:-d] + b[d:]])
        a = torch.cat([a[:d], a[d:] * a[:-d]])
        d *= 2
    return b.movedim(0, dim)


def parallel_scan(a, b, *, dim=0):
    r"""All states :math:`h_t = a_t \circ h_{t-1} + b_t` (:math:`h_0 = 0` before the first step) by a parallel prefix scan.

    The maps :math:`f_t(h) = a_t h + b_t` compose associatively, :math:`f_t \circ f_s = (a_t a_s,\ a_t b_s + b_t)`,
    so all prefixes are computed in :math:`\lceil \log_2 L \rceil` rounds of elementwise products (Hillis–Steele;
    :math:`O(L \log L)` work, depth :math:`O(\log L)`), instead of :math:`L` dependent steps.  Mamba's GPU kernel
    uses the same associativity.  ``a`` and ``b`` tensors of the same shape with time along ``dim``; returns
    the states, same shape.  Chapter 15.

    Parameters
    ----------
    a : array_like or Tensor
        Decays :math:`a_t`, time along ``dim``.
    b : array_like or Tensor, same shape as ``a``
        Inputs :math:`b_t`.
    dim : int, keyword-only, default 0
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
    a = _tensor(a, "a")
    b = _tensor(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {tuple(a.shape)}, got {tuple(b.shape)}")
    dim = check_int(dim, "dim")
    if not -a.ndim <= dim < a.ndim:
        raise ValueError(f"dim must index an axis of a (ndim {a.ndim}), got {dim}")
    return _parallel_scan(a, b, dim)


def _selective_scan(x, delta, A, B, C, D=None, h0=None, method="zoh", scan="loop"):
    Abar, Bbar = _discretize(delta, A, B, method)  # (..., L, D, N)
    Bx = Bbar * x[..., None]  # the input term, computed for all t at once
    if scan == "parallel" and Bx.shape[-3] > 0:
        if h0 is not None:  # fold the initial state into the first input
            Bx = torch.cat([Bx[..., :1, :, :] + Abar[..., :1, :, :] * h0[..., None, :, :], Bx[..., 1:, :, :]], dim=-3)
        states = _parallel_scan(Abar, Bx, -3)
        h = states[..., -1, :, :]
        y = torch.einsum("...ldn,...ln->...ld", states, C)
        return (y + x * D if D is not None else y), h
    h = torch.zeros_like(Bx[..., 0, :, :]) if h0 is None else h0
    hs = []
    for A_t, Bx_t in zip(Abar.unbind(-3), Bx.unbind(-3)):  # the recurrence: the only sequential part
        h = A_t * h + Bx_t
        hs.append(h)
    if hs:  # read out every state at once: y_t[d] = C_t . h_t[d]
        y = torch.einsum("...ldn,...ln->...ld", torch.stack(hs, dim=-3), C)
    else:
        y = torch.zeros_like(x)
    if D is not None:
        y = y + x * D
    return y, h


def selective_scan(x, delta, A, B, C, D=None, *, method="zoh", scan="loop", return_state=False):
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
    method = _check_method(method)
    check_flag(return_state, "return_state")
    if scan not in ("loop", "parallel"):
        raise ValueError(f"scan must be 'loop' or 'parallel', got {scan!r}")
    x = _tensor(x, "x", min_ndim=2)
    delta = _tensor(delta, "delta", min_ndim=2)
    A = _tensor(A, "A", min_ndim=2)
    B = _tensor(B, "B", min_ndim=2)
    C = _tensor(C, "C", min_ndim=2)
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
        D = _tensor(D, "D")
        if D.shape != (x.shape[-1],):
            raise ValueError(f"D must have shape ({x.shape[-1]},), got {tuple(D.shape)}")
    y, h = _selective_scan(x, delta, A, B, C, D, method=method, scan=scan)
    return (y, h) if return_state else y


# ==============================================================================================
# Mamba-2: scalar decay, the recurrent and the matrix (state-space dual) forms
# ==============================================================================================


def _check_ssd(x, a, B, C):
    x = _tensor(x, "x", min_ndim=2)
    a = _tensor(a, "a")
    B = _tensor(B, "B", min_ndim=2)
    C = _tensor(C, "C", min_ndim=2)
    if a.shape != x.shape[:-1]:
        raise ValueError(f"a must have shape {tuple(x.shape[:-1])} (x without its last axis), got {tuple(a.shape)}")
    if not bool(((a > 0) & (a <= 1)).all()):
        raise ValueError("a must lie in (0, 1] (decays e^{Delta A} with A <= 0)")
    if B.shape[:-1] != x.shape[:-1] or B.shape != C.shape:
        raise ValueError(f"B and C must have shape {tuple(x.shape[:-1])} + (N,), got {tuple(B.shape)} and {tuple(C.shape)}")
    return x, a, B, C


def _ssd_recurrent(x, a, B, C, h0=None):
    h = x.new_zeros(x.shape[:-2] + (B.shape[-1], x.shape[-1])) if h0 is None else h0  # (..., N, P)
    ys = []
    for a_t, B_t, x_t, C_t in zip(a.unbind(-1), B.unbind(-2), x.unbind(-2), C.unbind(-2)):
        h = a_t[..., None, None] * h + B_t[..., :, None] * x_t[..., None, :]  # H_t = a_t H_{t-1} + B_t x_t^T
        ys.append((C_t[..., :, None] * h).sum(-2))  # y_t = H_t^T C_t
    y = torch.stack(ys, dim=-2) if ys else torch.zeros_like(x)
    return y, h


def ssd_recurrent(x, a, B, C, *, return_state=False):
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
    y, h = _ssd_recurrent(x, a, B, C)
    return (y, h) if return_state else y


def _segsum(log_a):
    r"""``out[..., i, j] = sum_{k=j+1}^{i} log_a[k]`` for i >= j, ``-inf`` above the diagonal (no cancellation)."""
    n = log_a.shape[-1]
    x = log_a[..., None, :].expand(*log_a.shape, n).transpose(-1, -2).contiguous()  # x[..., i, j] = log_a[i]
    strict = torch.ones(n, n, dtype=torch.bool, device=log_a.device).tril(-1)
    x = x.masked_fill(~strict, 0.0).cumsum(dim=-2)  # sum over k <= i, k > j
    return x.masked_fill(~torch.ones(n, n, dtype=torch.bool, device=log_a.device).tril(), float("-inf"))


def semiseparable_mask(a):
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
    a = _tensor(a, "a")
    if not bool(((a > 0) & (a <= 1)).all()):
        raise ValueError("a must lie in (0, 1] (decays e^{Delta A} with A <= 0)")
    return torch.exp(_segsum(torch.log(a)))


def semiseparable_rank(M, *, rtol=1e-9) -> int:
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
    M = _tensor(M, "M", min_ndim=2)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M must be a square matrix, got shape {tuple(M.shape)}")
    tol = check_positive(rtol, "rtol") * float(torch.linalg.matrix_norm(M, ord=2)) if M.numel() else 0.0
    ranks = [int((torch.linalg.svdvals(M[k:, : k + 1]) > tol).sum()) for k in range(M.shape[0])]
    return max(ranks, default=0)


def _ssd_matrix(x, a, B, C):
    M = torch.exp(_segsum(torch.log(a))) * (C @ B.transpose(-1, -2))  # L o (C B^T): a decayed attention matrix
    return M @ x


def ssd_matrix(x, a, B, C):
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
    return _ssd_matrix(x, a, B, C)


def _ssd_chunked(x, a, B, C, chunk):
    L = x.shape[-2]
    pad = (-L) % chunk
    if pad:  # pad with a = 1, B = x = 0: nothing enters the state, nothing decays
        x = F.pad(x, (0, 0, 0, pad))
        B = F.pad(B, (0, 0, 0, pad))
        C = F.pad(C, (0, 0, 0, pad))
        a = F.pad(a, (0, pad), value=1.0)
    lead, n_c = x.shape[:-2], x.shape[-2] // chunk
    xc = x.reshape(*lead, n_c, chunk, x.shape[-1])
    Bc = B.reshape(*lead, n_c, chunk, B.shape[-1])
    Cc = C.reshape(*lead, n_c, chunk, C.shape[-1])
    la = torch.log(a).reshape(*lead, n_c, chunk)
    cum = la.cumsum(-1)  # within-chunk log decay up to t
    y_diag = _ssd_matrix(xc, a.reshape(*lead, n_c, chunk), Bc, Cc)  # inside each chunk: the matrix form
    to_end = torch.exp(cum[..., -1:] - cum)  # decay from t to the chunk's end
    states = torch.einsum("...ctn,...ct,...ctp->...cnp", Bc, to_end, xc)  # each chunk's contribution
    h = x.new_zeros(lead + (B.shape[-1], x.shape[-1]))
    entering = []
    for c in range(n_c):  # across chunks: the recurrence, one step per chunk
        entering.append(h)
        h = torch.exp(cum[..., c, -1])[..., None, None] * h + states[..., c, :, :]
    H = torch.stack(entering, dim=-3)  # state entering chunk c, (..., n_c, N, P)
    y_off = torch.einsum("...ctn,...ct,...cnp->...ctp", Cc, torch.exp(cum), H)
    return (y_diag + y_off).reshape(*lead, n_c * chunk, x.shape[-1])[..., :L, :]


def ssd_chunked(x, a, B, C, *, chunk=64):
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
    return _ssd_chunked(x, a, B, C, chunk)


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


def ssd_cost(length, state, width) -> SSDCost:
    r"""Multiply–add counts of :func:`ssd_recurrent` and :func:`ssd_matrix` for one head, as implemented.

    Recurrent: per step, decay the state (:math:`NP`), add :math:`B_t x_t^\T` (:math:`NP`) and read
    :math:`H_t^\T C_t` (:math:`NP`): :math:`3LNP` in all.  Matrix (dense): :math:`C B^\T` (:math:`L^2 N`), the mask
    product (:math:`L^2`) and the product with :math:`x` (:math:`L^2 P`): :math:`L^2(N+P+1)`.  The matrix form
    costs more once :math:`L > 3NP/(N+P+1)`.  ``length`` = :math:`L`, ``state`` = :math:`N`, ``width`` = :math:`P`.
    Chapter 15.

    Parameters
    ----------
    length : int
        Sequence length :math:`L \ge 1`.
    state : int
        State size :math:`N \ge 1`.
    width : int
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
    L = check_int(length, "length", minimum=1)
    N = check_int(state, "state", minimum=1)
    P = check_int(width, "width", minimum=1)
    return SSDCost(3 * L * N * P, L * L * (N + P + 1))


# ==============================================================================================
# A small Mamba-style language model
# ==============================================================================================


class SSMState(NamedTuple):
    r"""The fixed-size state of :class:`MambaLM` after reading some tokens: ``layers`` (per layer, the convolution
    buffer (E, d_conv - 1) and the SSM state: (E, N) for Mamba, (H, N, P) for Mamba-2) and ``logprobs`` (the
    next-token law, a function of the state).  Its size does not grow with the context.

    Attributes
    ----------
    layers : tuple
        Per layer, (convolution buffer, SSM state).
    logprobs : ndarray, shape (V,)
        Next-token log-probabilities (nats).
    """

    layers: tuple
    logprobs: np.ndarray


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

    def __init__(self, d_model, *, d_state=8, expand=2, d_conv=4, mixer="mamba", head_dim=16, discretization="euler"):
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

    def forward(self, h, state=None):
        r"""``h`` (B, L, d) -> (B, L, d); with ``state`` (a per-layer tuple or ``None``) also returns the final state."""
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
            y, hT = _selective_scan(x, delta, A, Bm, Cm, self.D, h0=h0, method=self.discretization)
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
                yh, hT = _ssd_chunked(xs, at, Bh, Ch, chunk=min(64, max(L, 1))), None
            else:
                yh, hT = _ssd_recurrent(xs, at, Bh, Ch, h0=h0)
            yh = yh + xh * self.D[:, None, None]
            y = yh.transpose(1, 2).reshape(Bt, L, E)
        out = h + self.out_proj(y * F.silu(z))
        return out if state is None else (out, (new_buf, hT))

    def empty_state(self, batch=1, dtype=torch.float32):
        """The zero state (convolution buffer, SSM state) before any input."""
        E, N = self.d_inner, self.d_state
        hs = (batch, E, N) if self.mixer == "mamba" else (batch, self.n_heads, N, self.head_dim)
        return (torch.zeros(batch, E, self.d_conv - 1, dtype=dtype), torch.zeros(hs, dtype=dtype))


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
    seed : int, keyword-only, default 0
        Initialisation seed.
    """

    def __init__(self, vocab_size, *, d_model=32, n_layers=2, d_state=8, expand=2, d_conv=4, mixer="mamba",
                 head_dim=16, context_length=16, seed=0, discretization="euler"):
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
            torch.manual_seed(check_int(seed, "seed", minimum=0))
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
        r"""Logits (B, n, V) for token ids (B, n) (BOS first); row :math:`t` is the law after the first :math:`t+1` inputs."""
        h = self.embed(tokens)
        for blk in self.blocks:
            h = blk(h)
        return self.unembed(self.ln_f(h))

    def _full(self, context) -> torch.Tensor:
        ctx = self._check_tokens(context, "context")
        return torch.as_tensor(np.concatenate([[self.bos], ctx]).astype(np.int64))[None]

    def logits(self, context: Sequence[int] = ()) -> np.ndarray:
        r"""Logits :math:`w_v^\T \mathrm{LN}(h_t)` of the next token after the whole ``context`` (float64, shape (V,))."""
        with torch.no_grad(), one_thread():
            return self(self._full(context))[0, -1].double().numpy()

    def energies(self, context: Sequence[int] = ()) -> np.ndarray:
        r"""Energies :math:`E(v) = -\text{logit}_v` of the next token.  Chapter 15."""
        return -self.logits(context)

    def next_token_logprobs(self, context):
        r"""Natural-log next-token law :math:`\ln e^{-E(v)}/Z` after the whole ``context`` (one recurrent pass).  Chapter 15."""
        return boltzmann_logprobs(self.energies(context), 1.0)

    def token_logprobs(self, seq, *, prompt: Sequence[int] = (), base=2) -> np.ndarray:
        r"""Per-token :math:`\log P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default) from one pass over the whole sequence.  Chapter 15."""
        lb = log_base(base)
        s = self._check_tokens(seq, "seq")
        p = self._check_tokens(prompt, "prompt")
        if len(s) == 0:
            return np.empty(0)
        full = np.concatenate([[self.bos], p, s[:-1]]).astype(np.int64)
        with torch.no_grad(), one_thread():
            out = torch.log_softmax(self(torch.as_tensor(full)[None])[0, len(p):].double(), dim=-1).numpy()
        return out[np.arange(len(s)), s] / lb

    # -- the fixed-size state ---------------------------------------------------------------------

    def _step(self, layers, token: int) -> SSMState:
        with torch.no_grad(), one_thread():
            h = self.embed(torch.tensor([[token]]))
            new = []
            for blk, st in zip(self.blocks, layers):
                h, st2 = blk(h, st)
                new.append(st2)
            lp = torch.log_softmax(self.unembed(self.ln_f(h))[0, -1].double(), dim=-1).numpy()
        return SSMState(tuple(new), lp)

    def initial_state(self, prompt: Sequence[int] = ()) -> SSMState:
        r"""The state after reading ``BOS`` and ``prompt``, one token at a time.  Chapter 15."""
        p = self._check_tokens(prompt, "prompt")
        st = self._step(tuple(b.empty_state() for b in self.blocks), self.bos)
        for v in p:
            st = self._step(st.layers, int(v))
        return st

    def next_state(self, state, token: int) -> SSMState:
        r"""One recurrent step :math:`S_t = f(S_{t-1}, x_t)`: the state's size does not change.  Chapter 15."""
        if not isinstance(state, SSMState):
            raise ValueError(f"state must be an SSMState, got {type(state).__name__}")
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        return self._step(state.layers, tok)

    def state_logprobs(self, state) -> np.ndarray:
        r"""The next-token log-law (nats) held in the state: a function of the state alone.  Chapter 15."""
        if not isinstance(state, SSMState):
            raise ValueError(f"state must be an SSMState, got {type(state).__name__}")
        return state.logprobs.copy()

    def state_size(self) -> int:
        """Numbers in the recurrent state (convolution buffers and SSM states of every layer); independent of the context."""
        return sum(t.numel() for b in self.blocks for t in b.empty_state())

    def num_parameters(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters())


# ==============================================================================================
# Training (the loop of semtheory.transformer.train, for any model with the same forward signature)
# ==============================================================================================


def train(model: MambaLM, data, steps, *, batch_size=32, lr=3e-3, seed=0, threads=1) -> TrainResult:
    r"""Minimise the next-token cross-entropy of a :class:`MambaLM` on random windows of ``data``; in place, deterministic.

    Exactly :func:`semtheory.transformer.train` (one training loop for every model of the book): windows
    of ``context_length`` tokens drawn from a seeded generator, ``[BOS] + window[:-1]`` read and the whole
    window scored, Adam with warm-up and cosine decay, gradient clipping at 1, deterministic algorithms on
    ``threads`` threads.  Losses in nats per token.  Chapter 15.

    Parameters
    ----------
    model : MambaLM
        The model, trained in place.
    data : array_like of int
        Training token stream.
    steps : int
        Optimiser steps.
    batch_size : int, keyword-only, default 32
        Windows per step.
    lr : float, keyword-only, default 3e-3
        Peak learning rate.
    seed : int, keyword-only, default 0
        Seed of the window sampler.
    threads : int, keyword-only, default 1
        torch threads.

    Returns
    -------
    TrainResult
        Per-step losses (nats per token) and the wall time (seconds).
    """
    if not isinstance(model, MambaLM):
        raise ValueError(f"model must be a semtheory.ssm.MambaLM, got {type(model).__name__}")
    return _transformer.train(model, data, steps, batch_size=batch_size, lr=lr, seed=seed, threads=threads)


def pretrained_ssm_on_markov(*, seed=0, source_seed=0, steps=300, batch_size=32, lr=5e-3, n_train=40_000,
                             n_test=20_000, d_model=32, n_layers=2, d_state=8, mixer="mamba",
                             context_length=16, discretization="euler") -> Pretrained:
    r"""A :class:`MambaLM` trained on :func:`semtheory.transformer.markov_source` ``(source_seed)``, cached in-process.

    Same train and test streams as :func:`semtheory.transformer.pretrained_on_markov` with the same ``seed``
    (seeds ``2 * seed + 1``, ``2 * seed + 2``), so the two models are compared on identical data.  Returns a
    :class:`semtheory.transformer.Pretrained` (cross-entropy and entropy rate in bits per token); each call
    returns a fresh copy.  ``seed`` (keyword-only) is an int >= 0, a numpy Generator (one draw from it becomes the
    int seed, so the model is cached under that int) or ``None`` (fresh entropy).  Chapter 15.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Model initialisation, training windows and the train/test streams.
    source_seed : int, keyword-only, default 0
        The Markov source (:func:`semtheory.transformer.markov_source`).
    steps, batch_size, lr : keyword-only
        Training schedule (:func:`train`).
    n_train, n_test : int, keyword-only
        Lengths of the training and test streams.
    d_model, n_layers, d_state, mixer, context_length, discretization : keyword-only
        The :class:`MambaLM` configuration.

    Returns
    -------
    Pretrained
        The model, source, streams, training result, test cross-entropy and entropy rate (bits per token).
    """
    from .transformer import markov_source

    seed = torch_seed(seed)  # an int: the cache key below stays deterministic
    source_seed = check_int(source_seed, "source_seed", minimum=0)
    context_length = check_int(context_length, "context_length", minimum=1)
    steps, batch_size = check_int(steps, "steps", minimum=1), check_int(batch_size, "batch_size", minimum=1)
    lr, n_layers = check_positive(lr, "lr"), check_int(n_layers, "n_layers", minimum=1)
    d_model, n_train = check_int(d_model, "d_model", minimum=1), check_int(n_train, "n_train", minimum=context_length)
    n_test = check_int(n_test, "n_test", minimum=1)
    d_state = check_int(d_state, "d_state", minimum=1)
    key = ("ssm-markov", seed, source_seed, steps, batch_size, lr, n_train, n_test, d_model, n_layers, d_state, mixer,
           context_length, discretization)

    def build():
        src = markov_source(seed=source_seed)
        tr = src.sample(check_int(n_train, "n_train", minimum=context_length), seed=2 * seed + 1)
        te = src.sample(check_int(n_test, "n_test", minimum=1), seed=2 * seed + 2)
        m = MambaLM(src.vocab_size, d_model=d_model, n_layers=n_layers, d_state=d_state, mixer=mixer,
                    context_length=context_length, seed=seed, discretization=discretization)
        res = train(m, tr, steps, batch_size=batch_size, lr=lr, seed=seed)
        return Pretrained(m, src, tr, te, res, m.cross_entropy(te, base=2), src.entropy_rate(base=2))

    return cached(key, build)


class QuantisedRun(NamedTuple):
    r"""``cross_entropy`` (units of ``base`` per token) of a :class:`MambaLM` whose SSM state is rounded to ``bits``
    bits per number after every step; ``log2_states`` :math:`= n\,b + \log_2 V` bits (``n`` = ``numbers`` state
    numbers at ``bits`` bits each, plus the current token), the size of the finite-state predictor it is;
    ``bits`` = ``None`` for the unrounded model.

    Attributes
    ----------
    cross_entropy : float
        Per token, in units of log ``base``.
    bits : int or None
        Bits per state number; ``None`` unrounded.
    numbers : int
        State numbers :math:`n`.
    log2_states : float
        :math:`n b + \log_2 V` bits (``inf`` unrounded).
    """

    cross_entropy: float
    bits: int | None
    numbers: int
    log2_states: float


def quantised_cross_entropy(model, tokens, bits=None, *, streams=8, base=2):
    r"""Cross-entropy of ``model`` on ``tokens`` when its SSM state is rounded to ``bits`` bits per number at every step.

    The tokens are cut into ``streams`` contiguous pieces, each read from ``BOS`` by the state protocol, in
    parallel.  After each step every number of every layer's SSM state is clipped to :math:`[-R, R]` and rounded
    to one of :math:`2^b` evenly spaced levels, :math:`R` being that layer's largest magnitude on an unrounded
    pass over the same tokens (a fixed grid).  The next-token law after token :math:`x_t` is a function of the
    rounded states left by step :math:`t-1` and of :math:`x_t` (step :math:`t` computes it from them, and only its
    rounded result is kept), so the rounded model is a finite-state predictor with
    :math:`\log_2 S \le n b + \log_2 V`
    (:func:`state_bottleneck_bound` applies to it); ``bits=None`` gives the unrounded model, whose per-stream
    log-probabilities equal :meth:`MambaLM.token_logprobs`.  ``bits`` may also be a list (of ints and ``None``):
    then a list of :class:`QuantisedRun` is returned, sharing one calibration pass.  Requires ``d_conv = 1``
    (no convolution buffer, so that the SSM state is the whole state).  Chapter 15.

    Parameters
    ----------
    model : MambaLM
        A model with ``d_conv = 1``.
    tokens : array_like of int
        The token stream.
    bits : int, None or list of them, default None
        Bits per state number (1 to 24); ``None``: unrounded.
    streams : int, keyword-only, default 8
        Contiguous pieces read in parallel.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    QuantisedRun or list of QuantisedRun
        Cross-entropy in units of log ``base`` per token (bits by default), and the state size in bits.
    """
    if not isinstance(model, MambaLM):
        raise ValueError(f"model must be a semtheory.ssm.MambaLM, got {type(model).__name__}")
    if model.config["d_conv"] != 1:
        raise ValueError("model must have d_conv = 1 (its state is then the SSM state alone)")
    many = isinstance(bits, (list, tuple))
    bl = [None if v is None else check_int(v, "bits", minimum=1, maximum=24) for v in (bits if many else [bits])]
    K = check_int(streams, "streams", minimum=1)
    lb = log_base(base)
    s = model._check_tokens(tokens, "tokens")
    T = len(s) // K
    if T < 1:
        raise ValueError(f"tokens must hold at least streams = {K} tokens, got {len(s)}")
    X = torch.as_tensor(s[: K * T].reshape(K, T).astype(np.int64))

    def walk(R, b):
        with torch.no_grad(), one_thread():
            states = [blk.empty_state(K) for blk in model.blocks]
            tok, lps, peak = torch.full((K,), model.bos), [], [0.0] * len(model.blocks)
            for t in range(T):
                h = model.embed(tok[:, None])
                for li, blk in enumerate(model.blocks):
                    h, (buf, hs) = blk(h, states[li])
                    peak[li] = max(peak[li], float(hs.abs().max()))
                    if R is not None:
                        step = 2 * R[li] / (2**b - 1)
                        hs = torch.round((hs.clamp(-R[li], R[li]) + R[li]) / step) * step - R[li]
                    states[li] = (buf, hs)
                lp = torch.log_softmax(model.unembed(model.ln_f(h))[:, -1].double(), dim=-1)
                lps.append(lp[torch.arange(K), X[:, t]])
                tok = X[:, t]
        return torch.stack(lps, 1).numpy(), peak

    lp0, peak = walk(None, None)
    n = sum(int(np.prod(blk.empty_state()[1].shape)) for blk in model.blocks)
    out = []
    for b in bl:
        lp = lp0 if b is None else walk([max(r, 1e-12) for r in peak], b)[0]
        out.append(QuantisedRun(float(-lp.mean() / lb), b, n, (n * b if b else math.inf) + math.log2(model.vocab_size)))
    return out if many else out[0]


# ==============================================================================================
# The fixed-size state as a finite-state channel
# ==============================================================================================


def delay_source(vocab_size, delay, noise) -> MarkovSource:
    r"""The noisy delay (copy) source: :math:`X_t = X_{t-k}` with probability :math:`1 - \varepsilon`, else uniform.

    .. math:: P(X_t = v \mid X_{t-k}^{t-1}) = (1 - \varepsilon)\,\ind[v = x_{t-k}] + \varepsilon / V,

    a :class:`~semtheory.sources.MarkovSource` of order :math:`k` = ``delay`` over :math:`V` = ``vocab_size``
    symbols, ``noise`` :math:`= \varepsilon`.  Its stationary law is uniform, so every window of :math:`k`
    symbols carries :math:`k \log V` bits, all of which the predictor must keep: each of them is copied
    :math:`k` steps later.  Entropy rate :math:`H(\,(1-\varepsilon)\delta + \varepsilon u\,)`.  Chapter 15.

    Parameters
    ----------
    vocab_size : int
        :math:`V \ge 2` symbols.
    delay : int
        :math:`k \ge 1`, with :math:`V^k \le 2048`.
    noise : float
        :math:`\varepsilon \in (0, 1]`.

    Returns
    -------
    MarkovSource
        The source, of order :math:`k`.

    Examples
    --------
    >>> round(delay_source(4, 2, 0.1).entropy_rate(), 4)
    0.5032
    """
    V = check_int(vocab_size, "vocab_size", minimum=2)
    k = check_int(delay, "delay", minimum=1)
    eps = check_probability(noise, "noise", low_open=True)
    if V**k > 2048:
        raise ValueError(f"vocab_size ** delay = {V ** k} states exceeds 2048 (too large for an exact stationary law)")
    T = np.full((V,) * (k + 1), eps / V)
    first = np.indices((V,) * (k + 1))
    T[first[0] == first[-1]] += 1 - eps
    return MarkovSource(T)


def _window_law(source: MarkovSource, m: int) -> np.ndarray:
    """Stationary joint law of m consecutive symbols (shape (V,)*m) of a MarkovSource."""
    V, k = source.vocab_size, source.order
    if k == 0:
        p = source.transition
        out = p
        for _ in range(m - 1):
            out = np.multiply.outer(out, p)
        return out.reshape((V,) * m) if m else np.ones(())
    if m <= k:
        return source.stationary.sum(axis=tuple(range(k - m))) if m < k else source.stationary
    p = source.stationary
    T = source.transition
    for _ in range(m - k):
        # p over (x_1..x_j), append x_{j+1} ~ T[x_{j-k+1..j}, .]
        p = p[..., None] * T.reshape((1,) * (p.ndim - k) + T.shape)
    return p


def window_cross_entropy(source, window, *, base=2) -> float:
    r"""Best cross-entropy of a predictor that sees only the last ``window`` = :math:`j` tokens: :math:`H(X_{t+1} \mid X_{t-j+1}^{t})`.

    Exact, from the stationary law of :math:`j+1` consecutive symbols (:func:`semtheory.measures.conditional_entropy`):
    what a sliding-window model (an order-:math:`j` n-gram, a Transformer with context :math:`j`) can reach at
    best, with a state of :math:`V^j` values.  Units of ``base``.  Chapter 15.

    Parameters
    ----------
    source : MarkovSource
        A stationary source.
    window : int
        :math:`j`, 0 to 12 tokens.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The conditional entropy, in units of log ``base`` per token (bits by default).
    """
    if not isinstance(source, MarkovSource):
        raise ValueError(f"source must be a semtheory.sources.MarkovSource, got {type(source).__name__}")
    j = check_int(window, "window", minimum=0)
    log_base(base)
    if j > 12:
        raise ValueError(f"window must be <= 12 (the joint law has V**(window+1) entries), got {j}")
    if j == 0:
        return measures.entropy(_window_law(source, 1), base=base)
    p = _window_law(source, j + 1)
    return measures.conditional_entropy(p, [j], list(range(j)), base=base)


class BottleneckBound(NamedTuple):
    r"""``bound``: the lower bound on the per-token cross-entropy (units of ``base``), ``entropy_rate``,
    ``block`` (the block length :math:`m` that attains it; 0 when the entropy rate is the binding term) and
    ``log_states`` (:math:`\log S` in the same units).

    Attributes
    ----------
    bound : float
        Lower bound per token, units of log ``base``.
    entropy_rate : float
        :math:`\mathcal H`, same units.
    block : int
        Binding block length :math:`m` (0: the entropy rate binds).
    log_states : float
        :math:`\log S`, same units.
    """

    bound: float
    entropy_rate: float
    block: int
    log_states: float


def state_bottleneck_bound(source, log2_states, *, base=2) -> BottleneckBound:
    r"""Lower bound on the cross-entropy of any predictor whose law is a function of a state with :math:`S` values.

    .. math:: \frac1m \E\bigl[-\log Q(X_{t+1}^{t+m} \mid S_t)\bigr] \;\ge\;
              \max\Bigl(\mathcal H,\ \max_{m \ge 1} \frac{H(X_1^m) - \log S}{m}\Bigr)

    for a stationary source (``source``, a :class:`~semtheory.sources.MarkovSource` of order :math:`k`) and a
    state :math:`S_t = f(S_{t-1}, X_t)` with :math:`\log_2 S` = ``log2_states`` bits.  For :math:`m \ge k`,
    :math:`H(X_1^m) = H(X_1^k) + (m-k)\mathcal H`, so the ratio is monotone there and the maximum is attained
    at some :math:`m \le k` (or is :math:`\mathcal H`); the block entropies are exact
    (:func:`semtheory.measures.entropy` of the stationary law).  Units of ``base``.  Chapter 15.

    Parameters
    ----------
    source : MarkovSource
        A stationary source.
    log2_states : float
        :math:`\log_2 S \ge 0`, bits of state.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    BottleneckBound
        The bound in units of log ``base`` per token (bits by default), the entropy rate, the binding block
        length and :math:`\log S`.

    Examples
    --------
    >>> round(state_bottleneck_bound(delay_source(4, 4, 0.1), 4.0).bound, 6)
    1.0
    """
    if not isinstance(source, MarkovSource):
        raise ValueError(f"source must be a semtheory.sources.MarkovSource, got {type(source).__name__}")
    bits = check_positive(log2_states, "log2_states", allow_zero=True)
    lb = log_base(base)
    logS = bits * math.log(2) / lb
    H = source.entropy_rate(base=base)
    best, arg = H, 0
    for m in range(1, source.order + 1):
        val = (measures.entropy(_window_law(source, m), base=base) - logS) / m
        if val > best + 1e-12:
            best, arg = val, m
    return BottleneckBound(float(best), float(H), arg, float(logS))


class RegisterPredictor(LanguageModel):
    r"""A finite-state predictor for :func:`delay_source`: a phase counter mod :math:`k` and :math:`j` stored symbols.

    At phases :math:`0, \ldots, j-1` (mod :math:`k`) it stores the incoming symbol in the register of that
    phase, overwriting the one stored :math:`k` steps earlier, after using it: it predicts the next symbol
    with the source's law :math:`(1-\varepsilon)\delta_{x_{t+1-k}} + \varepsilon/V` when :math:`x_{t+1-k}` is
    held, and uniformly otherwise.  :math:`S = k V^j` states, stationary cross-entropy
    :math:`\tfrac{j}{k}\mathcal H + (1 - \tfrac jk)\log V` (:meth:`stationary_cross_entropy`).  Chapter 15.

    Parameters
    ----------
    vocab_size : int
        :math:`V \ge 2`.
    delay : int
        :math:`k \ge 1`.
    noise : float
        :math:`\varepsilon` of the delay source.
    slots : int
        Registers :math:`j`, 0 to :math:`k`.
    """

    def __init__(self, vocab_size, delay, noise, slots):
        self.vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
        self.delay = check_int(delay, "delay", minimum=1)
        self.noise = check_probability(noise, "noise", low_open=True)
        self.slots = check_int(slots, "slots", minimum=0, maximum=self.delay)
        V, eps = self.vocab_size, self.noise
        self._uniform = np.full(V, -math.log(V))
        self._copy = np.log(np.full((V, V), eps / V) + (1 - eps) * np.eye(V))  # row u: law when x_{t+1-k} = u

    @property
    def log2_states(self) -> float:
        r""":math:`\log_2 S = \log_2 k + j \log_2 V` bits of state."""
        return math.log2(self.delay) + self.slots * math.log2(self.vocab_size)

    def initial_state(self, prompt: Sequence[int] = ()):
        r"""``(phase, registers)`` after ``prompt``; the phase is the position of the next token mod :math:`k`.  Chapter 15."""
        st = (0, (-1,) * self.slots)  # phase of the next position, registers (-1 = empty)
        for v in self._check_tokens(prompt, "prompt"):
            st = self.next_state(st, int(v))
        return st

    def next_state(self, state, token: int):
        r"""Store ``token`` in the register of the current phase (if there is one) and advance the phase.  Chapter 15."""
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        phase, regs = state
        if phase < self.slots:
            regs = regs[:phase] + (tok,) + regs[phase + 1:]
        return ((phase + 1) % self.delay, regs)

    def state_logprobs(self, state) -> np.ndarray:
        r"""Copy law :math:`(1-\varepsilon)\delta_{r} + \varepsilon/V` if the register of this phase holds :math:`r`, else uniform (nats).  Chapter 15."""
        phase, regs = state
        if phase < self.slots and regs[phase] >= 0:
            return self._copy[regs[phase]].copy()
        return self._uniform.copy()

    def next_token_logprobs(self, context):
        r"""The law after ``context``, by walking the state from the start (nats).  Chapter 15."""
        return self.state_logprobs(self.initial_state(context))

    def token_logprobs(self, seq, *, prompt: Sequence[int] = (), base=2) -> np.ndarray:
        r"""Per-token log-probabilities (units of ``base``, bits by default) by walking the state; :math:`O(n)`.  Chapter 15."""
        lb = log_base(base)
        s = self._check_tokens(seq, "seq")
        st = self.initial_state(prompt)
        out = np.empty(len(s))
        for t, v in enumerate(s):
            out[t] = self.state_logprobs(st)[v]
            st = self.next_state(st, int(v))
        return out / lb

    def stationary_cross_entropy(self, *, base=2) -> float:
        r""":math:`\tfrac{j}{k}\mathcal H + (1-\tfrac jk)\log V` against the delay source (units of ``base``)."""
        lb = log_base(base)
        V, eps, j, k = self.vocab_size, self.noise, self.slots, self.delay
        q = np.full(V, eps / V)
        q[0] += 1 - eps
        h = measures.entropy(q, base=base)
        return j / k * h + (1 - j / k) * math.log(V) / lb
