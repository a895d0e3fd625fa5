"""What the files of :mod:`semtheory.ssm` share and users do not call (chapter 15): the torch import (one, made
here), the argument checks, and the unchecked numerics behind both the public functions of
:mod:`~semtheory.ssm.scan` and :mod:`~semtheory.ssm.ssd` (which validate their arguments first) and
:class:`~semtheory.ssm.model.MambaBlock` (which calls them on its own tensors).

The names here are public within the subpackage but are not re-exported by :mod:`semtheory.ssm`.
"""

from __future__ import annotations

import numpy as np

from .._extras import require
from .._validate import as_float

torch = require("torch", "torch", needed_by="semtheory.ssm")
nn = torch.nn
F = torch.nn.functional
Tensor = torch.Tensor


# -- argument checks ------------------------------------------------------------------------------


def tensor(x: object, name: str, *, min_ndim: int = 1) -> torch.Tensor:
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


def same_lead(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor, nd_a: int, nd_b: int) -> None:
    """Check that the leading (batch..., L) shapes agree, after removing nd trailing axes."""
    sa = tuple(a.shape[: a.ndim - nd_a])
    sb = tuple(b.shape[: b.ndim - nd_b])
    if sa != sb:
        raise ValueError(f"{name_b} must have leading shape {sa} (as {name_a}), got {sb}")


# -- discretisation and the selective scan (Mamba), unchecked ------------------------------------


def discretize_unchecked(delta: Tensor, A: Tensor, B: Tensor, method: str = "zoh") -> tuple[Tensor, Tensor]:
    """:func:`~semtheory.ssm.discretize` on checked tensors."""
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


def parallel_scan_unchecked(a: Tensor, b: Tensor, dim: int) -> Tensor:
    """Hillis-Steele inclusive scan of the maps h -> a_t h + b_t along ``dim``: ceil(log2 L) vectorised rounds."""
    a, b = a.movedim(dim, 0), b.movedim(dim, 0)
    L, d = a.shape[0], 1
    while d < L:  # element t holds the composite map over (t - d, t]; compose it with the one over (t - 2d, t - d]
        b = torch.cat([b[:d], a[d:] * b[:-d] + b[d:]])
        a = torch.cat([a[:d], a[d:] * a[:-d]])
        d *= 2
    return b.movedim(0, dim)


def recurrence_no_grad(a: Tensor, b: Tensor, h0: Tensor) -> Tensor:
    """The states ``h_t = a_t h_{t-1} + b_t`` from ``h_{-1} = h0``, stacked along axis -3, without autograd (``a``, ``b``
    of one shape (..., L, D, N), ``h0`` (..., D, N), one dtype): the loop of :func:`selective_scan_unchecked`, its
    products and sums one by one (so the same bits), each step written in place into the output.

    On the CPU the steps run in numpy on the tensors' memory: the same IEEE products and sums at a fraction of
    torch's per-call overhead, which dominates a long sequence of small states (a 20000-token pass)."""
    out = torch.empty_like(b, memory_format=torch.contiguous_format)
    cpu = all(t.device.type == "cpu" and not t.is_conj() and not t.is_neg() for t in (a, b, h0))
    A, Bx, O, h = (t.detach().numpy() for t in (a, b, out, h0)) if cpu else (a, b, out, h0)
    tmp = np.empty(O.shape[:-3] + O.shape[-2:], dtype=O.dtype) if cpu else torch.empty_like(h0)
    mul, add = (np.multiply, np.add) if cpu else (torch.mul, torch.add)
    for t in range(O.shape[-3]):
        h_t = O[..., t, :, :]
        add(mul(A[..., t, :, :], h, out=tmp), Bx[..., t, :, :], out=h_t)
        h = h_t
    return out


def selective_scan_unchecked(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor | None = None,
                             h0: Tensor | None = None, method: str = "zoh", scan: str = "loop") -> tuple[Tensor, Tensor]:
    """:func:`~semtheory.ssm.selective_scan` on checked tensors, from the state ``h0`` (zero if ``None``): ``(y, h_L)``."""
    Abar, Bbar = discretize_unchecked(delta, A, B, method)  # (..., L, D, N)
    Bx = Bbar * x[..., None]  # the input term, computed for all t at once
    if scan == "parallel" and Bx.shape[-3] > 0:
        if h0 is not None:  # fold the initial state into the first input
            Bx = torch.cat([Bx[..., :1, :, :] + Abar[..., :1, :, :] * h0[..., None, :, :], Bx[..., 1:, :, :]], dim=-3)
        states = parallel_scan_unchecked(Abar, Bx, -3)
        h = states[..., -1, :, :]
        y = torch.einsum("...ldn,...ln->...ld", states, C)
        return (y + x * D if D is not None else y), h
    h = torch.zeros_like(Bx[..., 0, :, :]) if h0 is None else h0
    fast = not (torch.is_grad_enabled() and any(t.requires_grad for t in (Abar, Bx, h)))
    if Bx.shape[-3] and fast and Abar.shape == Bx.shape and h.shape == Bx.shape[:-3] + Bx.shape[-2:] \
            and Abar.dtype == Bx.dtype == h.dtype:  # no gradient: the same loop, outside autograd
        states = recurrence_no_grad(Abar, Bx, h)
        h = states[..., -1, :, :]
        y = torch.einsum("...ldn,...ln->...ld", states, C)  # read out every state at once: y_t[d] = C_t . h_t[d]
    else:
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


# -- Mamba-2's recurrent, matrix and chunked forms, unchecked -------------------------------------


def ssd_recurrent_unchecked(x: Tensor, a: Tensor, B: Tensor, C: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """:func:`~semtheory.ssm.ssd_recurrent` on checked tensors, from the state ``h0`` (zero if ``None``): ``(y, H_L)``."""
    h = x.new_zeros(x.shape[:-2] + (B.shape[-1], x.shape[-1])) if h0 is None else h0  # (..., N, P)
    ys = []
    for a_t, B_t, x_t, C_t in zip(a.unbind(-1), B.unbind(-2), x.unbind(-2), C.unbind(-2)):
        h = a_t[..., None, None] * h + B_t[..., :, None] * x_t[..., None, :]  # H_t = a_t H_{t-1} + B_t x_t^T
        ys.append((C_t[..., :, None] * h).sum(-2))  # y_t = H_t^T C_t
    y = torch.stack(ys, dim=-2) if ys else torch.zeros_like(x)
    return y, h


def segsum(log_a: Tensor) -> Tensor:
    r"""``out[..., i, j] = sum_{k=j+1}^{i} log_a[k]`` for i >= j, ``-inf`` above the diagonal (no cancellation)."""
    n = log_a.shape[-1]
    x = log_a[..., None, :].expand(*log_a.shape, n).transpose(-1, -2).contiguous()  # x[..., i, j] = log_a[i]
    strict = torch.ones(n, n, dtype=torch.bool, device=log_a.device).tril(-1)
    x = x.masked_fill(~strict, 0.0).cumsum(dim=-2)  # sum over k <= i, k > j
    return x.masked_fill(~torch.ones(n, n, dtype=torch.bool, device=log_a.device).tril(), float("-inf"))


def ssd_matrix_unchecked(x: Tensor, a: Tensor, B: Tensor, C: Tensor) -> Tensor:
    """:func:`~semtheory.ssm.ssd_matrix` on checked tensors."""
    M = torch.exp(segsum(torch.log(a))) * (C @ B.transpose(-1, -2))  # L o (C B^T): a decayed attention matrix
    return M @ x


def ssd_chunked_unchecked(x: Tensor, a: Tensor, B: Tensor, C: Tensor, chunk: int) -> Tensor:
    """:func:`~semtheory.ssm.ssd_chunked` on checked tensors."""
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
    y_diag = ssd_matrix_unchecked(xc, a.reshape(*lead, n_c, chunk), Bc, Cc)  # inside each chunk: the matrix form
    if n_c == 1:  # one chunk: no state enters it (the term below is zero), and the state it leaves is not returned
        return y_diag.reshape(*lead, chunk, x.shape[-1])[..., :L, :]
    la = torch.log(a).reshape(*lead, n_c, chunk)
    cum = la.cumsum(-1)  # within-chunk log decay up to t
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
