"""`--labeler PATH`: labels written by a local text-generation model (issue 12).

The models are tiny ones built here (`tests/labeler_models.py`): one that always answers a
fixed line, one whose random weights answer noise, a sequence-to-sequence one; the real
embedding model is never loaded (the fake embedder groups the messages).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import HashingEmbedder
from tests.labeler_models import tiny_model
from twitchtopics import registry
from twitchtopics.cli import cli
from twitchtopics.describe.labeler import PHRASE, build_prompt, clean_label
from twitchtopics.errors import OptionError

GOOD = "Pasta night talk\n"
TRICKY = "Title: «\x1b[31m<b>Pasta</b>\x07 night» talk about food and more\n"


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("labelers")
    return {
        "good": tiny_model(root / "good", GOOD),
        "noise": tiny_model(root / "noise"),
        "tricky": tiny_model(root / "tricky", TRICKY, kind="bart"),
    }


def _cluster(log: Path, out: Path, *args: str, cache: bool = False):
    options = [] if cache else ["--no-cache"]
    command = ["cluster", str(log), "--quiet", "--out", str(out)]
    return CliRunner().invoke(cli, [*command, *options, *args])


def _topics(bundle: Path) -> list[dict]:
    return json.loads((bundle / "topics.json").read_text(encoding="utf-8"))["topics"]


def _labels(bundle: Path) -> list[tuple[str, str]]:
    return [(t["label"], t["label_source"]) for t in _topics(bundle)]


# --- cleaning and prompts (no model) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        (GOOD, "Pasta night talk"),
        ('\n\n  - "Les pâtes carbonara".\nsecond line', "Les pâtes carbonara"),
        (TRICKY, "<b>Pasta</b> night talk about food"),  # escaped where shown, not here
        ("Label: one two three four five six seven eight", "one two three four five six"),
        ("a\u202eb c\u200bd", "ab cd"),  # bidi override and zero-width space dropped
        ("x" * 80 + " y", "x" * 47 + "…"),
        ("ok", None),  # one word
        ("123 456", None),  # no letter
        ("Keywords: pâtes, carbonara", None),  # the prompt echoed
        ("", None),
        (" ... \n", None),
    ],
)
def test_clean_label(answer, label):
    assert clean_label(answer) == label


def test_prompt_holds_keywords_tally_and_one_line_messages():
    topic = {
        "keywords": [["pâtes", 1.0], ["carbonara", 0.5]],
        "answers": [["b", 149], ["c", 143]],
        "representatives": ["les pâtes\ncarbonara \x1b[2J", "y" * 300, "3", "4", "5", "6"],
    }
    prompt = build_prompt(topic)
    assert "Keywords: pâtes, carbonara" in prompt and "Answers: b (149), c (143)" in prompt
    assert "- les pâtes carbonara" in prompt and "\x1b" not in prompt
    assert "- " + "y" * 119 + "…" in prompt
    assert "- 5" in prompt and "- 6" not in prompt  # 5 messages
    assert "- 3" not in build_prompt(topic, messages=2)


# --- the CLI end to end -----------------------------------------------------------------------


def test_a_model_labels_every_group(fake_embedder, topic_log, tmp_path, models):
    result = _cluster(topic_log, tmp_path / "a.twitchtopics", "--labeler", str(models["good"]))
    assert result.exit_code == 0, result.output
    labels = _labels(tmp_path / "a.twitchtopics")
    assert len(labels) >= 3 and set(labels) == {("Pasta night talk", "model:good")}
    assert "\u201cPasta night talk\u201d" in result.output  # each group led by its label
    meta = json.loads((tmp_path / "a.twitchtopics" / "meta.json").read_text())
    assert meta["params"]["labeler"] == str(models["good"])
    assert meta["labeler"]["name"] == "model:good"
    assert meta["labeler"]["fingerprint"].startswith("labeler:")


def test_an_unusable_answer_keeps_the_phrase_label(fake_embedder, topic_log, tmp_path, models):
    plain = _cluster(topic_log, tmp_path / "plain.twitchtopics")
    noise = _cluster(topic_log, tmp_path / "noise.twitchtopics", "--labeler", str(models["noise"]))
    assert plain.exit_code == 0 and noise.exit_code == 0, noise.output
    phrase = _labels(tmp_path / "plain.twitchtopics")
    assert {source for _, source in phrase} == {PHRASE}
    assert _labels(tmp_path / "noise.twitchtopics") == phrase
    meta = json.loads((tmp_path / "plain.twitchtopics" / "meta.json").read_text())
    assert meta["params"]["labeler"] is None and meta["labeler"]["name"] == PHRASE


def test_a_seq2seq_answer_is_cleaned_and_escaped(fake_embedder, topic_log, tmp_path, models):
    bundle = tmp_path / "t.twitchtopics"
    result = _cluster(topic_log, bundle, "--labeler", str(models["tricky"]))
    assert result.exit_code == 0, result.output
    assert {label for label, _ in _labels(bundle)} == {"<b>Pasta</b> night talk about food"}
    assert "\x1b" not in result.output and "\x07" not in result.output
    page = tmp_path / "t.html"
    report = CliRunner().invoke(cli, ["report", str(bundle), "--html", str(page)])
    assert report.exit_code == 0, report.output
    html = page.read_text(encoding="utf-8")
    assert "&lt;b&gt;Pasta&lt;/b&gt; night talk" in html and "<b>Pasta</b>" not in html


def test_labels_are_the_same_whatever_the_cache_holds(
    fake_embedder, topic_log, tmp_path, models, monkeypatch
):
    from twitchtopics.describe.labeler import ModelLabeler

    cache = tmp_path / "cache"
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(cache))
    good = str(models["good"])
    assert (
        _cluster(topic_log, tmp_path / "1.twitchtopics", "--labeler", good, cache=True).exit_code
        == 0
    )
    first = _labels(tmp_path / "1.twitchtopics")
    entries = sorted((cache / "labels").glob("*.json"))
    assert entries and len(entries) <= len(first)

    def no_generation(self, prompt):
        raise AssertionError("the cached answer was not used")

    with monkeypatch.context() as patched:  # a rerun reads every answer from the cache
        patched.setattr(ModelLabeler, "_generate", no_generation)
        rerun = _cluster(topic_log, tmp_path / "2.twitchtopics", "--labeler", good, cache=True)
        assert rerun.exit_code == 0, rerun.output
    assert _labels(tmp_path / "2.twitchtopics") == first

    for i, entry in enumerate(entries):  # damaged, or another model's answer at this key
        if i % 2:
            entry.write_bytes(b"\x00{not json")
        else:
            stale = json.loads(entry.read_text())
            entry.write_text(json.dumps({**stale, "fingerprint": "other", "answer": "Wrong x"}))
    assert (
        _cluster(topic_log, tmp_path / "3.twitchtopics", "--labeler", good, cache=True).exit_code
        == 0
    )
    assert _labels(tmp_path / "3.twitchtopics") == first
    assert all("Pasta night talk" in e.read_text() for e in entries)  # healed

    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(tmp_path / "unused"))
    assert _cluster(topic_log, tmp_path / "4.twitchtopics", "--labeler", good).exit_code == 0
    assert _labels(tmp_path / "4.twitchtopics") == first
    assert not (tmp_path / "unused" / "labels").exists()  # --no-cache writes no answer


# --- errors: one line, non-zero exit, before any work -----------------------------------------


def _folder_with(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


def _file(tmp: Path) -> Path:
    path = tmp / "model.bin"
    path.write_bytes(b"\x00")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: tmp / "missing", "no such folder"),
        (lambda tmp: _file(tmp), "not a folder"),
        (lambda tmp: _folder_with(tmp, "empty", {}), "no config.json"),
        (
            lambda tmp: _folder_with(tmp, "broken", {"config.json": "{"}),
            "not a text-generation model",
        ),
        (
            lambda tmp: _folder_with(tmp, "noweights", {"config.json": '{"model_type": "gpt2"}'}),
            "not a text-generation model",
        ),
    ],
)
def test_a_bad_labeler_is_one_line(fake_embedder, topic_log, tmp_path, make, says):
    bundle = tmp_path / "x.twitchtopics"
    result = _cluster(topic_log, bundle, "--labeler", str(make(tmp_path)))
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and says in lines[0], result.output
    assert not bundle.exists()


def test_without_transformers_the_labeler_is_one_line(
    fake_embedder, topic_log, tmp_path, models, monkeypatch
):
    monkeypatch.setitem(sys.modules, "transformers", None)  # find_spec and import both fail
    result = _cluster(topic_log, tmp_path / "x.twitchtopics", "--labeler", str(models["good"]))
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "transformers" in lines[0], result.output
    plain = _cluster(topic_log, tmp_path / "y.twitchtopics")  # never required
    assert plain.exit_code == 0, plain.output


# --- the library: labelers are components -------------------------------------------------------


class ShoutLabeler:
    """Labels a group by its best keyword, shouted; gives up on groups without keywords."""

    name = "shout"

    def label(self, topic):
        words = [w for w, _ in topic.get("keywords") or []]
        return f"{words[0].upper()} {words[0].upper()}!" if words else None


def test_a_labeler_object_or_registered_name(topic_log):
    from twitchtopics import ChatTopics, read_log

    log = read_log(topic_log)
    by_object = ChatTopics(HashingEmbedder(), labeler=ShoutLabeler())
    topics = by_object.fit(log).topic_list_
    assert all(t["label_source"] == "shout" for t in topics if t["keywords"])
    first = topics[0]["keywords"][0][0].upper()
    assert topics[0]["label"] == f"{first} {first}"  # cleaned: the "!" dropped
    with registry.labelers.temporarily("shout", ShoutLabeler):
        by_name = ChatTopics(HashingEmbedder(), labeler="shout").fit(log)
    assert [t["label"] for t in by_name.topic_list_] == [t["label"] for t in topics]
    assert by_name.meta_["params"]["labeler"] == "shout"
    with pytest.raises(OptionError, match="label"):
        ChatTopics(labeler=42)
