"""Every module of tidings imports on its own: no import cycle hides behind test order."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tidings

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(tidings.__path__, "tidings.")
    if ".migrations" not in info.name and info.name != "tidings.__main__"
)

# Run in a fresh interpreter; before each module, every tidings module is forgotten, so each is
# imported as if first (third-party packages stay loaded, which keeps this fast).
SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "tidings" or m.startswith("tidings.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_alone() -> None:
    assert len(MODULES) > 50
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *MODULES], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_front_end_imports_another() -> None:
    """The client APIs and the web pages share app/, reading/ and store/, never each other."""
    script = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]: importlib.import_module(name)\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('tidings.web'))))\n"
    )
    api = [m for m in MODULES if m.startswith("tidings.api")]
    result = subprocess.run(
        [sys.executable, "-c", script, *api], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [], "tidings.api imports tidings.web"
