import json

import pytest
from click.testing import CliRunner

from twitchtopics import __version__
from twitchtopics.cli import cli


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and command in result.output


def test_main_help_lists_commands():
    result = invoke("--help")
    for name in ("cluster", "report", "inspect", "formats"):
        assert name in result.output


def test_cluster_prints_the_seed_layout(fake_embedder, topic_log, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "cluster", str(topic_log), "--no-cache", "--min-cluster-size", "10", "--top", "3"
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "#0 \u201c" in out  # each group led by its label (under its theme's heading)
    assert "keywords: " in out and "silhouette moyenne" not in out
    assert "messages read" in out and "clustered" in out and "groups" in out
    assert (tmp_path / "stream.twitchtopics" / "messages.parquet").exists()
    assert "reduce" not in out  # progress goes to stderr


def test_cluster_json(fake_embedder, topic_log, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("cluster", str(topic_log), "--no-cache", "--json", "--quiet", "--top", "2")
    data = json.loads(result.stdout)
    assert data["summary"]["read"] == len(topic_log.read_text().splitlines())
    assert all(len(g["messages"]) <= 2 for g in data["groups"])
    assert data["groups"][0]["keywords"]


def test_cluster_out_and_several_logs(fake_embedder, topic_log, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(topic_log.read_text())
    result = invoke(
        "cluster",
        str(topic_log),
        str(other),
        "--no-cache",
        "-q",
        "--jobs",
        "2",
        "--out",
        str(tmp_path / "res"),
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "res" / "stream.twitchtopics").is_dir()
    assert (tmp_path / "res" / "other.twitchtopics").is_dir()
    for name in ("stream", "other"):  # the registered fake reached the worker processes
        meta = json.loads((tmp_path / "res" / f"{name}.twitchtopics" / "meta.json").read_text())
        assert meta["model"] == "test-hashing-trigrams"


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.txt"], "no such file"),
        (["."], "directory"),
        (["LOG", "--time-scale", "soon"], "Invalid value"),
        (["LOG", "--min-cluster-size", "0"], "Invalid value"),
        (["LOG", "--columns", "when"], "Invalid value"),
        (["LOG", "--include", "ghosts"], "Invalid value"),
    ],
)
def test_cluster_bad_input_is_one_line(args, message, topic_log, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [str(topic_log) if a == "LOG" else a for a in args]
    result = CliRunner().invoke(cli, ["cluster", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_cluster_empty_and_unparsable_logs(tmp_path, monkeypatch, fake_embedder):
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not\na chat log\n")
    for path in (empty, garbage):
        result = CliRunner().invoke(cli, ["cluster", str(path), "--quiet"])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith("Error:")
        assert len(result.stderr.strip().splitlines()) == 1


def test_inspect_and_formats(topic_log):
    result = invoke("inspect", str(topic_log))
    assert result.exit_code == 0
    assert "twitchdownloader-text" in result.output
    data = json.loads(invoke("inspect", str(topic_log), "--json").output)
    assert data["format"] == "twitchdownloader-text"
    formats = invoke("formats")
    for name in ("twitchdownloader-json", "twitch-gql", "chatty", "irc", "csv", "parquet"):
        assert name in formats.output
    assert {row["name"] for row in json.loads(invoke("formats", "--json").output)} >= {"tcd-irc"}


def test_inspect_bad_input(tmp_path):
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / "nope.log")])
    assert result.exit_code == 1 and "Error:" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_cluster_real_logs_of_each_issue_format(tmp_path, monkeypatch):
    """The three formats of the cluster issue, on real logs: the smallest with the real
    (default) model, the two larger with the static one (the real model on their 8k messages
    took 90 s of the suite's time; the formats are what is tested here)."""
    from tests.conftest import chatlog
    from twitchtopics.bundle import load_bundle

    monkeypatch.chdir(tmp_path)
    names = {
        "fr_csv_samueletienne.csv": (353, []),
        "fr_twitchdownloader_relative_chat.txt": (4819, ["--model", "static"]),
        "en_twitch_api_v5_1087079172.json": (3090, ["--model", "static"]),
    }
    for name, (count, model) in names.items():
        path = chatlog(name)
        result = invoke("cluster", str(path), "--quiet", "--top", "2", *model)
        assert result.exit_code == 0, result.output
        assert "#0 \u201c" in result.stdout and "keywords: " in result.stdout
        bundle = load_bundle(tmp_path / (path.name.rsplit(".", 1)[0] + ".twitchtopics"))
        assert len(bundle.messages) == count


def test_closed_stdout_pipe_stops_quietly(monkeypatch):
    """`twitchtopics ... | head`: a reader that goes away ends the command quietly, exit 0."""
    import click

    from twitchtopics.cli import _common

    monkeypatch.setattr(_common, "_silence", lambda stream: None)

    @_common.one_line_errors
    def printing_into_a_closed_pipe():
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(click.exceptions.Exit) as stopped:
        printing_into_a_closed_pipe()
    assert stopped.value.exit_code == 0


def test_echo_into_a_closed_pipe_lets_the_command_go_on(monkeypatch):
    """`report ... --html F 2>&1 | head`: printing into the closed pipe must not stop the
    command before it writes its files."""
    import click

    from twitchtopics.cli import _common

    silenced = []
    monkeypatch.setattr(_common, "_silence", silenced.append)

    def closed_pipe(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(click, "echo", closed_pipe)
    _common.echo("wrote page.html", err=True)
    assert len(silenced) == 1
