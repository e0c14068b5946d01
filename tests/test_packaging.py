"""`pip install .` gives a working package: a wheel built from a copy of the checkout, installed into a new
virtualenv outside it, extracts a document as the checkout does and applies the schema, its Cypher queries and
reference data read from inside the wheel.

Slow (marked ``slow``): it builds the wheel and installs it with its dependencies at the locked versions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.config import ROOT
from graph.cypher import statements
from ingest.pipeline import extract_document, to_gold_format
from ingest.read import read_document
from tests.conftest import Neo4jEndpoint

pytestmark = pytest.mark.slow

DOCUMENT = ROOT / "data" / "corpus" / "001_71b36cf2ba53069b.txt"
# Where pyproject.toml maps the folders outside the packages inside the wheel (graph/files.py reads them).
MAPPED = {"cypher/": "graph/shipped/cypher/", "data/rules/": "graph/shipped/rules/"}
MAPPED["data/reference/"] = "graph/shipped/reference/"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    run_dir: Path  # an empty folder outside the checkout, where the installed commands run

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _tracked_files() -> list[str]:
    """The checkout's files as a fresh clone would have them (tracked, plus new ones not ignored)."""
    out = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT)
    return sorted(name for name in out.split("\0") if name and (ROOT / name).is_file())


def _install(wheel: Path, venv: Path, work: Path) -> None:
    """The wheel and its dependencies at the versions of requirements.lock; offline, the dependencies are
    borrowed from the test environment through a .pth file (its editable innograph is not: .pth files in a
    borrowed folder are not run)."""
    _run([sys.executable, "-m", "venv", venv], cwd=work)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = subprocess.run(
        [*map(str, pip), "-c", str(ROOT / "requirements.lock"), str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode == 0:
        return
    site = Path(
        _run(
            [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=work,
        ).strip()
    )
    (site / "borrowed-test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run([*pip, "--no-deps", "--no-index", wheel], cwd=work)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    for name in _tracked_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    dist = work / "dist"
    _run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "-w", dist], cwd=work)
    (wheel,) = dist.glob("innograph-*.whl")
    venv = work / "venv"
    _install(wheel, venv, work)
    run_dir = work / "elsewhere"
    run_dir.mkdir()
    return Installed(wheel=wheel, venv=venv, run_dir=run_dir)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point the installed package back at the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INNOGRAPH_", "NEO4J_", "PYTHON"))}
    return {**env, **extra}


def test_the_wheel_carries_every_run_time_file(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    missing = []
    for name in _tracked_files():
        if name.startswith(("app/", "graph/", "ingest/")) and not name.endswith(".md"):
            wanted = name
        elif prefix := next((p for p in MAPPED if name.startswith(p)), None):
            if name.endswith((".md", ".py")):
                continue
            wanted = MAPPED[prefix] + name.removeprefix(prefix)
        else:
            continue
        if wanted not in names:
            missing.append(name)
    assert not missing, f"not in the wheel (list the package or its file type in pyproject.toml): {missing}"


def test_the_installed_package_extracts_as_the_checkout_does(installed: Installed) -> None:
    document = installed.run_dir / DOCUMENT.name
    shutil.copy2(DOCUMENT, document)
    out = _run(
        [installed.bin("innograph"), "extract", document.name], cwd=installed.run_dir, env=_clean_env()
    )
    got = json.loads(out)
    extraction = extract_document(read_document(DOCUMENT))
    expected = to_gold_format(extraction.graph, doc=DOCUMENT.name)
    expected["pruned"] = extraction.pruned
    assert got == json.loads(json.dumps(expected, ensure_ascii=False))
    assert got["entities"] and got["relations"] and got["targets"]


INSTALLED_SCRIPT = """
import json, graph, graph.files
from graph.config import get_settings
from graph.db import open_driver
from graph.store import apply_schema
from graph.cypher import query
settings = get_settings()
with open_driver(settings) as driver:
    applied = apply_schema(driver, database=settings.neo4j_database)
    records, _, _ = driver.execute_query(query("read_stats"), database_=settings.neo4j_database)
print(json.dumps({
    "package": graph.__file__,
    "cypher": str(graph.files.shipped("cypher")),
    "rules": str(graph.files.data_folder("rules")),
    "applied": applied,
    "stats_rows": len(records),
}))
"""


def test_the_installed_package_applies_the_schema(installed: Installed, neo4j_server: Neo4jEndpoint) -> None:
    env = _clean_env(
        NEO4J_URI=neo4j_server.uri,
        NEO4J_USER=neo4j_server.user,
        NEO4J_PASSWORD=neo4j_server.password,
        NEO4J_DATABASE=neo4j_server.database,
    )
    out = _run([installed.bin("python"), "-c", INSTALLED_SCRIPT], cwd=installed.run_dir, env=env)
    got = json.loads(out.strip().splitlines()[-1])
    site = str(installed.venv)
    assert got["package"].startswith(site), "the installed package, not the checkout, was imported"
    assert got["cypher"].startswith(site) and got["rules"].startswith(site)
    assert got["applied"] == len(statements("schema"))
    assert got["stats_rows"] == 1
