"""The course versions its own environment: what make installs is exactly what is pinned.

A pin for a package nothing installs (or a package installed at another version) makes
lesson 02's lock-versus-installed check report a mismatch on a fresh machine only.
"""

from __future__ import annotations

from contextlib import suppress
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

CONSTRAINTS = Path(__file__).resolve().parents[1] / "requirements" / "constraints.txt"
EXCLUDED = CONSTRAINTS.with_name("excluded.txt")


def _requirements(path: Path) -> list[str]:
    """The requirement lines of a requirements file, comments and blank lines left out."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def _pins() -> dict[str, str]:
    pins = {}
    for requirement in _requirements(CONSTRAINTS):
        name, version = requirement.split("==")
        pins[name.strip()] = version.strip()
    return pins


def test_every_pinned_package_is_installed_at_its_pinned_version() -> None:
    differing = {}
    for name, pinned in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pinned:
            differing[name] = (pinned, installed)
    assert differing == {}, (
        f"requirements/constraints.txt and .venv disagree (pinned, installed): {differing}; "
        "remove pins nothing needs, or run `make lock` after a deliberate upgrade"
    )



def test_packages_the_course_excludes_are_neither_installed_nor_pinned() -> None:
    excluded = _requirements(EXCLUDED)
    installed = []
    for name in excluded:
        with suppress(metadata.PackageNotFoundError):
            installed.append(f"{name} {metadata.version(name)}")
    pinned = sorted({canonicalize_name(name) for name in excluded}
                    & {canonicalize_name(name) for name in _pins()})  # fmt: skip
    assert (installed, pinned) == ([], []), (
        f"requirements/excluded.txt leaves out {excluded}, but .venv has {installed} and "
        f"constraints.txt pins {pinned}: `pip uninstall -r requirements/excluded.txt`, then "
        "`make lock`"
    )
