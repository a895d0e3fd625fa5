"""semtheory.core.torchloop.Adam against torch.optim.Adam (the independent route), in both of its forms."""

import pytest

torch = pytest.importorskip("torch")

from semtheory.core.torchloop import Adam  # noqa: E402


def _problem(dtype, seed=0):
    """A small non-convex problem: a 3 x 4 matrix, a vector and a scalar, a loss with a different curvature per entry."""
    gen = torch.Generator().manual_seed(seed)
    params = [torch.randn(3, 4, generator=gen, dtype=dtype), torch.randn(5, generator=gen, dtype=dtype),
              torch.tensor(0.3, dtype=dtype)]
    X = torch.randn(7, 3, generator=gen, dtype=dtype)

    def loss(ps):
        W, b, s = ps
        return (torch.tanh(s.exp() * X @ W).sum(1) ** 2).mean() + (b ** 4).sum() + 0.1 * (W ** 2).sum() * s.cos()

    return params, loss


def _run(params, loss, step, steps):
    trace = []
    for t in range(steps):
        grads = torch.autograd.grad(loss(params), params)
        step(grads, t)
        trace.append([p.detach().clone() for p in params])
    return trace


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_torch_optim_form_equals_torch_optim_adam_step_for_step(dtype):
    lr, betas, eps, steps = 0.05, (0.8, 0.99), 1e-6, 40
    ours, loss = _problem(dtype)
    ours = [p.requires_grad_() for p in ours]
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    adam = Adam(ours, betas=betas, eps=eps, clip=None, as_torch_optim=True)
    a = _run(ours, loss, lambda g, t: adam.step(g, lr), steps)
    opt = torch.optim.Adam(theirs, lr=lr, betas=betas, eps=eps)

    def ref_step(grads, t):
        for p, g in zip(theirs, grads):
            p.grad = g
        opt.step()

    b = _run(theirs, loss, ref_step, steps)
    for t, (x, y) in enumerate(zip(a, b)):
        for u, v in zip(x, y):
            assert torch.equal(u, v), f"step {t}: max |diff| {float((u - v).abs().max())}"
    with torch.no_grad():
        assert adam.t == steps and float(loss(ours)) < float(loss(_problem(dtype)[0]))  # it descended


def test_default_form_is_adam_with_clipping_to_round_off_and_leaves_the_old_update():
    """The book's form (sqrt(v / (1 - b2^t)), clipping at global norm 1) against torch.optim.Adam after
    torch.nn.utils.clip_grad_norm_ (the same clip coefficient), on a learning rate that changes every step."""
    steps = 60
    ours, loss = _problem(torch.float64, seed=3)
    ours = [(10 * p).requires_grad_() for p in ours]  # large gradients: the clip is active
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    assert float(torch.sqrt(sum((g * g).sum() for g in torch.autograd.grad(loss(ours), ours)))) > 1.0  # clipped
    adam = Adam(ours)
    rate = lambda t: 0.02 * (1 + t) / steps  # noqa: E731
    a = _run(ours, loss, lambda g, t: adam.step(g, rate(t)), steps)
    opt = torch.optim.Adam(theirs, lr=rate(0))

    def ref_step(grads, t):
        for p, g in zip(theirs, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_norm_(theirs, 1.0)
        opt.param_groups[0]["lr"] = rate(t)
        opt.step()

    b = _run(theirs, loss, ref_step, steps)
    for x, y in zip(a[-1], b[-1]):
        torch.testing.assert_close(x, y, rtol=1e-9, atol=1e-12)


def test_no_clip_takes_the_gradient_as_given():
    p1, p2 = torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    g = [torch.tensor([30.0, -40.0], dtype=torch.float64)]
    Adam([p1], clip=None).step(g, 0.1)
    Adam([p2], clip=1e9).step(g, 0.1)  # a bound that never binds: the same step
    assert torch.equal(p1, p2)
    p3 = torch.zeros(2, dtype=torch.float64)
    a3 = Adam([p3], clip=1.0)
    a3.step(g, 0.1)  # Adam's first step is sign(g) * lr whatever the scale: the clip shows in the moments
    assert torch.allclose(a3.m[0], 0.1 * g[0] / 50.0, rtol=1e-6)


def _plain_default_step(params, grads, m, v, t, lr, clip=1.0, b1=0.9, b2=0.999, eps=1e-8):
    """The default form written out per tensor with Python-number scalars (no foreach, no tensor scalars)."""
    norm = float(torch.sqrt(sum((g * g).sum() for g in grads)))
    scale = min(1.0, clip / (norm + 1e-6))
    c1, c2 = 1 - b1**t, 1 - b2**t
    with torch.no_grad():
        for p, g, mi, vi in zip(params, grads, m, v):
            g = g * scale  # also when scale == 1.0
            mi.mul_(b1).add_(g, alpha=1 - b1)
            vi.mul_(b2).addcmul_(g, g, value=1 - b2)
            p.addcdiv_(mi, (vi / c2).sqrt_().add_(eps), value=-lr / c1)
    return norm


@pytest.mark.parametrize("dtypes", [(torch.float32,) * 3, (torch.float64,) * 3, (torch.float32, torch.float64, torch.float32)])
@pytest.mark.parametrize("size", [0.3, 1.0])
def test_default_form_equals_the_plain_per_tensor_update_bit_for_bit(dtypes, size):
    """Adam's foreach calls (with 0-d tensor scalars for float32/float64, Python numbers for mixed dtypes, no
    multiplication when the clip does not bind) against the update written out per tensor; at size 1 the clip
    binds on some steps and not on others, at size 0.3 never."""
    base, loss64 = _problem(torch.float64, seed=5)
    loss = lambda ps: loss64([q.double() for q in ps])  # noqa: E731
    ours = [(size * p).to(d).requires_grad_() for p, d in zip(base, dtypes)]
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    adam = Adam(ours)
    m, v = [torch.zeros_like(p) for p in theirs], [torch.zeros_like(p) for p in theirs]
    rate = lambda t: 0.05 * (1 + t) / 40  # noqa: E731
    a = _run(ours, loss, lambda g, t: adam.step(g, rate(t)), 40)
    norms = []
    b = _run(theirs, loss, lambda g, t: norms.append(_plain_default_step(theirs, g, m, v, t + 1, rate(t))), 40)
    for t, (x, y) in enumerate(zip(a, b)):
        for u, w in zip(x, y):
            assert u.dtype == w.dtype and torch.equal(u, w), f"step {t}"
    assert min(norms) < 1.0 and (max(norms) > 1.0) == (size == 1.0)  # the clip's branches were taken
