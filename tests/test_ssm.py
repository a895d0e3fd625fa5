"""Chapter 15: selective scan, state-space duality, the Mamba language model, the finite-state bound."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import ssm
from semtheory.ssm import _common as ssm_common
from semtheory.ssm.finite_state import _window_law
from semtheory.channel import LanguageModel, sequence_law
from semtheory.symbolic import ssm as sym
from semtheory.transformer import markov_source


def _ssd_inputs(seed, L, N, P, lead=(), low=0.05):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*lead, L, P, generator=g, dtype=torch.float64)
    a = low + (1 - low) * torch.rand(*lead, L, generator=g, dtype=torch.float64)
    B = torch.randn(*lead, L, N, generator=g, dtype=torch.float64)
    C = torch.randn(*lead, L, N, generator=g, dtype=torch.float64)
    return x, a, B, C


def _s6_inputs(seed, L, D, N):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(L, D, generator=g, dtype=torch.float64)
    delta = 0.01 + torch.rand(L, D, generator=g, dtype=torch.float64)
    A = -torch.rand(D, N, generator=g, dtype=torch.float64) * 3
    B = torch.randn(L, N, generator=g, dtype=torch.float64)
    C = torch.randn(L, N, generator=g, dtype=torch.float64)
    return x, delta, A, B, C


# ---------------------------------------------------------------------------------------------
# Discretisation and the selective scan
# ---------------------------------------------------------------------------------------------


def test_zoh_matches_matrix_exponential_and_euler_limit():
    g = torch.Generator().manual_seed(0)
    A = -torch.rand(3, 4, generator=g, dtype=torch.float64) * 2
    delta = torch.tensor([0.3, 0.7, 1.1], dtype=torch.float64)
    B = torch.randn(4, generator=g, dtype=torch.float64)
    Abar, Bbar = ssm.discretize(delta, A, B)
    for d in range(3):  # closed form vs (dA)^{-1}(expm(dA) - I) dB with the matrix exponential
        M = torch.diag(delta[d] * A[d])
        ref = torch.linalg.solve(M, (torch.linalg.matrix_exp(M) - torch.eye(4, dtype=torch.float64)) @ (delta[d] * B))
        assert torch.allclose(Bbar[d], ref, atol=1e-12)
        assert torch.allclose(Abar[d], torch.diag(torch.linalg.matrix_exp(M)), atol=1e-12)
    small = torch.full((3,), 1e-6, dtype=torch.float64)
    _, Bz = ssm.discretize(small, A, B)
    _, Be = ssm.discretize(small, A, B, method="euler")
    assert torch.allclose(Bz, Be, rtol=1e-5)
    _, B0 = ssm.discretize(delta, torch.zeros(3, 4, dtype=torch.float64), B)  # the a = 0 limit is Delta B
    assert torch.allclose(B0, delta[:, None] * B)


def test_selective_scan_equals_explicit_sum():
    x, delta, A, B, C = _s6_inputs(1, 9, 3, 2)
    D = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    y, hT = ssm.selective_scan(x, delta, A, B, C, D, return_state=True)
    Abar, Bbar = ssm.discretize(delta, A, B)
    ref = torch.zeros_like(y)
    for i in range(9):
        for j in range(i + 1):
            decay = torch.prod(Abar[j + 1:i + 1], dim=0) if j < i else torch.ones_like(A)
            ref[i] += (decay * Bbar[j] * x[j, :, None] * C[i]).sum(-1)
    assert torch.allclose(y, ref + x * D, atol=1e-10)
    assert hT.shape == (3, 2)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), L=st.integers(1, 24), N=st.integers(1, 5), P=st.integers(1, 4),
       batch=st.integers(0, 2), chunk=st.integers(1, 9))
def test_recurrent_equals_matrix_and_chunked_form(seed, L, N, P, batch, chunk):
    lead = (2,) * batch
    x, a, B, C = _ssd_inputs(seed, L, N, P, lead)
    y_rec = ssm.ssd_recurrent(x, a, B, C)
    y_mat = ssm.ssd_matrix(x, a, B, C)
    y_chk = ssm.ssd_chunked(x, a, B, C, chunk=chunk)
    scale = 1 + y_rec.abs().max()
    assert (y_rec - y_mat).abs().max() <= 1e-10 * scale
    assert (y_rec - y_chk).abs().max() <= 1e-10 * scale


def test_ssd_chunked_in_one_chunk_is_the_matrix_form_bit_for_bit():
    # L <= chunk: the matrix form plus the term of the (zero) state entering the chunk, written out, in float32 as
    # the model runs it: the same values and gradients, to the bit
    g = torch.Generator().manual_seed(5)
    x, B, C = (torch.randn(4, 3, 16, k, generator=g) for k in (6, 5, 5))
    a = 0.05 + 0.95 * torch.rand(4, 3, 16, generator=g)
    ins = [t.clone().requires_grad_() for t in (x, a, B, C)]
    ref_ins = [t.clone().requires_grad_() for t in (x, a, B, C)]
    y = ssm_common.ssd_chunked_unchecked(*ins, chunk=16)
    xr, ar, Br, Cr = ref_ins
    y_off = torch.einsum("...tn,...t,...np->...tp", Cr, torch.exp(torch.log(ar).cumsum(-1)), torch.zeros(4, 3, 5, 6))
    y_ref = ssm_common.ssd_matrix_unchecked(xr, ar, Br, Cr) + y_off
    w = torch.randn(y.shape, generator=g)
    gr = torch.autograd.grad((y * w).sum(), ins)
    gr_ref = torch.autograd.grad((y_ref * w).sum(), ref_ins)
    assert torch.equal(y, y_ref) and all(torch.equal(u, v) for u, v in zip(gr, gr_ref))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), L=st.integers(1, 12))
def test_mask_is_product_of_decays_and_rank_one(seed, L):
    a = 0.05 + 0.95 * torch.rand(L, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    M = ssm.semiseparable_mask(a)
    ref = torch.zeros(L, L, dtype=torch.float64)
    for i in range(L):
        for j in range(i + 1):
            ref[i, j] = torch.prod(a[j + 1:i + 1])
    assert torch.allclose(M, ref, rtol=1e-12, atol=0)
    for k in range(1, L):  # every block strictly below the diagonal has rank one
        blk = M[k:, :k]
        assert torch.linalg.matrix_rank(blk, rtol=1e-9) == 1


def test_ssd_cost_counts_and_crossover():
    N, P = 5, 7
    for L in (1, 3, 10, 40):
        c = ssm.ssd_cost(L, N, P)
        assert c.recurrent == L * 3 * N * P and c.matrix == L * L * (N + P + 1)
    star = 3 * N * P / (N + P + 1)
    assert ssm.ssd_cost(int(star) + 1, N, P).matrix > ssm.ssd_cost(int(star) + 1, N, P).recurrent
    assert ssm.ssd_cost(int(star), N, P).matrix <= ssm.ssd_cost(int(star), N, P).recurrent


def test_ssd_is_decayed_linear_attention():
    x, a, B, C = _ssd_inputs(3, 10, 4, 2)
    attn = torch.tril(C @ B.T)  # linear attention scores, causal
    assert torch.allclose(ssm.ssd_matrix(x, torch.ones(10, dtype=torch.float64), B, C), attn @ x, atol=1e-12)
    assert torch.allclose(ssm.ssd_matrix(x, a, B, C), (ssm.semiseparable_mask(a) * attn) @ x, atol=1e-12)


@pytest.mark.parametrize("form", ["recurrent", "matrix", "chunked", "selective"])
def test_causal_mask_future_inputs_do_not_change_past_outputs(form):
    L, i = 12, 6
    if form == "selective":
        x, delta, A, B, C = _s6_inputs(4, L, 3, 2)
        run = lambda x, delta, B, C: ssm.selective_scan(x, delta, A, B, C)  # noqa: E731
        y0 = run(x, delta, B, C)
        x2, d2, B2, C2 = x.clone(), delta.clone(), B.clone(), C.clone()
        x2[i + 1:] += 5.0
        d2[i + 1:] *= 3.0
        B2[i + 1:] -= 2.0
        C2[i + 1:] += 1.0
        y1 = run(x2, d2, B2, C2)
    else:
        f = {"recurrent": ssm.ssd_recurrent, "matrix": ssm.ssd_matrix,
             "chunked": lambda *z: ssm.ssd_chunked(*z, chunk=4)}[form]
        x, a, B, C = _ssd_inputs(4, L, 3, 2)
        y0 = f(x, a, B, C)
        x2, a2, B2, C2 = x.clone(), a.clone(), B.clone(), C.clone()
        x2[i + 1:] += 5.0
        a2[i + 1:] = 0.5
        B2[i + 1:] -= 2.0
        C2[i + 1:] += 1.0
        y1 = f(x2, a2, B2, C2)
    assert torch.equal(y0[: i + 1], y1[: i + 1]) or torch.allclose(y0[: i + 1], y1[: i + 1], atol=1e-14, rtol=0)
    assert not torch.allclose(y0[i + 1:], y1[i + 1:])


# ---------------------------------------------------------------------------------------------
# The language model
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mixer", ["mamba", "mamba2"])
def test_model_is_causal_and_state_matches_parallel_pass(mixer):
    m = ssm.MambaLM(5, d_model=16, n_layers=2, d_state=4, mixer=mixer, head_dim=8, seed=3)
    assert isinstance(m, LanguageModel)
    seq = np.array([0, 3, 1, 4, 4, 2, 0, 1, 3])
    lp = m.token_logprobs(seq, base=math.e)  # nats, the unit of the state's log-law
    st = m.initial_state()
    size = m.state_size()
    walk = []
    for v in seq:
        walk.append(m.state_logprobs(st)[v])
        st = m.next_state(st, int(v))
        assert sum(t.numel() for layer in st.layers for t in layer) == size  # the state never grows
    assert np.allclose(lp, walk, atol=1e-5)
    assert np.allclose(lp[4], m.next_token_logprobs(seq[:4])[seq[4]], atol=1e-6)
    # causality: the law of token t ignores tokens after t
    seq2 = seq.copy()
    seq2[6:] = (seq2[6:] + 1) % 5
    assert np.allclose(m.token_logprobs(seq2, base=math.e)[:6], lp[:6], atol=1e-6)
    law = sequence_law(m, 2)
    assert law.shape == (5, 5) and abs(law.sum() - 1) < 1e-9


def test_training_deterministic_under_seed_and_learns():
    src = markov_source(seed=0)
    data = src.sample(3000, seed=1)
    runs = []
    for _ in range(2):
        m = ssm.MambaLM(4, d_model=16, n_layers=1, d_state=4, mixer="mamba2", head_dim=8, seed=7)
        r = ssm.train(m, data, 40, batch_size=8, lr=1e-2, seed=5)
        runs.append((m, r))
    (m1, r1), (m2, r2) = runs
    assert np.array_equal(r1.losses, r2.losses)
    assert all(torch.equal(p, q) for p, q in zip(m1.parameters(), m2.parameters()))
    assert r1.losses[-10:].mean() < r1.losses[:5].mean()
    m3 = ssm.MambaLM(4, d_model=16, n_layers=1, d_state=4, mixer="mamba2", head_dim=8, seed=7)
    r3 = ssm.train(m3, data, 40, batch_size=8, lr=1e-2, seed=6)
    assert not np.array_equal(r1.losses, r3.losses)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 70), st.integers(1, 3), st.integers(1, 3))
def test_parallel_scan_equals_the_loop(seed, L, D, N):
    x, delta, A, B, C = _s6_inputs(seed, L, D, N)
    Abar, Bbar = ssm.discretize(delta, A, B)
    b = Bbar * x[..., None]
    h, loop = torch.zeros(D, N, dtype=torch.float64), []
    for t in range(L):  # the recurrence written out
        h = Abar[t] * h + b[t]
        loop.append(h)
    assert torch.allclose(ssm.parallel_scan(Abar, b), torch.stack(loop), atol=1e-12)
    for method in ("zoh", "euler"):
        y_loop = ssm.selective_scan(x, delta, A, B, C, torch.ones(D, dtype=torch.float64), method=method)
        y_par = ssm.selective_scan(x, delta, A, B, C, torch.ones(D, dtype=torch.float64), method=method, scan="parallel")
        assert torch.allclose(y_loop, y_par, atol=1e-10)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_selective_scan_without_gradient_is_the_autograd_loop_bit_for_bit(dtype):
    # the recurrence run outside autograd (numpy steps on the tensors' memory) against the torch loop written
    # out under autograd: the same products and sums, so equal bits; a model's states and logits too
    g = torch.Generator().manual_seed(3)
    Bt, L, E, N = 3, 41, 5, 4
    x, B, C = (torch.randn(Bt, L, k, generator=g, dtype=dtype) for k in (E, N, N))
    delta = 0.01 + torch.rand(Bt, L, E, generator=g, dtype=dtype)
    A, D = -torch.rand(E, N, generator=g, dtype=dtype) * 3, torch.randn(E, generator=g, dtype=dtype)
    for h0 in (None, torch.randn(Bt, E, N, generator=g, dtype=dtype)):
        for method in ("euler", "zoh"):
            Abar, Bbar = ssm.discretize(delta, A, B, method=method)
            b = Bbar * x[..., None]
            h = torch.zeros(Bt, E, N, dtype=dtype) if h0 is None else h0
            hs = []
            for t in range(L):
                h = Abar[:, t] * h + b[:, t]
                hs.append(h)
            y_ref = torch.einsum("...ldn,...ln->...ld", torch.stack(hs, 1), C) + x * D
            xg = x.clone().requires_grad_()  # the autograd path
            y_grad, h_grad = ssm_common.selective_scan_unchecked(xg, delta, A, B, C, D, h0=h0, method=method)
            with torch.no_grad():
                y_ng, h_ng = ssm_common.selective_scan_unchecked(x, delta, A, B, C, D, h0=h0, method=method)
            for y_, h_ in ((y_grad.detach(), h_grad.detach()), (y_ng, h_ng)):
                assert torch.equal(y_, y_ref) and torch.equal(h_, h) and y_.dtype == dtype
    m = ssm.MambaLM(4, d_model=8, n_layers=2, d_state=3, seed=1)
    seq = np.random.default_rng(0).integers(0, 4, 300)
    full = torch.as_tensor(np.concatenate([[m.bos], seq]))[None]
    with torch.no_grad():
        ng = m(full)
    assert torch.equal(ng, m(full).detach())  # grad enabled: the autograd loop


def test_ssd_matrix_is_N_semiseparable_and_not_low_rank():
    for seed, L, N in ((0, 24, 1), (1, 24, 3), (2, 30, 5)):
        x, a, B, C = _ssd_inputs(seed, L, N, 2)
        M = ssm.semiseparable_mask(a) * (C @ B.T)
        assert torch.allclose(M @ x, ssm.ssd_recurrent(x, a, B, C), atol=1e-10)  # M is the recurrence's matrix
        assert ssm.semiseparable_rank(M) == N  # generic B, C: exactly N
        assert int(torch.linalg.matrix_rank(M)) == L  # yet M itself has full rank
    assert ssm.semiseparable_rank(ssm.semiseparable_mask(a)) == 1
    g = torch.Generator().manual_seed(3)
    assert ssm.semiseparable_rank(torch.tril(torch.randn(20, 20, generator=g, dtype=torch.float64))) == 10


@pytest.mark.parametrize("L", [5, 6, 9, 10])
def test_causal_softmax_attention_is_not_semiseparable(L):
    """Scalar queries and keys: a block on or below the diagonal of rank ceil(L/2) (exponential sums, Rolle)."""
    q = torch.linspace(-1, 1, L, dtype=torch.float64)
    scores = torch.tril(torch.exp(2.0 * q[:, None] * q[None, :]))
    attn = scores / scores.sum(1, keepdim=True)
    m = math.ceil(L / 2)  # rows m-1.., columns ..m-1 (the middle position serves as both when L is odd)
    block = attn[L - m:, :m]
    assert int(torch.linalg.matrix_rank(block)) == m
    assert ssm.semiseparable_rank(attn, rtol=1e-13) == m
    x, a, B, C = _ssd_inputs(L, L, m - 1, 1)  # while any SSD matrix with N = m - 1 stays below it
    assert ssm.semiseparable_rank(ssm.semiseparable_mask(a) * (C @ B.T)) <= m - 1


def test_mamba1_block_uses_the_euler_input_map():
    torch.manual_seed(0)
    blk = ssm.MambaBlock(8, d_state=3, mixer="mamba").double()
    h = torch.randn(1, 11, 8, dtype=torch.float64)
    with torch.no_grad():  # the block rebuilt from its parameters, with selective_scan(method="euler")
        xin, z = blk.in_proj(blk.ln(h)).split([blk.d_inner] * 2, dim=-1)
        x = torch.nn.functional.silu(blk.conv(torch.nn.functional.pad(xin.transpose(1, 2), (blk.d_conv - 1, 0))).transpose(1, 2))
        dt, B, C = blk.x_proj(x).split([blk.dt_rank, blk.d_state, blk.d_state], dim=-1)
        delta = torch.nn.functional.softplus(blk.dt_proj(dt))
        y = ssm.selective_scan(x[0], delta[0], -torch.exp(blk.A_log), B[0], C[0], blk.D, method="euler")
        assert torch.allclose(blk(h)[0], h[0] + blk.out_proj(y * torch.nn.functional.silu(z[0])), atol=1e-12)
    assert blk.dt_rank == 1 and blk.dt_proj.weight.shape == (blk.d_inner, 1)  # low-rank step projection
    zoh = ssm.MambaLM(4, d_model=8, n_layers=1, d_state=2, seed=1, discretization="zoh")
    eul = ssm.MambaLM(4, d_model=8, n_layers=1, d_state=2, seed=1)
    seq = np.array([0, 1, 2, 3, 1])
    assert not np.allclose(zoh.token_logprobs(seq), eul.token_logprobs(seq))
    for mixer in ("mamba", "mamba2"):
        with pytest.raises(ValueError, match="discretization"):
            ssm.MambaLM(4, d_model=8, n_layers=1, d_state=2, mixer=mixer, head_dim=4, discretization="rk4")


def test_scan_helpers_validate():
    with pytest.raises(ValueError, match="b must"):
        ssm.parallel_scan(torch.ones(3), torch.ones(4))
    with pytest.raises(ValueError, match="dim"):
        ssm.parallel_scan(torch.ones(3), torch.ones(3), axis=2)
    with pytest.raises(ValueError, match="M must"):
        ssm.semiseparable_rank(torch.ones(2, 3))
    x, delta, A, B, C = _s6_inputs(0, 4, 2, 2)
    with pytest.raises(ValueError, match="scan"):
        ssm.selective_scan(x, delta, A, B, C, scan="tree")


# ---------------------------------------------------------------------------------------------
# The finite-state channel
# ---------------------------------------------------------------------------------------------


def test_delay_source_memory_and_window_predictor():
    src = ssm.delay_source(3, 3, 0.2)
    q = np.array([0.8 + 0.2 / 3, 0.2 / 3, 0.2 / 3])
    h = float(-(q * np.log2(q)).sum())
    assert math.isclose(src.entropy_rate(), h, rel_tol=1e-12)
    assert np.allclose(src.stationary, 1 / 27)
    for j in range(3):  # a window shorter than the delay sees nothing useful
        assert math.isclose(ssm.window_cross_entropy(src, j), math.log2(3), rel_tol=1e-12)
    assert math.isclose(ssm.window_cross_entropy(src, 3), h, rel_tol=1e-12)
    assert math.isclose(ssm.window_cross_entropy(src, 3, base=math.e), h * math.log(2), rel_tol=1e-12)


@settings(max_examples=15, deadline=None)
@given(V=st.integers(2, 4), k=st.integers(1, 4), eps=st.floats(0.05, 0.9), bits=st.floats(0, 12))
def test_bottleneck_bound_properties(V, k, eps, bits):
    if V**k > 256:
        return
    src = ssm.delay_source(V, k, eps)
    b = ssm.state_bottleneck_bound(src, bits)
    H = src.entropy_rate()
    assert b.bound >= H - 1e-12
    assert b.bound >= math.log2(V) - bits / k - 1e-12  # the m = k block
    assert b.bound <= math.log2(V) + 1e-12
    if bits >= k * math.log2(V):  # enough memory for the whole window: only the entropy rate binds
        assert math.isclose(b.bound, H, rel_tol=1e-9)
    more = ssm.state_bottleneck_bound(src, bits + 1.0)
    assert more.bound <= b.bound + 1e-12
    if V ** (2 * k + 1) <= 4096:  # blocks longer than k never bind: brute force over m <= 2k + 1
        from semtheory.measures import entropy

        brute = max([H] + [(entropy(_window_law(src, m)) - bits) / m for m in range(1, 2 * k + 2)])
        assert math.isclose(b.bound, brute, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("slots", [0, 1, 2, 3])
def test_register_predictor_meets_its_formula_and_respects_the_bound(slots):
    V, k, eps = 3, 3, 0.1
    src = ssm.delay_source(V, k, eps)
    r = ssm.RegisterPredictor(V, k, eps, slots)
    exact = r.stationary_cross_entropy()
    assert exact >= ssm.state_bottleneck_bound(src, r.log2_states).bound - 1e-12
    x = src.sample(30_000, seed=slots)
    emp = r.cross_entropy(x[k:], prompt=x[:k]) if slots else r.cross_entropy(x)
    assert abs(emp - exact) < 0.03
    # the same predictor through the generic state protocol
    assert np.allclose(r.token_logprobs(x[:20], base=math.e), [r.next_token_logprobs(x[:t])[x[t]] for t in range(20)])


def test_pretrained_ssm_uses_the_transformer_streams():
    from semtheory.transformer import pretrained_on_markov

    small = dict(steps=20, n_train=2000, n_test=500)
    p = ssm.pretrained_ssm_on_markov(seed=0, mixer="mamba2", **small)
    t = pretrained_on_markov(seed=0, steps=2, n_train=2000, n_test=500)
    assert np.array_equal(p.test_tokens, t.test_tokens) and np.array_equal(p.train_tokens, t.train_tokens)
    assert p.test_cross_entropy > p.entropy_rate
    q = ssm.pretrained_ssm_on_markov(seed=0, mixer="mamba2", **small)
    assert q.model is not p.model and all(torch.equal(a, b) for a, b in zip(p.model.parameters(), q.model.parameters()))


# ---------------------------------------------------------------------------------------------
# Symbolic derivations
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sym.__all__)
def test_derivations_hold(name):
    assert getattr(sym, name)().holds()


def test_symbolic_zoh_agrees_with_numeric():
    import sympy as sp

    d = sym.zoh_input_integral()
    a, b, D = -1.3, 0.7, 0.4
    val = float(d.rhs.subs({sp.Symbol("a", negative=True): a, sp.Symbol("b", real=True): b,
                            sp.Symbol("Delta", positive=True): D}))
    _, Bbar = ssm.discretize([D], [[a]], [b])  # lists become float64
    assert math.isclose(val, float(Bbar[0, 0]), rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_bad_input_names_the_argument():
    x, a, B, C = _ssd_inputs(0, 5, 2, 3)
    nan = x.clone()
    nan[0, 0] = float("nan")
    for f in (ssm.ssd_recurrent, ssm.ssd_matrix, ssm.ssd_chunked):
        with pytest.raises(ValueError, match="x"):
            f(nan, a, B, C)
        with pytest.raises(ValueError, match="a must"):
            f(x, a * 0, B, C)
        with pytest.raises(ValueError, match="a must"):
            f(x, a + 1, B, C)
        with pytest.raises(ValueError, match="a must"):
            f(x, a[:-1], B, C)
        with pytest.raises(ValueError, match="B and C"):
            f(x, a, B, C[:, :1])
    with pytest.raises(ValueError, match="chunk"):
        ssm.ssd_chunked(x, a, B, C, chunk=0)
    with pytest.raises(ValueError, match="a must"):
        ssm.semiseparable_mask([0.5, -0.1])
    with pytest.raises(ValueError, match="a must"):
        ssm.semiseparable_mask([[0.5, float("inf")]])
    xs, delta, A, Bs, Cs = _s6_inputs(0, 5, 3, 2)
    with pytest.raises(ValueError, match="delta"):
        ssm.selective_scan(xs, -delta, A, Bs, Cs)
    with pytest.raises(ValueError, match="delta"):
        ssm.selective_scan(xs, delta[:, :2], A, Bs, Cs)
    with pytest.raises(ValueError, match="A must"):
        ssm.selective_scan(xs, delta, -A, Bs, Cs)
    with pytest.raises(ValueError, match="A must"):
        ssm.selective_scan(xs, delta, A[:2], Bs, Cs)
    with pytest.raises(ValueError, match="B must"):
        ssm.selective_scan(xs, delta, A, Bs[:, :1], Cs)
    with pytest.raises(ValueError, match="C must"):
        ssm.selective_scan(xs, delta, A, Bs, Cs[:3])
    with pytest.raises(ValueError, match="D must"):
        ssm.selective_scan(xs, delta, A, Bs, Cs, torch.ones(2))
    with pytest.raises(ValueError, match="method"):
        ssm.selective_scan(xs, delta, A, Bs, Cs, method="rk4")
    with pytest.raises(ValueError, match="x"):
        ssm.selective_scan("abc", delta, A, Bs, Cs)
    with pytest.raises(ValueError, match="delta"):
        ssm.discretize(torch.zeros(3), A, Bs[0])
    with pytest.raises(ValueError, match="A must"):
        ssm.discretize(delta[0], A[0], Bs[0])
    with pytest.raises(ValueError, match="B"):
        ssm.discretize(delta[0], A, [float("nan"), 1.0])
    with pytest.raises(ValueError, match="method"):
        ssm.discretize(delta[0], A, Bs[0], method="")
    for kw, arg in ((dict(vocab_size=0), "vocab_size"), (dict(d_model=0), "d_model"), (dict(n_layers=0), "n_layers"),
                    (dict(d_state=0), "d_state"), (dict(mixer="s4"), "mixer"), (dict(context_length=1), "context_length"),
                    (dict(mixer="mamba2", head_dim=5), "head_dim"), (dict(seed=-1), "seed"), (dict(expand=0), "expand")):
        args = dict(vocab_size=4) | kw
        with pytest.raises(ValueError, match=arg):
            ssm.MambaLM(**args)
    m = ssm.MambaLM(4, d_model=8, n_layers=1, d_state=2, mixer="mamba2", head_dim=4)
    with pytest.raises(ValueError, match="context"):
        m.next_token_logprobs([0, 4])
    with pytest.raises(ValueError, match="seq"):
        m.token_logprobs([[0, 1]])
    with pytest.raises(ValueError, match="prompt"):
        m.initial_state([-1])
    with pytest.raises(ValueError, match="state"):
        m.next_state((0,), 1)
    with pytest.raises(ValueError, match="token"):
        m.next_state(m.initial_state(), 9)
    with pytest.raises(ValueError, match="state"):
        m.state_logprobs(None)
    data = np.zeros(100, dtype=np.int64)
    with pytest.raises(ValueError, match="model"):
        ssm.train(object(), data, 1)
    with pytest.raises(ValueError, match="steps"):
        ssm.train(m, data, 0)
    with pytest.raises(ValueError, match="lr"):
        ssm.train(m, data, 1, lr=0)
    with pytest.raises(ValueError, match="data"):
        ssm.train(m, data.astype(float), 1)
    with pytest.raises(ValueError, match="data"):
        ssm.train(m, data[:3], 1)
    with pytest.raises(ValueError, match="seed"):
        ssm.pretrained_ssm_on_markov(seed=-1)
    with pytest.raises(ValueError, match="vocab_size"):
        ssm.delay_source(1, 2, 0.1)
    with pytest.raises(ValueError, match="delay"):
        ssm.delay_source(2, 0, 0.1)
    with pytest.raises(ValueError, match="noise"):
        ssm.delay_source(2, 2, 0.0)
    with pytest.raises(ValueError, match="states"):
        ssm.delay_source(8, 5, 0.1)
    src = ssm.delay_source(2, 2, 0.1)
    with pytest.raises(ValueError, match="source"):
        ssm.window_cross_entropy("src", 1)
    with pytest.raises(ValueError, match="window"):
        ssm.window_cross_entropy(src, -1)
    with pytest.raises(ValueError, match="base"):
        ssm.window_cross_entropy(src, 1, base=1)
    with pytest.raises(ValueError, match="source"):
        ssm.state_bottleneck_bound(None, 1)
    with pytest.raises(ValueError, match="log2_states"):
        ssm.state_bottleneck_bound(src, -1)
    with pytest.raises(ValueError, match="log2_states"):
        ssm.state_bottleneck_bound(src, float("nan"))
    with pytest.raises(ValueError, match="base"):
        ssm.state_bottleneck_bound(src, 1, base=0)
    with pytest.raises(ValueError, match="n"):
        ssm.ssd_cost(0, 2, 2)
    with pytest.raises(ValueError, match="state"):
        ssm.ssd_cost(4, 1.5, 2)
    with pytest.raises(ValueError, match="head_dim"):
        ssm.ssd_cost(4, 2, -2)
    with pytest.raises(ValueError, match="slots"):
        ssm.RegisterPredictor(2, 2, 0.1, 3)
    with pytest.raises(ValueError, match="noise"):
        ssm.RegisterPredictor(2, 2, 1.5, 1)


@pytest.mark.parametrize("chapter", ["book/15-mamba.md", "book/16-llada.md"])
def test_alt_texts_of_my_chapters_type_no_numbers(chapter):
    """Numbers in alt text cannot be glued, so they drift (the ch15 bottleneck alt text said "about 7 bits")."""
    import pathlib
    import re

    import yaml

    text = (pathlib.Path(__file__).resolve().parents[1] / chapter).read_text()
    blocks = re.findall(r"```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n", text, flags=re.S)
    alts = [(yaml.safe_load(b) or {}).get("mystnb", {}).get("image", {}).get("alt") for b in blocks]
    alts = [a for a in alts if a]  # the whole alt text, every wrapped line (a regex on "alt:" saw the first only)
    assert len(alts) >= 5
    for alt in alts:
        assert not re.search(r"\d", alt.replace("Mamba-2", "")), alt  # a name, not a number


def test_quantised_cross_entropy():
    src = ssm.delay_source(3, 2, 0.2)
    toks = src.sample(240, seed=0)
    m = ssm.MambaLM(3, d_model=8, n_layers=2, d_state=2, expand=1, d_conv=1, seed=0)
    free, fine, one = ssm.quantised_cross_entropy(m, toks, [None, 24, 1], streams=4)
    T = len(toks) // 4  # independent route: the one-pass log-probabilities of each stream
    one_pass = np.mean([m.cross_entropy(toks[i * T:(i + 1) * T]) for i in range(4)])
    assert math.isclose(free.cross_entropy, one_pass, rel_tol=1e-5)
    assert math.isclose(fine.cross_entropy, free.cross_entropy, rel_tol=1e-4)  # 24 bits: rounding is invisible
    assert free.numbers == 2 * 8 * 2 and one.log2_states == free.numbers + math.log2(3)
    assert one.cross_entropy >= ssm.state_bottleneck_bound(src, one.log2_states).bound
    assert ssm.quantised_cross_entropy(m, toks, 2, streams=4) == ssm.quantised_cross_entropy(m, toks, [2], streams=4)[0]
    with pytest.raises(ValueError, match="d_conv"):
        ssm.quantised_cross_entropy(ssm.MambaLM(3, d_model=8, n_layers=1, d_state=2, seed=0), toks)
    with pytest.raises(ValueError, match="bits"):
        ssm.quantised_cross_entropy(m, toks, 0)


def test_exercise_answers_against_closed_forms():
    from semtheory.exercises import is_correct

    assert is_correct("ex-15-zoh-gain", (math.exp(-1.0) - 1) / -2.0)
    assert is_correct("ex-15-mask-entry", 0.8 * 0.7 * 0.6)
    assert is_correct("ex-15-crossover", math.floor(3 * 64 * 64 / 129) + 1)
    h = lambda q: -sum(v * math.log2(v) for v in q)
    H8 = h([0.98 + 0.02 / 8] + [0.02 / 8] * 7)
    assert is_correct("ex-15-byte-of-state", max(H8, (9 - 8) / 3))
    assert is_correct("ex-15-register", h([0.925] + [0.025] * 3) / 2 + 1)
    assert is_correct("ex-15-needed-bits", 4 * (2 - 1.2))  # k (log2 V - c), the block term at m = k
    assert not is_correct("ex-15-needed-bits", 2 - 1.2)


@pytest.mark.parametrize("V,k,eps", [(4, 4, 0.1), (3, 2, 0.3), (8, 3, 0.02)])
def test_bottleneck_bound_read_backwards(V, k, eps):
    """For H <= c < log2 V the fewest bits of state that allow cross-entropy c are k (log2 V - c)."""
    src = ssm.delay_source(V, k, eps)
    H = src.entropy_rate()
    for c in np.linspace(H, math.log2(V), 6)[:-1]:
        need = k * (math.log2(V) - c)
        assert math.isclose(ssm.state_bottleneck_bound(src, need).bound, c, rel_tol=1e-9)
        assert ssm.state_bottleneck_bound(src, need - 1e-3).bound > c


@pytest.mark.parametrize("kwargs, name", [
    (dict(d_model=0), "d_model"), (dict(d_model="4"), "d_model"), (dict(d_model=4, d_state=0), "d_state"),
    (dict(d_model=4, d_state=2.5), "d_state"), (dict(d_model=4, expand=0), "expand"),
    (dict(d_model=4, d_conv=0), "d_conv"), (dict(d_model=4, head_dim="2"), "head_dim"),
])
def test_mamba_block_refuses_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ssm.MambaBlock(**kwargs)


def test_ssm_training_with_a_huge_learning_rate_raises_and_keeps_finite_parameters():
    m = ssm.MambaLM(2, d_model=4, n_layers=1, d_state=2, expand=1, d_conv=2, context_length=4, seed=0)
    data = np.array([0, 1, 1, 0, 1, 0, 0, 1] * 4)
    with pytest.raises(ValueError, match=r"step \d+ .*lr="):
        ssm.train(m, data, 50, batch_size=2, lr=1e30)
    assert all(bool(torch.isfinite(p).all()) for p in m.parameters())
