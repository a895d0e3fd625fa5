"""Optional dependencies: import one, or fail with an ImportError that names the extra to install.

The core of semtheory needs numpy and scipy only; the modules below need an extra (pyproject.toml):

========================================================  ==========  =========================
modules                                                   needs       ``pip install 'semtheory[…]'``
========================================================  ==========  =========================
transformer, ssm, diffusion, semantic                     torch       ``torch``
hf, measure                                               transformers ``hf``
plotting                                                  matplotlib  ``plot``
symbolic                                                  sympy       ``symbolic``
exercises.grade                                           nbclient    ``course``
========================================================  ==========  =========================
"""

from __future__ import annotations

import importlib

__all__ = ["require"]


def require(module: str, extra: str, *, needed_by: str):
    """``importlib.import_module(module)``, or an ImportError saying ``pip install 'semtheory[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{needed_by} needs {module}, which is not installed: pip install 'semtheory[{extra}]'") from exc
