"""The HTML report in a real (headless) browser: the table renders, chat markup stays text."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from bundle_factory import make_bundle

from twitchtopics.bundle import load_bundle
from twitchtopics.report.html import write_html
from twitchtopics.report.window import window_report

pytestmark = pytest.mark.browser


def _chromium() -> str:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("chromium is not installed")


def _run(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    bundle = load_bundle(make_bundle(folder, title="<img src=x onerror=alert(2)>"))
    return write_html(bundle, window_report(bundle, "19:30-20:00"), folder / "stream.html")


def test_dom_renders_table_and_keeps_markup_as_text(page, tmp_path):
    result = _run(page, tmp_path / "profile", "--dump-dom")
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert '<table id="window-table">' in dom
    rows = re.findall(
        r"<tr>.*?</tr>", dom.split('<table id="window-table">', 1)[1].split("</table>", 1)[0]
    )
    assert len(rows) == 1 + 4  # header + the window's 4 groups
    assert "KEKW that was insane" in dom
    # the chat message and the title stay text: no element created from them
    assert "<script>alert(1)</script>" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "<img" not in dom and "&lt;img src=x onerror=alert(2)&gt;" in dom
    assert dom.count("<script") == 3  # only the page's own JSON blocks (timeline, emoji), script
    assert "<svg" in dom and 'class="cell"' in dom


def _has_emoji_font() -> bool:
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    return "emoji" in fonts.lower()


def test_emoji_without_a_font_are_named_not_boxes(tmp_path):
    if shutil.which("fc-list") is None or _has_emoji_font():
        pytest.skip("needs a machine without an emoji font (fc-list tells)")
    bundle = load_bundle(make_bundle(tmp_path, title="Speedrun night 🤔"))
    page = write_html(bundle, window_report(bundle, "19:30-20:00"), tmp_path / "e.html")
    dom = _run(page, tmp_path / "profile", "--dump-dom").stdout
    shown = re.sub(r"<script.*?</script>", "", dom, flags=re.S)
    assert "Speedrun night :thinking face:" in shown
    assert "🤔" not in shown


def test_screenshot(page, tmp_path):
    shot = tmp_path / "shot.png"
    result = _run(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,1000")
    assert shot.is_file(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 1000)
    assert len(data) > 20_000  # not a blank page


def test_tooltip_shows_keywords_and_messages_as_text(page, tmp_path):
    """Hover a cell of the markup message's group: the tooltip gets keywords and messages."""
    hook = (
        "<script>(function(){var el=document.querySelector('rect.cell[data-g=\"4\"]');"
        "var r=el.getBoundingClientRect();el.dispatchEvent(new MouseEvent('mousemove',"
        "{bubbles:true,clientX:r.left+1,clientY:r.top+1}));})();</script></body>"
    )
    hovered = tmp_path / "hover.html"
    hovered.write_text(page.read_text(encoding="utf-8").replace("</body>", hook), encoding="utf-8")
    dom = _run(hovered, tmp_path / "profile", "--dump-dom").stdout
    tip = re.search(r'<div id="tip"[^>]*>(.*?)</div></div>', dom, re.S)
    assert tip is not None, dom[-3000:]
    assert "hidden" not in dom.split('<div id="tip"', 1)[1].split(">", 1)[0]
    assert "boss / fight / insane" in tip.group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tip.group(1)
    assert "<script>alert(1)</script>" not in dom
