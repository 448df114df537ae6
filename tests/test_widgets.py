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
    monkeypatch.setenv(widgets.STATIC_ENV, "0")
    render = recording_render()
    slider = ipywidgets.IntSlider(value=3, min=0, max=10)

    widgets.explore(render, day=slider)
    slider.value = 7

    (shown,) = displayed
    assert isinstance(shown, ipywidgets.interactive)
    assert slider in shown.children
    assert render.calls[-1] == {"day": 7}


def test_the_setting_wins_over_what_the_process_looks_like(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "0")
    assert not widgets.is_static()
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    assert widgets.is_static()


class FakeKernel:
    """What ipykernel keeps of the execute request the running cell came with."""

    def __init__(self, metadata):
        self.metadata = metadata

    def get_parent(self, channel):
        assert channel == "shell"
        return {"header": {"msg_type": "execute_request"}, "metadata": self.metadata}


@pytest.mark.parametrize(
    ("metadata", "static"),
    [({"cellId": "0b1c", "deletedCells": [], "recordTiming": False}, False),  # JupyterLab
     ({}, True)],  # papermill, nbclient, nbconvert
    ids=["jupyterlab", "headless-runner"],
)  # fmt: skip
def test_unset_it_is_static_unless_a_front_end_sent_the_cell(monkeypatch, metadata, static):
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    shell = type("Shell", (), {"kernel": FakeKernel(metadata)})()
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    assert widgets.is_static() is static


@pytest.mark.parametrize("value", ["", "true"])
def test_a_value_other_than_0_or_1_leaves_it_to_the_process(monkeypatch, value):
    monkeypatch.setenv(widgets.STATIC_ENV, value)
    assert widgets.is_static()  # pytest runs no kernel: no front end


def test_plain_papermill_draws_the_static_figure(tmp_path, monkeypatch):
    # The run a student makes for reproducibility: papermill, no MLOPS_COURSE_STATIC.
    import nbformat
    import papermill

    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets\nfrom mlops_course.widgets import explore\n"
        "explore(lambda day: print(f'drawn for day {day}'), day=ipywidgets.IntSlider(value=4))"
    )]  # fmt: skip
    nbformat.write(notebook, tmp_path / "in.ipynb")
    papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"),
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    [cell] = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    text = "".join(output.get("text", "") for output in cell.outputs)
    assert "Static run (no front end shows widgets)" in text and "drawn for day 4" in text
    assert not any("application/vnd.jupyter.widget-view+json" in output.get("data", {})
                   for output in cell.outputs)


def test_control_that_is_not_a_widget_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    with pytest.raises(widgets.NotAWidget, match="'drift_day' is tuple"):
        widgets.explore(recording_render(), drift_day=(30, 170))
