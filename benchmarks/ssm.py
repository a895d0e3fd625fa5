"""Benchmark (chapter 15): Mamba-2's recurrent scan vs its matrix (SSD) form vs chunked SSD vs softmax attention.

For sequence lengths 128 .. 8192 (one head, state size N, head width P, float32, one torch thread) it times

* ``recurrent``: :func:`semtheory.ssm.ssd_recurrent`, the plain-torch loop over time (O(L N P), L steps);
* ``matrix``:    :func:`semtheory.ssm.ssd_matrix`, y = (L o C B^T) x (O(L^2 (N + P)), O(L^2) memory);
* ``chunked``:   :func:`semtheory.ssm.ssd_chunked` (chunk 64), Mamba-2's block algorithm;
* ``softmax``:   causal softmax attention, ``torch.nn.functional.scaled_dot_product_attention`` (peer: torch's
  fused kernel), with queries C, keys B and values x,

checks that the three SSM forms agree, and prints the crossover length at which the quadratic matrix form
becomes slower than the loop.  Run: ``.venv/bin/python benchmarks/ssm.py [--max-len 8192] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.nn import functional as F

from semtheory import ssm


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-len", type=int, default=8192)
    ap.add_argument("--state", type=int, default=64, help="N, the state size per head")
    ap.add_argument("--width", type=int, default=64, help="P, the head width")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    N, P = args.state, args.width
    lengths = [L for L in (128, 256, 512, 1024, 2048, 4096, 8192, 16384) if L <= args.max_len]
    g = torch.Generator().manual_seed(0)
    print(f"Mamba-2 SSD forms vs softmax attention: one head, N = {N}, P = {P}, float32, {args.threads} thread(s); "
          "best of repeats, milliseconds")
    head = f"{'L':>6} {'recurrent':>10} {'matrix':>10} {'chunked':>10} {'softmax':>10} {'max |mat-rec|':>14} {'max |chk-rec|':>14}"
    print(head)
    print("-" * len(head))
    rows = []
    t_start = time.perf_counter()
    for L in lengths:
        x = torch.randn(L, P, generator=g)
        a = torch.exp(-0.1 * torch.rand(L, generator=g))  # decays in (e^{-0.1}, 1]
        B = torch.randn(L, N, generator=g) / N**0.5
        C = torch.randn(L, N, generator=g) / N**0.5
        reps = 3 if L <= 2048 else 1
        with torch.no_grad():
            y_rec = ssm.ssd_recurrent(x, a, B, C)
            y_mat = ssm.ssd_matrix(x, a, B, C)
            y_chk = ssm.ssd_chunked(x, a, B, C, chunk=64)
            t_rec = best_time(lambda: ssm.ssd_recurrent(x, a, B, C), reps)
            t_mat = best_time(lambda: ssm.ssd_matrix(x, a, B, C), reps)
            t_chk = best_time(lambda: ssm.ssd_chunked(x, a, B, C, chunk=64), reps)
            q, k, v = C[None, None], B[None, None], x[None, None]
            t_sm = best_time(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True), reps)
        e_mat = float((y_mat - y_rec).abs().max())
        e_chk = float((y_chk - y_rec).abs().max())
        rows.append((L, t_rec, t_mat, t_chk, t_sm))
        print(f"{L:>6} {1e3 * t_rec:>10.2f} {1e3 * t_mat:>10.2f} {1e3 * t_chk:>10.2f} {1e3 * t_sm:>10.2f} "
              f"{e_mat:>14.2e} {e_chk:>14.2e}", flush=True)
    cross = next((L for L, tr, tm, _, _ in rows if tm > tr), None)
    print()
    if cross is None:
        print(f"crossover: the matrix form is faster than the recurrent loop at every length up to {lengths[-1]}")
    else:
        print(f"crossover: the matrix (quadratic) form becomes slower than the recurrent loop at L = {cross}")
    ratios = [(L, tm / tr) for L, tr, tm, _, _ in rows]
    print("matrix / recurrent time ratio: " + ", ".join(f"{L}: {r:.2f}" for L, r in ratios))
    best = [(L, min(("recurrent", tr), ("matrix", tm), ("chunked", tc), key=lambda z: z[1])[0]) for L, tr, tm, tc, _ in rows]
    print("fastest SSM form per length: " + ", ".join(f"{L}: {name}" for L, name in best))
    print(f"total benchmark time {time.perf_counter() - t_start:.1f} s")


if __name__ == "__main__":
    main()
