"""The Transformer assembled from energy pieces (semtheory.transformer, chapter 10): causal mask, attention as a
Hopfield step, the VAR coefficients, the key-value memory, the LanguageModel contract, deterministic training, a
trained model near the entropy rate, and bad input."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import channel as c
from semtheory import energy as e
from semtheory import transformer as tf
from semtheory.exercises import is_correct, registered

torch.set_num_threads(1)
seeds = st.integers(0, 2**16)

#: The margin stated in chapter 10: the trained model's test cross-entropy is within this many bits per token
#: of the source's entropy rate.
MARGIN_BITS = 0.05


def small(seed=0, V=5, **kw):
    kw = dict(d_model=8, n_heads=2, n_layers=2, context_length=8) | kw
    return tf.Transformer(V, seed=seed, **kw)


# ----------------------------------------------------------------------------------------------
# Causal mask
# ----------------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=seeds, i=st.integers(0, 6))
def test_output_at_i_is_unaffected_by_later_tokens(seed, i):
    m = small(seed)
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(np.concatenate([[m.bos], rng.integers(0, 5, 7)]))[None]
    y = x.clone()
    y[0, i + 1:] = torch.as_tensor(rng.integers(0, 5, 7 - i))  # change every token after position i
    with torch.no_grad():
        a, b = m(x)[0], m(y)[0]
    torch.testing.assert_close(a[: i + 1], b[: i + 1], rtol=0, atol=1e-6)
    alpha = m.trace(x[0, 1:].numpy()).alpha
    for al in alpha:
        assert np.all(np.triu(al, k=1) == 0) and np.allclose(al.sum(-1), 1)


def test_without_the_mask_the_future_leaks(monkeypatch):
    """Negative control: the test above can fail."""
    m = small(1)
    x = torch.tensor([[m.bos, 0, 1, 2, 3]])
    y = torch.tensor([[m.bos, 0, 1, 2, 4]])
    monkeypatch.setattr(tf.model, "causal_mask", lambda n: torch.ones(n, n, dtype=torch.bool))
    with torch.no_grad():
        assert not torch.allclose(m(x)[0, 0], m(y)[0, 0], atol=1e-6)


# ----------------------------------------------------------------------------------------------
# Attention head = Hopfield update; FFN = key-value memory; VAR coefficients
# ----------------------------------------------------------------------------------------------


def test_each_head_is_a_hopfield_update_with_scale_one_over_sqrt_dk():
    m = small(3, d_model=12, n_heads=3)
    ctx = [0, 3, 1, 4, 2, 2]
    tr = m.trace(ctx)
    blk = m.blocks[0]
    h = tr.hidden[0]
    hc = h - h.mean(1, keepdims=True)
    u = blk.ln1.weight.detach().double().numpy() * hc / np.sqrt((hc**2).mean(1, keepdims=True) + blk.ln1.eps)
    W = {k: getattr(blk.attn, k).weight.detach().double().numpy() for k in ("W_Q", "W_K", "W_V", "W_O")}
    dk = blk.attn.d_k
    heads = []
    for h in range(3):
        sl = slice(h * dk, (h + 1) * dk)
        q, k, v = u @ W["W_Q"][sl].T, u @ W["W_K"][sl].T, u @ W["W_V"][sl].T
        heads.append(e.softmax_attention(q, k, v, scale=1 / math.sqrt(dk), causal=True))
        # the last query's head output is exactly a Hopfield update with stored keys (retrieving values)
        p = e.attention_weights(q[-1], k, 1 / math.sqrt(dk))
        np.testing.assert_allclose(p, tr.alpha[0][h, -1], atol=1e-12)
        np.testing.assert_allclose(p @ v, heads[-1][-1], atol=1e-12)
    np.testing.assert_allclose(np.concatenate(heads, axis=1) @ W["W_O"].T, tr.attn[0], atol=1e-10)


def test_ffn_is_a_key_value_memory():
    m = small(4)
    keys, kb, values, vb = tf.ffn_memory(m, 1)
    u = np.random.default_rng(0).normal(size=(6, 8))
    mem = torch.nn.functional.gelu(torch.as_tensor(u @ keys.T + kb)).numpy() @ values + vb
    with torch.no_grad():
        ref = m.blocks[1].ffn(torch.as_tensor(u, dtype=torch.float32)).double().numpy()
    np.testing.assert_allclose(mem, ref, atol=1e-5)
    assert keys.shape == (32, 8) and values.shape == (32, 8)


@settings(max_examples=10, deadline=None)
@given(seed=seeds, layer=st.integers(0, 1), n=st.integers(1, 7))
def test_var_coefficients_reproduce_the_attention_output(seed, layer, n):
    m = small(seed)
    ctx = np.random.default_rng(seed).integers(0, 5, n)
    v = tf.var_coefficients(m, ctx, layer)
    recon = np.einsum("ijab,jb->ia", v.A, v.hidden)
    np.testing.assert_allclose(recon, v.output, rtol=1e-10, atol=1e-12)
    assert v.A.shape == (n + 1, n + 1, 8, 8)
    assert np.all(v.A[np.triu_indices(n + 1, k=1)] == 0)  # no coefficient on the future
    r = tf.var_coefficients(m, ctx, layer, residual=True)
    np.testing.assert_allclose(np.einsum("ijab,jb->ia", r.A, r.hidden), r.output, rtol=1e-10, atol=1e-12)
    # the recorded sublayer output is the float32 model's, to float32 accuracy
    with torch.no_grad():
        x = torch.as_tensor(np.concatenate([[m.bos], ctx]))[None]
        h = m.embed(x) + m.pos.weight[: n + 1]
        for blk in m.blocks[:layer]:
            h = blk(h)
        a = m.blocks[layer].attn(m.blocks[layer].ln1(h))[0].double().numpy()
    np.testing.assert_allclose(recon, a, atol=1e-5)


def test_var_coefficients_one_head_formula():
    """One head: A_ij = alpha_ij W_O W_V diag(gamma) P / sigma_j."""
    m = small(7, n_heads=1)
    ctx = [1, 2, 3]
    v = tf.var_coefficients(m, ctx, 0)
    tr = m.trace(ctx)
    blk = m.blocks[0]
    WOV = blk.attn.W_O.weight.detach().double().numpy() @ blk.attn.W_V.weight.detach().double().numpy()
    g = blk.ln1.weight.detach().double().numpy()
    h = tr.hidden[0]
    hc = h - h.mean(1, keepdims=True)
    sig = np.sqrt((hc**2).mean(1) + blk.ln1.eps)
    for i in range(4):
        for j in range(i + 1):
            Aij = tr.alpha[0][0, i, j] * WOV @ np.diag(g) @ (np.eye(8) - 1 / 8) / sig[j]
            np.testing.assert_allclose(v.A[i, j], Aij, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# The LanguageModel contract
# ----------------------------------------------------------------------------------------------


def test_language_model_contract():
    m = small(2)
    assert isinstance(m, c.LanguageModel) and isinstance(m, torch.nn.Module)
    rng = np.random.default_rng(0)
    for n in (0, 1, 5, 7, 8, 20):
        ctx = rng.integers(0, 5, n)
        lp = m.next_token_logprobs(ctx)
        assert lp.shape == (5,) and abs(np.logaddexp.reduce(lp)) < 1e-9
        np.testing.assert_allclose(m.energies(ctx), -m.logits(ctx))
        np.testing.assert_allclose(lp, c.boltzmann_logprobs(m.energies(ctx)), atol=1e-12)
    seq, prompt = rng.integers(0, 5, 30), rng.integers(0, 5, 3)
    full = np.concatenate([prompt, seq])
    one_by_one = [m.next_token_logprobs(full[:t])[full[t]] for t in range(3, 33)]
    np.testing.assert_allclose(m.token_logprobs(seq, prompt=prompt, base=math.e), one_by_one, rtol=1e-5, atol=1e-5)
    assert m.cross_entropy(seq, prompt=prompt, base=math.e) == pytest.approx(-np.mean(one_by_one), rel=1e-5)
    law = c.sequence_law(m, 3, prompt=[1])
    assert law.shape == (5, 5, 5) and law.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(m.sample(12, seed=4), m.sample(12, seed=4))
    # the reading window: between L - s and L - 1 tokens once the context is long
    L, s = m.context_length, m.stride
    for t in range(60):
        a = m.window_start(t)
        assert (a == 0 and t < L) or (L - s <= t - a <= L - 1 and a % s == 0)


def test_state_protocol_drives_the_channel_functions():
    m = small(5, V=3)
    law = c.interaction_law(m, [0.5, 0.3, 0.2], 2)
    assert law.shape == (3,) * 4 and law.sum() == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------------
# Training: deterministic, and close to the entropy rate
# ----------------------------------------------------------------------------------------------


def test_training_is_deterministic_and_leaves_global_state_alone():
    data = np.random.default_rng(0).integers(0, 5, 500)
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    fill = torch.utils.deterministic.fill_uninitialized_memory  # minimise turns it off while it trains
    rng_state = torch.get_rng_state()
    m1, m2, m3 = small(0), small(0), small(0)
    r1 = tf.train(m1, data, 15, batch_size=4, seed=3)
    r2 = tf.train(m2, data, 15, batch_size=4, seed=3)
    tf.train(m3, data, 15, batch_size=4, seed=4)
    s1, s2, s3 = m1.state_dict(), m2.state_dict(), m3.state_dict()
    assert all(torch.equal(s1[k], s2[k]) for k in s1)
    assert not all(torch.equal(s1[k], s3[k]) for k in s1)
    np.testing.assert_array_equal(r1.losses, r2.losses)
    assert torch.get_num_threads() == threads and torch.are_deterministic_algorithms_enabled() == det
    assert torch.utils.deterministic.fill_uninitialized_memory == fill
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert not all(torch.equal(a, b) for a, b in zip(small(0).state_dict().values(), small(1).state_dict().values()))


def test_pretrained_markov_model_is_within_the_margin_of_the_entropy_rate():
    p = tf.pretrained_on_markov()
    assert p.entropy_rate == pytest.approx(p.source.entropy_rate(base=2))
    assert p.test_cross_entropy == pytest.approx(p.model.cross_entropy(p.test_tokens, base=2), rel=1e-9)
    assert p.test_cross_entropy - p.entropy_rate < MARGIN_BITS
    # the model is not an n-gram shortcut: it does much better than the best order-1 model
    from semtheory.sources import ngram_cross_entropies

    ce1 = ngram_cross_entropies(p.train_tokens, p.test_tokens, [1], vocab_size=4)[0]
    assert p.test_cross_entropy < ce1 - 0.1
    assert p.result.losses[-20:].mean() < p.result.losses[:20].mean()
    # cached and a fresh copy every time
    q = tf.pretrained_on_markov()
    assert q.model is not p.model
    with torch.no_grad():
        q.model.unembed.weight.zero_()
    r = tf.pretrained_on_markov()
    assert torch.equal(r.model.unembed.weight, p.model.unembed.weight)


# ----------------------------------------------------------------------------------------------
# Exercises and bad input
# ----------------------------------------------------------------------------------------------


def test_chapter_10_exercises():
    reg = {k: a for k, a in registered().items() if a.chapter == "ch10"}
    assert len(reg) >= 2
    for label, a in reg.items():
        ref = a.compute()
        assert is_correct(label, ref)
        assert not is_correct(label, ref * 1.2 + 1)


BAD = [
    (lambda: tf.Transformer(0), "vocab_size"),
    (lambda: tf.Transformer(4, d_model=10, n_heads=3), "n_heads"),
    (lambda: tf.Transformer(4, context_length=1), "context_length"),
    (lambda: tf.Transformer(4, n_layers=0), "n_layers"),
    (lambda: tf.Transformer(4, seed=-1), "seed"),
    (lambda: tf.causal_mask(0), "n"),
    (lambda: small().next_token_logprobs([0, 5]), "context"),
    (lambda: small().next_token_logprobs([0.5]), "context"),
    (lambda: small().token_logprobs([[0, 1]]), "seq"),
    (lambda: small().token_logprobs([1], prompt=[-1]), "prompt"),
    (lambda: small().trace([0] * 8), "context"),
    (lambda: small().window_start(-1), "t"),
    (lambda: tf.var_coefficients("model", [0]), "model"),
    (lambda: tf.var_coefficients(small(), [0], layer=2), "layer"),
    (lambda: tf.ffn_memory(small(), layer=-1), "layer"),
    (lambda: tf.ffn_nonlinearity("model", [0] * 8), "model"),
    (lambda: tf.ffn_nonlinearity(small(), [0] * 8, layer=2), "layer"),
    (lambda: tf.ffn_nonlinearity(small(), [0] * 6), "tokens"),
    (lambda: tf.train("model", [0] * 20, 1), "model"),
    (lambda: tf.train(small(), np.zeros(20), 1), "data"),
    (lambda: tf.train(small(), [0] * 20 + [5], 1), "data"),
    (lambda: tf.train(small(), [0] * 5, 1), "data"),
    (lambda: tf.train(small(), [0] * 20, 0), "steps"),
    (lambda: tf.train(small(), [0] * 20, 1, lr=0), "lr"),
    (lambda: tf.train(small(), [0] * 20, 1, batch_size=0), "batch_size"),
    (lambda: tf.train(small(), [0] * 20, 1, seed=1.5), "seed"),
    (lambda: tf.pretrained_on_markov(seed=-1), "seed"),
    (lambda: tf.pretrained_on_markov(source_seed=1.5), "source_seed"),
    (lambda: tf.pretrained_on_english(n_train=10**7), "n_train"),
    (lambda: tf.markov_source(seed="a"), "seed"),
]


@pytest.mark.parametrize("call, arg", BAD)
def test_bad_input_raises_naming_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


def test_minimise_validates_and_is_the_loop_train_uses():
    import torch

    from semtheory.transformer import minimise

    lin = torch.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="model"):
        minimise(object(), lambda g: None, 1)
    with pytest.raises(ValueError, match="batch_loss"):
        minimise(lin, 3.0, 1)
    with pytest.raises(ValueError, match="steps"):
        minimise(lin, lambda g: lin.weight.sum(), 0)
    with pytest.raises(ValueError, match="lr"):
        minimise(lin, lambda g: lin.weight.sum(), 1, lr=0)

    def fit(seed):
        torch.manual_seed(0)
        m = torch.nn.Linear(3, 1)
        x = torch.randn(64, 3)
        y = x @ torch.tensor([[1.0], [-2.0], [0.5]])

        def loss(gen):
            i = torch.randint(0, 64, (16,), generator=gen)
            return ((m(x[i]) - y[i]) ** 2).mean()

        return minimise(m, loss, 300, lr=5e-2, seed=seed), m

    (r1, m1), (r2, m2), (r3, _) = fit(1), fit(1), fit(2)
    assert np.array_equal(r1.losses, r2.losses) and torch.equal(m1.weight, m2.weight)
    assert not np.array_equal(r1.losses, r3.losses)
    assert r1.losses[-20:].mean() < 0.05 * r1.losses[:5].mean()
    assert not m1.training


# ----------------------------------------------------------------------------------------------
# The feed-forward block is not a VAR term: its distance from affine
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", [0, 1])
def test_ffn_nonlinearity_matches_the_trace_route(layer):
    """The batched float64 pass agrees with the per-window trace (block output minus its input)."""
    m = small(seed=3)
    toks = np.random.default_rng(0).integers(0, 5, size=7 * 12)
    U, Fo = [], []
    for w in toks.reshape(12, 7):
        tr = m.trace(w)
        hm = tr.hidden[layer] + tr.attn[layer]
        blk = m.blocks[layer]
        g = blk.ln2.weight.detach().double()
        U.append(torch.nn.functional.layer_norm(torch.tensor(hm), (8,), weight=g, eps=blk.ln2.eps).numpy())
        Fo.append(tr.hidden[layer + 1] - hm)
    U, Fo = np.concatenate(U), np.concatenate(Fo)
    Ua = np.hstack([U, np.ones((len(U), 1))])
    res = Fo - Ua @ np.linalg.lstsq(Ua, Fo, rcond=None)[0]
    want = (res**2).sum() / ((Fo - Fo.mean(0)) ** 2).sum()
    got = tf.ffn_nonlinearity(m, toks, layer)
    assert got == pytest.approx(want, rel=1e-8) and 0 < got < 1


def test_ffn_nonlinearity_vanishes_when_gelu_is_linear():
    """With a large positive key bias every GELU works where GELU(z) = z Phi(z) = z: the block is affine."""
    m = small(seed=4)
    with torch.no_grad():
        m.blocks[0].ffn.keys.bias.fill_(60.0)
    assert tf.ffn_nonlinearity(m, np.arange(70) % 5, 0) < 1e-12
    assert tf.ffn_nonlinearity(small(seed=4), np.arange(70) % 5, 0) > 1e-4


def test_chapter_10_answers_by_independent_routes():
    """Each auto-checked answer against a route that does not call the function that computes it."""
    X, xi = np.array([[1, 0], [0, 1], [-0.6, -0.8]]), np.array([0.5, 0.2])
    E_np = -np.log(np.exp(2.0 * X @ xi).sum()) / 2.0 + xi @ xi / 2 + np.log(3) / 2.0 + 0.5  # closed form, M = 1
    assert is_correct("ex-10-hopfield-energy", E_np)
    s = xi.copy()
    for _ in range(5000):  # plain fixed-point iteration, beta = 4
        w = np.exp(4.0 * X @ s - (4.0 * X @ s).max()); w /= w.sum()
        s = w @ X
    w = np.exp(4.0 * X @ s - (4.0 * X @ s).max()); w /= w.sum()
    assert is_correct("ex-10-fixed-point-weight", w.max())


def test_parameter_count_matches_the_formula_of_definition_10():
    V, d, dff, L, n = 256, 32, 128, 2, 32
    formula = (V + 1) * d + n * d + L * (4 * d * d + 2 * d * dff + dff + d + 2 * d) + d + V * d
    assert tf.Transformer(V, d_model=d, n_heads=4, n_layers=L, context_length=n).num_parameters() == formula


# ----------------------------------------------------------------------------------------------
# bad input (issue #16): divergent training stops, the torch blocks validate their sizes
# ----------------------------------------------------------------------------------------------


def test_training_with_a_huge_learning_rate_stops_at_the_first_non_finite_loss_and_keeps_finite_parameters():
    m = tf.Transformer(3, d_model=4, n_heads=1, n_layers=1, d_ff=4, context_length=4, seed=0)
    data = np.array([0, 1, 2, 1, 0, 2, 1, 1] * 4)
    with pytest.raises(ValueError, match=r"step \d+ .*lr=1e\+30"):
        tf.train(m, data, 50, batch_size=2, lr=1e30)
    assert all(bool(torch.isfinite(p).all()) for p in m.parameters())
    assert np.isfinite(m.token_logprobs(data[:4])).all()  # still usable
    with pytest.raises(ValueError, match="lr"):
        tf.minimise(m, lambda g: m(torch.tensor([[0, 1]])).sum() * math.nan, 3)


@pytest.mark.parametrize("cls, kwargs, name", [
    (tf.CausalSelfAttention, dict(d_model=4, n_heads=0), "n_heads"),
    (tf.CausalSelfAttention, dict(d_model=4, n_heads=-1), "n_heads"),
    (tf.CausalSelfAttention, dict(d_model=4, n_heads=3), "n_heads"),
    (tf.CausalSelfAttention, dict(d_model="4", n_heads=2), "d_model"),
    (tf.FeedForward, dict(d_model=0, d_ff=4), "d_model"),
    (tf.FeedForward, dict(d_model=4, d_ff=2.5), "d_ff"),
    (tf.Block, dict(d_model=4, n_heads=2, d_ff=0), "d_ff"),
    (tf.Block, dict(d_model=4, n_heads="2", d_ff=4), "n_heads"),
])
def test_torch_blocks_refuse_bad_sizes(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


def _plain_forward(m, tok):
    """The Transformer's forward written out with torch.nn.functional, a fresh causal mask every call."""
    F = torch.nn.functional
    B, n = tok.shape
    d = m.config["d_model"]
    h = F.embedding(tok, m.embed.weight) + m.pos.weight[:n]
    for blk in m.blocks:
        a, ff = blk.attn, blk.ffn
        u = F.layer_norm(h, (d,), blk.ln1.weight, None, blk.ln1.eps)
        q, k, v = (F.linear(u, W.weight).view(B, n, a.n_heads, a.d_k).transpose(1, 2) for W in (a.W_Q, a.W_K, a.W_V))
        alpha = ((q @ k.transpose(-2, -1)) / math.sqrt(a.d_k)).masked_fill(
            ~torch.ones(n, n, dtype=torch.bool).tril(), float("-inf")).softmax(dim=-1)
        h = h + F.linear((alpha @ v).transpose(1, 2).reshape(B, n, d), a.W_O.weight)
        u = F.layer_norm(h, (d,), blk.ln2.weight, None, blk.ln2.eps)
        h = h + F.linear(F.gelu(F.linear(u, ff.keys.weight, ff.keys.bias)), ff.values.weight, ff.values.bias)
    return F.linear(F.layer_norm(h, (d,), m.ln_f.weight, None, m.ln_f.eps), m.unembed.weight)


def test_train_equals_the_loop_written_out_bit_for_bit():
    """train (minimise, Adam's foreach calls, the cached mask, the skipped unit clip) against chapter 10's
    recipe written out plainly: the same batches, the forward above, Adam per tensor with the clip, the
    warm-up and cosine schedule; weights and losses equal bit for bit, with the clip binding on some steps."""
    data = np.random.default_rng(1).integers(0, 5, 600)
    steps, Bs, lr = 40, 6, 2e-2
    m1, m2 = small(2), small(2)
    r = tf.train(m1, data, steps, batch_size=Bs, lr=lr, seed=4)
    gen, x, L = torch.Generator().manual_seed(4), torch.as_tensor(data), m2.context_length
    params = list(m2.parameters())
    mom, vel = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    losses, norms, warm = [], [], max(1, steps // 20)
    for s in range(steps):
        i = torch.randint(0, len(x) - L + 1, (Bs,), generator=gen)
        win = x[i[:, None] + torch.arange(L)]
        inp = torch.cat([torch.full((Bs, 1), m2.bos), win[:, :-1]], dim=1)
        loss = torch.nn.functional.cross_entropy(_plain_forward(m2, inp).reshape(-1, 5), win.reshape(-1))
        grads = torch.autograd.grad(loss, params)
        norms.append(float(torch.sqrt(sum((g * g).sum() for g in grads))))
        rate = lr * min(1.0, (s + 1) / warm) * (0.1 + 0.45 * (1 + math.cos(math.pi * s / steps)))
        c1, c2 = 1 - 0.9 ** (s + 1), 1 - 0.999 ** (s + 1)
        with torch.no_grad():
            for p, g, mi, vi in zip(params, grads, mom, vel):
                g = g * min(1.0, 1.0 / (norms[-1] + 1e-6))
                mi.mul_(0.9).add_(g, alpha=1 - 0.9)
                vi.mul_(0.999).addcmul_(g, g, value=1 - 0.999)
                p.addcdiv_(mi, (vi / c2).sqrt_().add_(1e-8), value=-rate / c1)
        losses.append(loss.item())
    assert min(norms) < 1.0 < max(norms)
    np.testing.assert_array_equal(r.losses, losses)
    s1, s2 = m1.state_dict(), m2.state_dict()
    assert all(torch.equal(s1[k], s2[k]) for k in s1)


def test_a_mask_first_built_for_inference_serves_training(monkeypatch):
    """The hidden-key mask is cached per length; built first inside logits' inference mode it is still a
    normal tensor, so training at that length (which saves it for the backward pass) works and is unchanged."""
    monkeypatch.setattr(tf.model, "_HIDDEN", {})
    data = np.random.default_rng(2).integers(0, 5, 300)
    m1, m2 = small(0, context_length=7), small(0, context_length=7)
    m1.logits(data[:6])  # n = 7 = context_length: the mask training will use
    assert not tf.model._HIDDEN[(tf.causal_mask, 7)].is_inference()
    r1 = tf.train(m1, data, 5, batch_size=3)
    monkeypatch.setattr(tf.model, "_HIDDEN", {})
    r2 = tf.train(m2, data, 5, batch_size=3)
    np.testing.assert_array_equal(r1.losses, r2.losses)
