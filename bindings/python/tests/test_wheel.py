"""The built wheel (scripts/build-wheel.sh, given as SMARTHD_WHEEL) installs into a fresh virtual
environment with pip, offline (no index), and works there on its own: `import smarthd` finds the
installed package (not the generated module the other tests use), which is typed (`py.typed`),
prints records readably, and runs a search against a sandbox started by this test.

scripts/test-bindings.sh builds the wheel (with the debug library) and sets SMARTHD_WHEEL and
SMARTHD_WHEEL_PROFILE=dev; run alone without it, the
test is skipped and says how to build the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

WHEEL = os.environ.get("SMARTHD_WHEEL")

# Run by the virtual environment's python, with nothing of this checkout on its path.
SCRIPT = r"""
import asyncio, json, sys
from pathlib import Path
import smarthd

class Storage(smarthd.SecureStorage):
    def __init__(self): self.values = {}
    def get(self, key): return self.values.get(key)
    def put(self, key, value): self.values[key] = bytes(value)
    def delete(self, key): self.values.pop(key, None)

url, data_dir = sys.argv[1:3]
core = smarthd.SmartHd.open(smarthd.CoreConfig(portal_url=url, data_dir=data_dir), Storage())
report = asyncio.run(core.sync().catalog())
page = core.catalog().search("dang ky khai sinh", smarthd.SearchFilters())
problem = smarthd.FieldError(field="ho_ten", problem=smarthd.FieldProblem.REQUIRED())
try:
    core.catalog().procedure("9.999999.H99")
    not_found = None
except smarthd.SmartHdError.NotFound as error:
    not_found = repr(error)
package = Path(smarthd.__file__).parent
print(json.dumps({
    "file": smarthd.__file__,
    "version": smarthd.__version__,
    "core_version": smarthd.core_version(),
    "typed": (package / "py.typed").is_file(),
    "libraries": sorted(p.name for p in package.rglob("libsmarthd_ffi*")),
    "hits": [hit.name for hit in page.hits[:3]],
    "count": len(page.hits),
    "hit_repr": repr(page.hits[0]),
    "problem_repr": repr(problem),
    "problems_repr": repr([problem]),
    "report_repr": repr(report),
    "not_found": not_found,
}))
"""


@pytest.mark.skipif(not WHEEL, reason="no SMARTHD_WHEEL: build it with scripts/build-wheel.sh")
def test_the_wheel_installs_into_a_fresh_venv_offline_and_runs_a_search(sandbox, tmp_path):
    wheel = Path(WHEEL)
    assert wheel.is_file(), wheel
    names = zipfile.ZipFile(wheel).namelist()
    assert "smarthd/py.typed" in names and "smarthd/__init__.py" in names
    library = next(n for n in names if Path(n).name.startswith("libsmarthd_ffi"))
    # A release wheel is stripped and optimized: a few MiB, not the ~60 MiB debug library (the
    # tests pack the debug one, SMARTHD_WHEEL_PROFILE=dev: the packaging is what they check).
    size = zipfile.ZipFile(wheel).getinfo(library).file_size
    if os.environ.get("SMARTHD_WHEEL_PROFILE", "release-mobile") == "release-mobile":
        assert size < 16 * 1024 * 1024, f"{library} is {size} bytes"

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PIP_INDEX_URL")}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", str(wheel)],
        check=True, env=clean, cwd=tmp_path,
    )
    done = subprocess.run(
        [str(python), "-I", "-c", SCRIPT, sandbox.url, str(tmp_path / "data")],
        env=clean, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)

    # The installed package, not this checkout's generated module.
    assert Path(result["file"]).resolve().is_relative_to(env_dir.resolve()), result["file"]
    assert result["typed"] is True
    assert result["libraries"] == ["libsmarthd_ffi.so"]
    assert result["version"] == result["core_version"]
    assert result["hits"][0] == "Đăng ký khai sinh" and result["count"] >= 1
    # Records print their fields (the generated classes alone print `<smarthd.SearchHit object
    # at 0x...>` in a list, and `FieldProblem.REQUIRED()` hides a variant's fields).
    assert result["hit_repr"].startswith("SearchHit(code='") and "name='Đăng ký khai sinh'" in result["hit_repr"]
    assert result["problem_repr"] == "FieldError(field='ho_ten', problem=FieldProblem.REQUIRED())"
    assert result["problems_repr"] == "[FieldError(field='ho_ten', problem=FieldProblem.REQUIRED())]"
    assert result["report_repr"].startswith("SyncReport(")
    assert result["not_found"].startswith("SmartHdError.NotFound(")
    assert sys.version_info >= (3, 10)
