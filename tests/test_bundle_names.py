"""Several logs never share a bundle: same file names in different folders, in `cluster`."""

import numpy as np
from click.testing import CliRunner

from tests.conftest import write_topic_log
from twitchtopics.bundle import bundle_paths_for, load_bundle
from twitchtopics.centroids import CENTROIDS_FILE, load_centroids
from twitchtopics.cli import cli


def names(paths):
    return [p.name for p in paths]


def test_unique_names_keep_the_plain_name():
    assert names(bundle_paths_for(["a/x.txt", "b/y.json.gz"])) == [
        "x.twitchtopics",
        "y.twitchtopics",
    ]


def test_same_name_in_different_folders_gets_its_folder():
    got = names(bundle_paths_for(["d1/x.txt", "d2/x.txt", "y.txt"], "out"))
    assert got == ["d1-x.twitchtopics", "d2-x.twitchtopics", "y.twitchtopics"]


def test_twitch_archiver_folders():
    logs = [f"archive/{vod}/verbose_chat.json.gz" for vod in ("111", "222", "333")]
    assert names(bundle_paths_for(logs)) == [
        "111-verbose_chat.twitchtopics",
        "222-verbose_chat.twitchtopics",
        "333-verbose_chat.twitchtopics",
    ]


def test_same_folder_different_extensions_and_deep_clashes():
    got = bundle_paths_for(["a/x.txt", "a/x.json", "b/a/x.txt", "c/a/x.txt"])
    assert len(set(got)) == 4


def test_names_do_not_depend_on_order_and_repeat_for_the_same_file(tmp_path):
    logs = ["d2/x.txt", "d1/x.txt", "z/x.txt"]
    forward = dict(zip(logs, bundle_paths_for(logs), strict=True))
    backward = dict(zip(logs[::-1], bundle_paths_for(logs[::-1]), strict=True))
    assert forward == backward
    twice = bundle_paths_for(["d1/x.txt", "./d1/x.txt"])
    assert twice[0] == twice[1]


def test_cluster_same_file_names_in_two_folders_keeps_both(fake_embedder, tmp_path, monkeypatch):
    (tmp_path / "d1").mkdir()
    (tmp_path / "d2").mkdir()
    first = write_topic_log(tmp_path / "d1" / "x.txt")
    second = write_topic_log(tmp_path / "d2" / "x.txt", minutes=90)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["cluster", "d1/x.txt", "d2/x.txt", "--no-cache", "-q", "--jobs", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    bundles = sorted(p.name for p in tmp_path.glob("*.twitchtopics"))
    assert bundles == ["d1-x.twitchtopics", "d2-x.twitchtopics"]
    for name, log in (("d1-x", first), ("d2-x", second)):
        bundle = load_bundle(tmp_path / f"{name}.twitchtopics")
        assert bundle.meta["input"]["path"].endswith(str(log.relative_to(tmp_path)))
        centroids = load_centroids(bundle.path)
        assert centroids is not None and centroids.dtype == np.float16
        assert centroids.shape[0] == len(bundle.topics)
        assert (bundle.path / CENTROIDS_FILE).is_file()
