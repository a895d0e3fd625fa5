"""Benchmark for chapter 10: the Hopfield/attention step of this package vs torch's fused attention.

Run:  .venv/bin/python benchmarks/attention.py [--max-n 4096] [--d 64] [--repeat 3]

For each sequence length n (128 ... 4096), with n queries and n stored patterns of dimension d, it times

* ``energy.hopfield_update(Q, X, beta)``: one CCCP step of the modern Hopfield energy for every query at
  once (NumPy, float64; keys = values = the stored patterns X);
* ``energy.softmax_attention(Q, K, V, causal=True)``: the book's NumPy reference for causal attention;
* ``transformer``-style explicit attention in torch (scores, causal mask, softmax, weighted sum: what
  ``CausalSelfAttention.forward`` does per head);
* ``torch.nn.functional.scaled_dot_product_attention`` on the same tensors (float64 and float32), the peer,

and prints the best-of-``repeat`` times, the ratios to SDPA (float64) and the largest absolute difference of
the outputs (they are the same function: chapter 10 proves the Hopfield update *is* attention).  CPU only.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from semtheory import energy


def best_of(fn, repeat: int) -> tuple[float, object]:
    out, best = None, math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def explicit_causal(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    n = q.shape[-2]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    mask = torch.ones(n, n, dtype=torch.bool).tril()
    return scores.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=4096)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    d = a.d
    beta = 1.0 / math.sqrt(d)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; d = {d}, beta = 1/sqrt(d); best of {a.repeat}")
    print()
    print("Non-causal retrieval: n queries, n stored patterns (keys = values)")
    print(f"{'n':>6} {'hopfield_update':>16} {'SDPA f64':>10} {'SDPA f32':>10} {'ours/SDPA64':>12} {'max |diff|':>11}")
    n = 128
    rows = []
    while n <= a.max_n:
        rng = np.random.default_rng(n)
        X = rng.normal(size=(n, d))
        Q = rng.normal(size=(n, d))
        t_ours, y_ours = best_of(lambda: energy.hopfield_update(Q, X, beta), a.repeat)
        q64, x64 = torch.from_numpy(Q), torch.from_numpy(X)
        t64, y64 = best_of(lambda: F.scaled_dot_product_attention(q64, x64, x64, scale=beta), a.repeat)
        q32, x32 = q64.float(), x64.float()
        t32, _ = best_of(lambda: F.scaled_dot_product_attention(q32, x32, x32, scale=beta), a.repeat)
        diff = float(np.abs(y_ours - y64.numpy()).max())
        print(f"{n:>6} {t_ours * 1e3:>14.2f}ms {t64 * 1e3:>8.2f}ms {t32 * 1e3:>8.2f}ms {t_ours / t64:>12.2f} {diff:>11.1e}")
        rows.append((n, Q, X))
        n *= 2
    print()
    print("Causal self-attention (one head, keys = values = inputs, scale 1/sqrt(d))")
    print(f"{'n':>6} {'numpy ref':>11} {'torch explicit':>15} {'SDPA f64':>10} {'explicit/SDPA':>14} {'max |diff|':>11}")
    for n, Q, X in rows:
        t_np, y_np = best_of(lambda: energy.softmax_attention(Q, X, X, causal=True), a.repeat)
        q, x = torch.from_numpy(Q), torch.from_numpy(X)
        t_ex, y_ex = best_of(lambda: explicit_causal(q, x, x), a.repeat)
        t_sd, y_sd = best_of(lambda: F.scaled_dot_product_attention(q, x, x, is_causal=True), a.repeat)
        diff = max(float(np.abs(y_np - y_sd.numpy()).max()), float((y_ex - y_sd).abs().max()))
        print(f"{n:>6} {t_np * 1e3:>9.2f}ms {t_ex * 1e3:>13.2f}ms {t_sd * 1e3:>8.2f}ms {t_ex / t_sd:>14.2f} {diff:>11.1e}")


if __name__ == "__main__":
    main()
