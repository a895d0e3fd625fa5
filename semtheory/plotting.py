"""One figure style for the whole book (every chapter's figures go through here).

``use_book_style()`` sets matplotlib's rcParams once; ``figure(...)`` returns a new figure and axes
already styled and sized for the book's text width.  Colours come from ``COLORS`` so that a quantity
(e.g. directed information) keeps its colour from chapter to chapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._extras import require
from ._validate import check_int, check_positive

if TYPE_CHECKING:
    from matplotlib.figure import Figure

matplotlib = require("matplotlib", "plot", needed_by="semtheory.plotting")
plt = require("matplotlib.pyplot", "plot", needed_by="semtheory.plotting")

#: Named colours: a concept keeps its colour across chapters.
COLORS = {
    "entropy": "#1f4e79",
    "mi": "#c55a11",
    "di": "#2e7d32",
    "reverse": "#7b1fa2",
    "model": "#b71c1c",
    "truth": "#000000",
    "bound": "#757575",
    "accent": "#00838f",
}

_STYLE = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "axes.prop_cycle": matplotlib.cycler(color=list(COLORS.values())),
}


def use_book_style() -> None:
    """Apply the book's matplotlib style (idempotent).  Called by every chapter's set-up cell."""
    matplotlib.rcParams.update(_STYLE)


def figure(ncols: int = 1, nrows: int = 1, *, width: float = 6.4, height: float | None = None,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A new styled figure with ``nrows`` x ``ncols`` axes; returns ``(fig, axes)`` like ``plt.subplots``.

    ``width`` is in inches (the book's text width is about 6.4); the height defaults to a 0.6 aspect
    per row.  Used by every chapter.

    Parameters
    ----------
    ncols, nrows : int, default 1
        The grid of axes.
    width : float, keyword-only, default 6.4
        Width in inches.
    height : float or None, keyword-only
        Height in inches (default: 0.6 of the width per row).
    **kwargs
        Passed to ``matplotlib.pyplot.subplots``.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or numpy.ndarray of them
        As ``plt.subplots`` returns them.
    """
    ncols = check_int(ncols, "ncols", minimum=1)
    nrows = check_int(nrows, "nrows", minimum=1)
    width = check_positive(width, "width")
    if height is None:
        height = 0.6 * width / max(ncols, 1) * nrows if ncols > 1 else 0.6 * width * nrows
    else:
        height = check_positive(height, "height")
    use_book_style()
    fig, ax = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
    return fig, ax
