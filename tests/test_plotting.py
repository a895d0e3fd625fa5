"""The book's figure helper."""

import matplotlib
import pytest

from semtheory.plotting import COLORS, figure, use_book_style


def test_figure_shapes_and_style():
    fig, ax = figure()
    assert hasattr(ax, "plot")
    fig2, axes = figure(2)
    assert len(axes) == 2
    use_book_style()
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert set(COLORS) >= {"entropy", "mi", "di", "truth"}
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("kw", [{"ncols": 0}, {"nrows": 1.5}, {"width": -1}])
def test_figure_bad_input(kw):
    with pytest.raises(ValueError):
        figure(**kw)
