"""The course versions its own environment: what make installs is exactly what is pinned.

A pin for a package nothing installs (or a package installed at another version) makes
lesson 02's lock-versus-installed check report a mismatch on a fresh machine only.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parents[1] / "requirements" / "constraints.txt"


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
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
