"""The built wheel carries its data: scenarios and the model document, read from the package.

The wheel is built from a copy of the source tree, installed (not editable) into a fresh
virtual environment, and run from a folder outside the repository with ``PYTHONPATH``
cleared, so nothing can be read from the checkout. The new environment sees the test
environment's site-packages (for the dependencies; offline, nothing is downloaded) through
a ``.pth`` file, which Python does not follow into that folder's own ``.pth`` files: the
project's editable install there stays inactive.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from dashboard import about
from dyadsim.scenario import LIBRARY, find

ROOT = Path(__file__).resolve().parent.parent
BUILD_JUNK = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
              ".hypothesis", ".ruff_cache", "out", "experiments", "tests", "validation")


class Installed:
    """A wheel of the project installed into a fresh virtual environment."""

    def __init__(self, tmp: Path) -> None:
        source = tmp / "source"
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*BUILD_JUNK))
        self.env = dict(os.environ)
        for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE"):
            self.env.pop(name, None)
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "-w", str(tmp / "dist"), str(source)],
            capture_output=True, text=True, env=self.env, cwd=tmp, check=False)
        self.build_log = build.stdout + build.stderr
        assert build.returncode == 0, self.build_log
        (self.wheel,) = (tmp / "dist").glob("dyadsim-*.whl")

        root = tmp / "venv"
        venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(root)
        self.bin = root / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")
        self.root = root.resolve()
        purelib = Path(self.output("-c", "import sysconfig; print(sysconfig.get_path('purelib'))"))
        shared = [p for p in (*site.getsitepackages(), site.getusersitepackages())
                  if Path(p).is_dir()]
        (purelib / "_dyadsim_test_deps.pth").write_text("\n".join(shared) + "\n")
        self.output("-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
                    "--disable-pip-version-check", str(self.wheel))
        self.cwd = tmp / "elsewhere"
        self.cwd.mkdir()

    def output(self, *args: str, program: Path | None = None) -> str:
        """Run the environment's Python (or one of its programs) outside the repository."""
        done = subprocess.run([str(program or self.python), *args], capture_output=True,
                              text=True, env=self.env, cwd=getattr(self, "cwd", None),
                              timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip()

    def inside(self, path: str) -> bool:
        """Whether a path lies in the virtual environment (not the repository)."""
        return Path(path).resolve().is_relative_to(self.root)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return Installed(tmp_path_factory.mktemp("wheel"))


def test_building_prints_no_warnings(installed: Installed) -> None:
    assert "Warning" not in installed.build_log, installed.build_log


def test_every_module_and_data_file_is_in_the_wheel(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for pkg in ("dyadsim", "dashboard")
               for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts}
    # a subpackage missing from [tool.setuptools] packages in pyproject.toml shows here
    assert modules - names == set()
    scenarios = {f"dyadsim/library/{p.name}" for p in (ROOT / "scenarios").glob("*.toml")}
    assert len(scenarios) >= 10 and scenarios <= names
    assert {"dyadsim/docs/MODEL.md", "dyadsim/docs/ABOUT.md",
            "dashboard/assets/style.css", "dashboard/assets/navigate.js"} <= names


def test_the_installed_package_is_the_wheel(installed: Installed) -> None:
    where = json.loads(installed.output("-c", (
        "import json, dyadsim, dyadsim.scenario as s; "
        "print(json.dumps([dyadsim.__file__, str(s.LIBRARY)]))")))
    assert all(installed.inside(p) for p in where), where


def test_dyadsim_scenarios_lists_the_library(installed: Installed) -> None:
    listing = installed.output("scenarios", program=installed.bin / "dyadsim")
    names = sorted(p.stem for p in LIBRARY.glob("*.toml"))
    listed = [line.split()[0] for line in listing.splitlines()[:len(names)]]
    assert listed == names
    assert f"{len(names)} scenarios in {installed.root}" in listing


def test_dyadsim_run_reads_a_library_scenario(installed: Installed) -> None:
    out = json.loads(installed.output("run", "therapy_eft", "--reps", "5", "--json",
                                      program=installed.bin / "dyadsim"))
    scenario = find("therapy_eft")
    assert out["n"] == 5 and out["seed"] == scenario.seed
    assert out["scenario"]["events"] == [e.to_dict() for e in scenario.events]
    assert sum(out["outcomes"].values()) == pytest.approx(1.0, abs=1e-12)


def test_the_about_page_reads_the_about_document(installed: Installed) -> None:
    got = json.loads(installed.output("-c", (
        "import json; from dashboard import about; "
        "print(json.dumps([str(about.ABOUT_DOC), about.doc_sections(), "
        "about.section('What is it?')]))")))
    path, sections, what = got
    assert installed.inside(path)
    assert sections == about.doc_sections()
    assert what == about.section("What is it?") and what
