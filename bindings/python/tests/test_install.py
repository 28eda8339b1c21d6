"""The offline install path users take: `pip install --no-build-isolation`
of (a copy of) bindings/python, compiled by setuptools + cffi against this
build's libehcp, then imported from where pip put it, with no
LD_LIBRARY_PATH (the module carries an RPATH)."""
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD_ROOT, HERE, SAMPLE, SOURCE_ROOT


def test_pip_install_no_build_isolation(tmp_path):
    if BUILD_ROOT is None or not (BUILD_ROOT / "lib" / "libehcp.so").exists():
        pytest.skip("EHCP_BUILD_ROOT does not hold lib/libehcp.so")
    # (found, not imported: setuptools must not be imported into this process)
    missing = [m for m in ("pip", "setuptools", "wheel", "cffi") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"needs python3-{', python3-'.join(missing)}")
    src = tmp_path / "src"
    # A copy: setuptools builds in the tree it is given (build/, *.egg-info).
    shutil.copytree(HERE.parent, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    env = dict(os.environ, EHCP_INCLUDE_DIR=str(SOURCE_ROOT / "include"),
               EHCP_LIBRARY_DIR=str(BUILD_ROOT / "lib"), PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("LD_PRELOAD", None)  # the compiler and pip need no sanitizer runtime
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                        "--no-index", "--no-cache-dir", "--target", str(site), str(src)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    installed = sorted(p.name for p in (site / "ehcp").iterdir() if p.name != "__pycache__")
    assert "py.typed" in installed and "__init__.py" in installed
    assert any(n.startswith("_ehcp_cffi") and n.endswith(".so") for n in installed)
    assert "meson.build" not in installed

    check = ("import ehcp, datetime as dt\n"
             "assert ehcp.__file__.startswith(%r), ehcp.__file__\n"
             "assert ehcp.Calendar().add(dt.date(2025, 12, 24), 1) == dt.date(2025, 12, 29)\n"
             "cs = ehcp.CaseSet.read(%r)\n"
             "print(len(cs), ehcp.library_version())\n") % (str(site), str(SAMPLE / "events.csv"))
    run_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    run_env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, env=run_env,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == ["306", "0.1.0"]
