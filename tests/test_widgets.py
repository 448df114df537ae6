"""explore(): live ipywidgets in JupyterLab, one deterministic rendering in static runs."""

import ipywidgets
import pytest

from mlops_course import widgets


def recording_render():
    """A render function (a real function, as ipywidgets inspects it) that keeps its calls."""

    def render(**values):
        render.calls.append(values)

    render.calls = []
    return render


@pytest.fixture
def displayed(monkeypatch):
    """Capture what explore() hands to IPython's display instead of showing it."""
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    return shown


def test_static_run_renders_once_with_each_control_default(monkeypatch, capsys, displayed):
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    render = recording_render()

    widgets.explore(
        render,
        drift_day=ipywidgets.IntSlider(value=90, min=30, max=170),
        magnitude=ipywidgets.FloatSlider(value=1.5, min=0.0, max=3.0),
    )

    assert render.calls == [{"drift_day": 90, "magnitude": 1.5}]
    assert displayed == []
    assert "drift_day=90, magnitude=1.5" in capsys.readouterr().out


def test_live_run_displays_an_interactive_that_follows_the_slider(monkeypatch, displayed):
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    render = recording_render()
    slider = ipywidgets.IntSlider(value=3, min=0, max=10)

    widgets.explore(render, day=slider)
    slider.value = 7

    (shown,) = displayed
    assert isinstance(shown, ipywidgets.interactive)
    assert slider in shown.children
    assert render.calls[-1] == {"day": 7}


@pytest.mark.parametrize("value", ["", "0", "true"])
def test_only_the_value_1_means_static(monkeypatch, value):
    monkeypatch.setenv(widgets.STATIC_ENV, value)
    assert not widgets.is_static()


def test_control_that_is_not_a_widget_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    with pytest.raises(widgets.NotAWidget, match="'drift_day' is tuple"):
        widgets.explore(recording_render(), drift_day=(30, 170))
