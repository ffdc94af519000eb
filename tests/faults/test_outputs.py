"""Chat text is untrusted: no formula reaches a spreadsheet, no control character or escape
sequence reaches a terminal (issue 16)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.bundle_factory import make_bundle, messages_frame, standard_rows, topics_list
from tests.faults.helpers import invoke, td_lines
from twitchtopics.safe_output import csv_cell, csv_text, sanitize_terminal, write_csv

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "=HYPERLINK(x)"]
CONTROL = [
    "ding\x07dong",
    "back\x08\x08\x08space",
    "\x1b[2J\x1b[31mred",
    "\x1b]0;title\x07x",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "nul\x00byte",
    "csi\x9b31mbyte",
    "bidi\u202eevil",
    "del\x7fete",
]


@pytest.mark.parametrize("payload", FORMULAS)
def test_formula_cells_are_neutralised(payload: str) -> None:
    assert csv_cell(payload) == "'" + payload
    text = csv_text([{"a": payload, "b": 1}], ["a", "b"])
    cell = next(csv.reader(io.StringIO(text.split("\n", 1)[1], newline="")))[0]
    assert cell.startswith("'")


@pytest.mark.parametrize("value", ["-1.5", "+3", "42", "hello", "", 7, -2.5, None])
def test_plain_values_are_left_alone(value) -> None:
    assert csv_cell(value) == value


def test_write_csv_is_escaped_and_atomic(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "out.csv", [{"text": "=cmd()", "n": 3}], ["text", "n"])
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows == [["text", "n"], ["'=cmd()", "3"]]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("payload", CONTROL)
def test_terminal_sanitiser_strips_controls_and_escapes(payload: str) -> None:
    clean = sanitize_terminal(payload)
    assert clean.isprintable()
    assert "\x1b" not in clean and "[2J" not in clean and "]0;" not in clean


def test_terminal_sanitiser_keeps_newlines_tabs_and_unicode() -> None:
    text = "ligne 1\n\tça va 😂 KEKW\n"
    assert sanitize_terminal(text) == text


def _hostile_bundle(folder: Path) -> Path:
    rows = standard_rows()
    hostile = FORMULAS + CONTROL
    rows = [
        (off, hostile[i % len(hostile)] if topic >= 0 else text, topic, kind, cen)
        for i, (off, text, topic, kind, cen) in enumerate(rows)
    ]
    return make_bundle(folder, "hostile", rows=rows)


def test_report_csv_escapes_every_chat_cell(tmp_path: Path) -> None:
    bundle = _hostile_bundle(tmp_path)
    result = invoke("report", str(bundle), "--csv", "--top", "20")
    assert result.exit_code == 0, result.output
    for row in csv.DictReader(io.StringIO(result.stdout)):
        for value in row.values():
            assert not (value or "").startswith(("=", "+", "@", "\t", "\r")), row
            assert not (value or "-1").startswith("-") or value.lstrip("-")[:1].isdigit(), row
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_report_text_and_json_carry_no_raw_controls(tmp_path: Path) -> None:
    bundle = _hostile_bundle(tmp_path)
    text = invoke("report", str(bundle), "--top", "20").stdout
    assert all(ch.isprintable() or ch in "\n\t" for ch in text)
    raw = invoke("report", str(bundle), "--json", "--top", "20").stdout
    assert all(ch.isprintable() or ch in "\n" for ch in raw.replace("  ", ""))
    json.loads(raw)  # still valid JSON, with the characters escaped


def test_cluster_and_inspect_print_no_controls(tmp_path, fake_embedder, monkeypatch) -> None:
    lines = td_lines(120)
    for i, payload in enumerate(c for c in CONTROL if "\x00" not in c):  # NUL = binary file
        lines[i * 10] = lines[i * 10].split(": ", 1)[0] + ": " + payload + " bonjour"
    log = tmp_path / "ctl.txt"
    log.write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    for args in (("cluster", str(log), "--quiet", "--no-cache"), ("inspect", str(log))):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert all(ch.isprintable() or ch in "\n\t" for ch in result.output), args


def test_error_lines_are_sanitised(tmp_path: Path) -> None:
    result = invoke("inspect", str(tmp_path / "evil\x1b[2Jname\x07.txt"))
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_bundle_factory_topics_still_match(tmp_path: Path) -> None:
    # guard for the hostile fixture above: every group has representatives to escape
    frame = messages_frame(standard_rows())
    assert all(t["representatives"] for t in topics_list(frame))
