"""Helpers shared by the rate-reward submodules (validation, the Gibbs tilt, the joint layout); not part of the
public API of :mod:`semtheory.ratereward`."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy.special import logsumexp

from ..core.law import MAX_CELLS
from .._validate import as_float, as_pmf, as_stochastic, check_positive

MAX_SEQS = 2**20  # largest number of sequences a reward table / GibbsLM may enumerate


def check_kl_weight(kl_weight, name: str = "kl_weight") -> float:
    return check_positive(kl_weight, name)


def check_kl_weight0(kl_weight, name: str = "kl_weight") -> float:
    """A temperature >= 0: kl_weight = 0 is the greedy end of the rate-reward curve (single decisions only)."""
    return check_positive(kl_weight, name, allow_zero=True)


def as_reward(reward, shape: tuple[int, ...], name: str = "reward") -> np.ndarray:
    """A finite real array broadcastable to ``shape``, returned broadcast (read-only view)."""
    r = as_float(reward, name)
    if not np.all(np.isfinite(r)):
        raise ValueError(f"{name} contains NaN or inf; rewards must be finite")
    try:
        return np.broadcast_to(r, shape)
    except ValueError:
        raise ValueError(f"{name} has shape {r.shape}, not broadcastable to {shape}") from None


def as_ref(ref, name: str = "ref") -> np.ndarray:
    """A reference policy: a pmf over the last axis (leading axes index prompts)."""
    arr = as_stochastic(ref, name)
    return arr


def log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


def tilt(logref: np.ndarray, r: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """(log pi_lambda, log Z) with pi_lambda ∝ ref e^{lam r}, over the last axis (lam = 1/kl_weight >= 0).

    ``lam = inf`` (kl_weight = 0) is the greedy limit: the reference restricted to its best responses; the
    second value is then the largest reward on the support."""
    if math.isinf(lam):
        sup = np.isfinite(logref)
        rmax = np.where(sup, r, -np.inf).max(axis=-1, keepdims=True)
        s = np.where(sup & (r == rmax), logref, -np.inf)
        return s - logsumexp(s, axis=-1, keepdims=True), rmax[..., 0]
    s = logref + lam * r
    logz = logsumexp(s, axis=-1, keepdims=True)
    return s - logz, logz[..., 0]


def bandit(ref, reward, name: str = "reward") -> tuple[np.ndarray, np.ndarray]:
    P = as_pmf(ref, "ref", ndim=1)
    r = np.array(as_reward(reward, P.shape, name), dtype=float)
    return P, r


def kernels(kernels, name: str, n: int | None = None) -> list[np.ndarray]:
    if isinstance(kernels, np.ndarray) or not isinstance(kernels, Sequence) or len(kernels) == 0:
        raise ValueError(f"{name} must be a non-empty list of per-step kernel arrays (one per time step)")
    if n is not None and len(kernels) != n:
        raise ValueError(f"{name} has {len(kernels)} steps, expected {n}")
    return [as_stochastic(k, f"{name}[{i}]") for i, k in enumerate(kernels)]


def layout(policy, chan, pname: str, cname: str):
    """Validate a (policy, channel) pair; return kernels, n, input and output alphabet sizes."""
    pol = kernels(policy, pname)
    ch = kernels(chan, cname, len(pol))
    n = len(pol)
    xc = [k.shape[-1] for k in pol]
    yc = [k.shape[-1] for k in ch]
    for t in range(1, n + 1):
        for k, full, nm in (
            (pol[t - 1], tuple(xc[: t - 1]) + tuple(yc[: t - 1]) + (xc[t - 1],), f"{pname}[{t - 1}]"),
            (ch[t - 1], tuple(xc[:t]) + tuple(yc[: t - 1]) + (yc[t - 1],), f"{cname}[{t - 1}]"),
        ):
            if k.ndim != len(full) or any(g not in (1, w) for g, w in zip(k.shape[:-1], full[:-1])):
                raise ValueError(f"{nm} has shape {k.shape}, not broadcastable to {full} (history axes, then new variable)")
    if math.prod(xc) * math.prod(yc) > MAX_CELLS:
        raise ValueError(f"{pname}/{cname} describe a joint law larger than {MAX_CELLS} cells")
    return pol, ch, n, xc, yc


def exp_pol(k: np.ndarray, t: int, n: int) -> np.ndarray:
    a = np.moveaxis(k, -1, t - 1)  # (X^t, Y^{t-1})
    return a.reshape(a.shape[:t] + (1,) * (n - t) + a.shape[t:] + (1,) * (n - t + 1))


def exp_ch(k: np.ndarray, t: int, n: int) -> np.ndarray:
    return k.reshape(k.shape[:t] + (1,) * (n - t) + k.shape[t:] + (1,) * (n - t))


def kl_weights_array(kl_weights) -> np.ndarray:
    bs = np.atleast_1d(as_float(kl_weights, "kl_weights"))
    if bs.ndim != 1 or bs.size == 0 or not np.all(np.isfinite(bs)) or np.any(bs <= 0):
        raise ValueError("kl_weights must be a non-empty 1-D array of finite temperatures > 0")
    return bs
