"""The pmf tolerance depends on dtype and size (#15); the fused validation sweep refuses what as_pmf refused."""

import math

import numpy as np
import pytest

from semtheory import _validate as v
from semtheory import measures


def softmax32(n, scale, seed):
    z = (np.random.default_rng(seed).standard_normal(n) * scale).astype(np.float32)
    e = np.exp(z - z.max())
    return e / e.sum()


def test_tolerance_formula():
    eps32 = float(np.finfo(np.float32).eps)
    assert v.pmf_tolerance(np.float32, 50_000) == pytest.approx(2 * eps32 * math.sqrt(50_000))
    assert v.pmf_tolerance(np.float64, 10) == 1e-9  # float64 keeps the absolute floor
    assert v.pmf_tolerance(np.float64, 10**7) == 1e-9
    assert v.pmf_tolerance(np.int64, 4) == 1e-9  # integers: float64's epsilon
    assert v.pmf_tolerance(np.float16, 1) > v.pmf_tolerance(np.float32, 1) > 1e-9


@pytest.mark.parametrize("scale, seed", [(1.0, 0), (3.0, 1), (10.0, 2)])
def test_float32_softmax_over_50k_is_a_pmf(scale, seed):
    p = softmax32(50_000, scale, seed)
    assert p.dtype == np.float32
    h = measures.entropy(p)
    assert h == pytest.approx(float(-(p.astype(float) * np.log2(p.astype(float), where=p > 0,
                                                               out=np.zeros(p.size))).sum()), abs=1e-9)
    assert v.as_pmf(p).dtype == float


def test_float32_softmax_from_torch_is_a_pmf():
    torch = pytest.importorskip("torch")
    z = torch.as_tensor(np.random.default_rng(1).standard_normal(50_000) * 3.0, dtype=torch.float32)
    p = torch.softmax(z, 0).numpy()
    assert abs(p.astype(float).sum() - 1) > 1e-9  # the absolute 1e-9 alone would refuse it
    v.as_pmf(p)
    rows = torch.softmax(z.reshape(5, 10_000), dim=1).numpy()
    v.as_stochastic(rows)


@pytest.mark.parametrize("n", [3, 1000, 50_000, 200_000])
def test_off_by_more_than_the_tolerance_still_fails(n):
    p = np.full(n, 1.0 / n, dtype=np.float32)
    tol = v.pmf_tolerance(np.float32, n)
    bad = (p.astype(float) * (1 + 3 * tol)).astype(np.float32)
    assert abs(bad.astype(float).sum() - 1) > tol
    with pytest.raises(ValueError, match="sum to 1"):
        v.as_pmf(bad, "q")
    with pytest.raises(ValueError, match="sum to 1"):
        measures.entropy(bad)
    ok = (p.astype(float) * (1 + tol / 4)).astype(np.float32)
    v.as_pmf(ok)


def test_float64_keeps_the_absolute_floor():
    n = 200_000
    p = np.full(n, 1.0 / n)
    v.as_pmf(p * (1 + 5e-10))
    for f in (v.as_pmf, measures.entropy):
        with pytest.raises(ValueError, match="renormalises"):
            f(p * (1 + 3e-9))
    k = np.full((3, 4), 0.25)
    k[1] *= 1 + 3e-9
    with pytest.raises(ValueError, match="along axis"):
        v.as_stochastic(k)


@pytest.mark.parametrize("where", [0, 40_000, 2**17 - 1])
@pytest.mark.parametrize("bad, msg", [(np.nan, "NaN or inf"), (np.inf, "NaN or inf"), (-np.inf, "NaN or inf"),
                                      (-1e-3, "negative")])
def test_sweep_refuses_bad_cells_in_any_block(where, bad, msg):
    n = 2**17  # four blocks of the sweep
    p = np.full(n, 1.0 / n)
    p[where] = bad
    for f in (v.as_pmf, measures.entropy, lambda a: measures.mutual_information(a.reshape(2**9, 2**8), 0, 1)):
        with pytest.raises(ValueError, match=msg):
            f(p)


def test_sweep_value_matches_one_pass():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(300_000) * 0.05)  # many exact zeros: the xlogy branch of some blocks
    p[::7] = 0.0
    p /= p.sum()
    ref = float(-(p[p > 0] * np.log2(p[p > 0])).sum())
    assert measures.entropy(p) == pytest.approx(ref, rel=1e-13)
    assert measures.entropy(np.asfortranarray(p.reshape(600, 500))) == pytest.approx(ref, rel=1e-13)
    assert measures.entropy(p.reshape(600, 500)[:, ::-1]) == pytest.approx(ref, rel=1e-13)  # not contiguous
