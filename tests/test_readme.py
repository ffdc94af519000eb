"""The README's "Python" section runs as written: its code blocks are executed here, on the
demo log, with the test embedder registered as the default through the registry (no model is
loaded). The printed tables differ from the README's (those come from the real model); what
is checked is that the documented API does what the text says."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import REPO, HashingEmbedder


def python_blocks() -> list[str]:
    """The ```python blocks of the README's "## Python" section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def run_block(index: int) -> dict:
    """Execute one block in a fresh namespace (in the current folder); its names after the run."""
    namespace: dict = {"__name__": f"readme_python_{index + 1}"}
    code = compile(python_blocks()[index], f"README.md (Python block {index + 1})", "exec")
    exec(code, namespace)  # the README's own code, nothing else
    return namespace


@pytest.fixture
def demo_folder(tmp_path, monkeypatch, fake_embedder):
    shutil.copy(REPO / "examples" / "demo_stream.txt", tmp_path / "demo_stream.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_python_section_shows_the_public_api():
    blocks = python_blocks()
    assert len(blocks) == 2
    imports = re.search(r"from twitchtopics import (.*)", blocks[0]).group(1)
    assert {name.strip() for name in imports.split(",")} == {
        "ChatTopics",
        "load_bundle",
        "read_log",
        "window_report",
    }


def test_readme_fit_save_and_window_report(demo_folder, capsys):
    found = run_block(0)
    model = found["model"]
    assert model.meta_["model"] == HashingEmbedder.name  # the registered default, not MiniLM
    assert (demo_folder / "demo_stream.twitchtopics" / "meta.json").is_file()
    report = found["report"]
    assert report["window"]["label"] and 1 <= len(report["groups"]) <= 3
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:5] == ["Topic", "Count", "Name", "Category", "Keywords"]
    assert len(printed) == 1 + 4 + len(report["groups"])


@pytest.mark.slow  # UMAP with 100 neighbours, then HDBSCAN, on the whole demo
def test_readme_seed_recipe_and_own_embedder(demo_folder, capsys):
    found = run_block(1)
    assert found["seed"].meta_["params"]["method"] == "HDBSCAN"
    assert found["own"].meta_["model"] == "char-bigrams"
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("outliers") and printed[1].startswith("char-bigrams ")
