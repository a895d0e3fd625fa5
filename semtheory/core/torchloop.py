r"""The torch training loop every chapter's model shares: one optimiser, determinism, one thread, a model cache.

Core (needs the ``torch`` extra).  :func:`minimise` is the book's one optimisation loop (Adam with
clipping, warm-up and cosine decay, deterministic algorithms, a seeded ``torch.Generator``), used by chapter
10's ``transformer.train``, chapter 11's amortised ELBO, chapter 15's Mamba and chapter 16's mask predictor;
:func:`one_thread` runs inference on one torch thread; :class:`Adam` is the optimiser (plain torch, since
``torch.optim`` imports the compiler stack); :func:`cached` and :class:`Pretrained` are the in-process
cache of the pre-trained models.  ``semtheory.transformer`` re-exports :func:`minimise`,
:class:`TrainResult` and :class:`Pretrained`.

Units: losses in nats; :class:`Pretrained` reports bits per token.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from typing import Callable, NamedTuple

import numpy as np

from .._extras import require
from .._validate import check_int, check_positive, torch_seed
from .types import SeedLike

torch = require("torch", "torch", needed_by="semtheory.core.torchloop")
nn = torch.nn

__all__ = ["minimise", "TrainResult", "one_thread", "Adam", "Pretrained", "cached"]


@contextlib.contextmanager
def one_thread():
    """Run a block on one torch thread (tiny tensors: thread start-up would dominate), then restore.

    A context manager: ``with one_thread(): ...``.  Inference on the book's small models is fastest this way
    and its numbers do not depend on the machine's thread count.  Chapters 10, 11, 14–16.

    Returns
    -------
    contextlib.AbstractContextManager
        The context (it yields ``None``).
    """
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class TrainResult(NamedTuple):
    r"""What :func:`minimise` returns: the per-step losses and the wall-clock time.

    Attributes
    ----------
    losses : numpy.ndarray of float, shape (steps,)
        The training loss of each step's batch, in nats (per token, for the book's cross-entropies).
    seconds : float
        Wall-clock seconds of the loop.
    """

    losses: np.ndarray
    seconds: float


def _set_deterministic(mode: bool, warn_only: bool = False) -> None:
    """``torch.use_deterministic_algorithms`` for eager mode only.

    The public function also sets the compiler's flag and so imports the whole compiler stack (seconds of
    start-up); nothing here is compiled, so the eager flag is all that matters.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:  # pragma: no cover - other torch versions
        torch.use_deterministic_algorithms(mode, warn_only=warn_only)
    else:
        setter(mode, warn_only=warn_only)


def _fill_uninitialized(mode: bool) -> bool:
    """Set ``torch.utils.deterministic.fill_uninitialized_memory`` (eager flag); return its old value.

    Under deterministic algorithms torch fills every new uninitialised tensor with NaN (a guard against
    reading garbage); none of the book's operations reads memory it has not written, so the fill only costs
    time (about a tenth of a small model's training step) and turning it off changes no result.
    """
    get = getattr(torch._C, "_get_deterministic_fill_uninitialized_memory", None)
    if get is None:  # pragma: no cover - other torch versions
        return mode
    old = bool(get())
    torch._C._set_deterministic_fill_uninitialized_memory(bool(mode))
    return old



class Adam:
    r"""Adam (Kingma & Ba 2015) with global gradient-norm clipping, in a few lines of plain torch.

    (``torch.optim`` would import the compiler stack, several seconds of start-up for a tiny model.)
    ``step(grads, lr)`` clips the gradients ``grads`` (one per parameter) to global norm ``clip`` and takes
    one Adam step of learning rate ``lr`` in place: with :math:`g` the clipped gradient,
    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2` and

    .. math:: \theta \leftarrow \theta - \frac{\text{lr}}{1-\beta_1^t}\,\frac{m}{\sqrt{v/(1-\beta_2^t)} + \epsilon}.

    With ``as_torch_optim=True`` the step is ``torch.optim.Adam``'s (default options, CPU tensors), operation
    for operation: :math:`m` by ``lerp``, the denominator :math:`\sqrt v/\sqrt{1-\beta_2^t} + \epsilon`; the
    same formula, different round-off.  Used by :func:`minimise` and chapter 11's EM (the default form) and by
    chapter 9's InfoNCE critic (``clip=None, as_torch_optim=True``).

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters to update (in place).
    betas : tuple of float, default (0.9, 0.999)
        Decay rates of the first and second moment estimates.
    eps : float, default 1e-8
        Added to the root second moment (in the units of the gradient).
    clip : float or None, default 1.0
        Global gradient-norm bound; ``None``: no clipping (the gradients are used as given).
    as_torch_optim : bool, keyword-only, default False
        Take ``torch.optim.Adam``'s step, operation for operation, instead of the form above.

    Attributes
    ----------
    t : int
        Steps taken.
    m, v : list of torch.Tensor
        First and second moment estimates.

    Examples
    --------
    >>> w = torch.zeros(2, dtype=torch.float64)
    >>> opt = Adam([w], clip=None, as_torch_optim=True)
    >>> opt.step([torch.tensor([1.0, -2.0], dtype=torch.float64)], 0.1)
    >>> [round(x, 6) for x in w.tolist()]  # the first step moves each coordinate by lr against its sign
    [-0.1, 0.1]
    """

    def __init__(self, params: list, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 clip: float | None = 1.0, *, as_torch_optim: bool = False) -> None:
        self.params, (self.b1, self.b2), self.eps, self.clip, self.t = params, betas, eps, clip, 0
        self.as_torch_optim = bool(as_torch_optim)
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        # float32 or float64 parameters on the CPU, all of one dtype: tensor scalars (see _scalar); otherwise numbers
        kinds = {(p.dtype, p.device.type) for p in params}
        one = len(kinds) == 1 and kinds <= {(torch.float32, "cpu"), (torch.float64, "cpu")}
        self._dtype = next(iter(kinds))[0] if one else None

    @torch.no_grad()
    def step(self, grads, lr: float) -> None:
        r"""One Adam step of learning rate ``lr`` on the gradients ``grads`` (clipped first unless ``clip`` is ``None``).

        Parameters
        ----------
        grads : sequence of torch.Tensor
            One gradient per parameter, in the parameters' order and shapes.
        lr : float
            The learning rate (in parameter units per unit of :math:`m/\sqrt v`).

        Returns
        -------
        None
            The parameters and the moments are updated in place.
        """
        self._step(grads, lr, math.nan if self.clip is None else float(_global_norm(grads)))

    @torch.no_grad()
    def _step(self, grads, lr: float, norm: float) -> None:
        # the per-tensor updates, each as one foreach call over all parameters (the same element-wise
        # operations, bit for bit; a few dispatches per step instead of a few per parameter)
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        if self.clip is None:
            g = list(grads)
        else:
            scale = min(1.0, self.clip / (norm + 1e-6))
            # x * 1.0 == x bit for bit: skip the multiplication when the norm is within the bound
            g = list(grads) if scale == 1.0 else torch._foreach_mul(list(grads), self._scalar(scale))
        b2, eps = self._scalar(self.b2), self._scalar(self.eps)
        eps = eps if self._dtype is None else [eps] * len(self.m)  # (a foreach add of one tensor calls .item())
        if self.as_torch_optim:  # torch.optim.Adam's single-tensor step (its CPU default), op for op
            torch._foreach_lerp_(self.m, g, 1 - self.b1)
            torch._foreach_mul_(self.v, b2)
            torch._foreach_addcmul_(self.v, g, g, value=1 - self.b2)
            denom = torch._foreach_sqrt(self.v)
            torch._foreach_div_(denom, self._scalar(c2**0.5))
            torch._foreach_add_(denom, eps)
            torch._foreach_addcdiv_(self.params, self.m, denom, value=-(lr / c1))
            return
        torch._foreach_mul_(self.m, self._scalar(self.b1))
        torch._foreach_add_(self.m, g, alpha=1 - self.b1)
        torch._foreach_mul_(self.v, b2)
        torch._foreach_addcmul_(self.v, g, g, value=1 - self.b2)
        denom = torch._foreach_div(self.v, self._scalar(c2))
        torch._foreach_sqrt_(denom)
        torch._foreach_add_(denom, eps)
        torch._foreach_addcdiv_(self.params, self.m, denom, value=-lr / c1)

    def _scalar(self, x: float):
        """``x`` as a 0-d CPU tensor of the parameters' dtype (or ``x`` itself if the dtypes differ).

        A Python number in a foreach call is wrapped and cast once per parameter; for float32 and float64 (whose
        CPU kernels compute in that dtype) a 0-d tensor of the same dtype is the same scalar operand, the number
        rounded to that dtype, so the result is the same bit for bit, with one allocation per step instead of one
        per parameter.  (Not for half precision, whose kernels take the scalar in float32.)
        """
        if self._dtype is None:
            return x
        return torch.tensor(x, dtype=self._dtype)


def _global_norm(grads) -> torch.Tensor:
    """The global gradient norm that :class:`Adam` clips (finite exactly when every gradient is finite,
    unless the squares overflow)."""
    # the squares in one foreach call (the same element-wise products), then the per-tensor sums, added in order
    return torch.sqrt(sum(q.sum() for q in torch._foreach_mul(list(grads), list(grads))))



def minimise(model: nn.Module, batch_loss: Callable[[torch.Generator], torch.Tensor], steps: int, *, lr: float = 3e-3,
             seed: SeedLike = 0, threads: int = 1) -> TrainResult:
    r"""The book's one optimisation loop: ``steps`` Adam steps on ``batch_loss(generator)``; in place, deterministic.

    ``batch_loss`` draws its batch from the seeded ``torch.Generator`` it is given and returns a scalar loss
    (nats).  Learning rate :math:`\eta_s = \text{lr}\cdot\min(1, (s+1)/w)\cdot(0.1 + 0.45(1 + \cos(\pi s/S)))`
    (linear warm-up over the first :math:`w = S/20` steps, then a cosine decay to a tenth); gradient norm
    clipped at 1; deterministic algorithms and ``threads`` torch threads, both restored afterwards; the
    model is left in eval mode.  A non-finite loss, gradient or parameter (a learning rate too large) stops
    the loop with a ``ValueError`` naming the step and ``lr``, the model restored to its last finite
    parameters.  Returns the per-step losses and the seconds.  Used by :func:`semtheory.transformer.train` and by
    chapter 16's ``diffusion.train``.  ``seed`` is an int >= 0, a numpy ``Generator`` or ``None`` (fresh entropy), turned into torch's int seed by ``semtheory._validate.torch_seed``.  Chapters 10, 15, 16.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    batch_loss : callable
        ``batch_loss(generator) -> scalar loss`` (nats).
    steps : int
        Adam steps, >= 1.
    lr : float, keyword-only, default 3e-3
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the ``torch.Generator`` handed to ``batch_loss``.
    threads : int, keyword-only, default 1
        Torch threads while training.

    Returns
    -------
    TrainResult
        Per-step losses (nats) and seconds.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(batch_loss):
        raise ValueError("batch_loss must be a callable taking a torch.Generator and returning a scalar loss")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = torch_seed(seed)
    threads = check_int(threads, "threads", minimum=1)
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    adam = Adam(params)
    warm = max(1, steps // 20)
    old_threads = torch.get_num_threads()
    old_det = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    torch.set_num_threads(threads)
    _set_deterministic(True)
    old_fill = _fill_uninitialized(False)
    losses = np.empty(steps)
    t0 = time.perf_counter()
    model.train()
    last = [p.detach().clone() for p in params]  # the last finite parameters
    try:
        for s in range(steps + 1):
            if s == steps:  # the last update must leave finite parameters too
                bad = None if all(bool(torch.isfinite(p).all()) for p in params) else "parameters"
            else:
                loss = batch_loss(gen)
                grads = torch.autograd.grad(loss, params)
                norm = float(_global_norm(grads))  # finite: every gradient is; otherwise look at each
                value = loss.item()
                bad = ("loss" if not math.isfinite(value) else
                       "gradient" if not math.isfinite(norm) and not all(bool(torch.isfinite(g).all()) for g in grads)
                       else None)
            if bad is not None:
                with torch.no_grad():
                    for p, q in zip(params, last):
                        p.copy_(q)
                raise ValueError(f"training diverged: the {bad} is not finite at step {s} of {steps} with learning "
                                 f"rate lr={lr!r}; lower lr (the model is left at its last finite parameters)")
            if s == steps:
                break
            with torch.no_grad():
                torch._foreach_copy_(last, params)
            rate = lr * min(1.0, (s + 1) / warm) * (0.1 + 0.45 * (1 + math.cos(math.pi * s / steps)))
            adam._step(grads, rate, norm)
            losses[s] = value
    finally:
        model.eval()
        torch.set_num_threads(old_threads)
        _set_deterministic(*old_det)
        _fill_uninitialized(old_fill)
    return TrainResult(losses, time.perf_counter() - t0)


class Pretrained(NamedTuple):
    r"""A trained model and its data, as the pre-trained builders of chapters 10, 14 and 15 return it.

    Attributes
    ----------
    model : torch.nn.Module
        The trained model (a :class:`~semtheory.transformer.Transformer` or chapter 15's ``MambaLM``).
    source : LanguageModel or None
        The true source, or ``None`` for English text.
    train_tokens, test_tokens : numpy.ndarray of int64
        The training and test streams.
    result : TrainResult
        The training run (losses in nats, seconds).
    test_cross_entropy : float
        The model's cross-entropy on ``test_tokens``, bits per token.
    entropy_rate : float or None
        The source's entropy rate, bits per token (``None`` for English).
    """

    model: nn.Module
    source: object
    train_tokens: np.ndarray
    test_tokens: np.ndarray
    result: TrainResult
    test_cross_entropy: float
    entropy_rate: float | None


_CACHE: dict = {}


def cached(key, build) -> Pretrained:
    r"""``build()`` once per ``key`` in this process, then a fresh copy of it on every call.

    The copy has its own ``model`` (deep copy), ``train_tokens`` and ``test_tokens``, so a caller may train or
    modify it without touching the cache.  The pre-trained models of chapters 10, 14 and 15 are built
    through it.

    Parameters
    ----------
    key : hashable
        The arguments that determine the model.
    build : callable
        ``build() -> Pretrained``, deterministic given ``key``.

    Returns
    -------
    Pretrained
        A fresh copy of the cached value.
    """
    if key not in _CACHE:
        _CACHE[key] = build()
    p = _CACHE[key]
    return p._replace(model=copy.deepcopy(p.model), train_tokens=p.train_tokens.copy(), test_tokens=p.test_tokens.copy())
