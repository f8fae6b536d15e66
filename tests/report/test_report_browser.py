"""The report as a person sees it: drawn by a real headless Chromium, every state on screen."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from report_browser import headless

# Injected into a copy of the page: after the browser has laid it out, measure every state's box.
PROBE = """
<script>
const svg = document.querySelector("svg.sfn-graph");
const frame = svg.getBoundingClientRect();
const states = [...svg.querySelectorAll("[data-state]")].map(g => {
  const box = g.getBoundingClientRect(), style = getComputedStyle(g);
  const shape = g.querySelector(":scope > rect, :scope > polygon, :scope > ellipse");
  return {name: g.dataset.state, w: box.width, h: box.height,
          inside: box.left >= frame.left - 1 && box.right <= frame.right + 1 &&
                  box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1,
          shown: style.display !== "none" && style.visibility !== "hidden" && style.opacity !== "0",
          fill: shape ? getComputedStyle(shape).fill : null,
          text: g.textContent.trim().length > 0};
});
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify({svg: [frame.width, frame.height], states,
  timelineRows: document.querySelectorAll("svg.sfn-timeline g.row").length,
  bestTrials: document.querySelectorAll("svg.sfn-tuning g.trial.best").length});
document.body.appendChild(out);
</script>
"""


def probe(chromium: str, page: Path, tmp_path: Path) -> dict:
    probed = page.with_name("probed.html")
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    done = headless(chromium, tmp_path / "profile", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"chromium printed no probe result: {done.stderr[-2000:]}"
    return json.loads(html.unescape(found[1]))


def state_names(scope: dict) -> set[str]:
    names = set(scope["States"])
    for state in scope["States"].values():
        for branch in state.get("Branches", []):
            names |= state_names(branch)
        if "ItemProcessor" in state:
            names |= state_names(state["ItemProcessor"])
    return names


def test_chromium_draws_every_state_of_the_tune_xgboost_report(chromium, tune_run: Path, tmp_path: Path):
    result = probe(chromium, tune_run / "report.html", tmp_path)
    definition = json.loads((tune_run / "definition.json").read_text())
    assert result["svg"][0] > 300 and result["svg"][1] > 300
    assert {s["name"] for s in result["states"]} == state_names(definition)
    for state in result["states"]:
        assert state["w"] > 40 and state["h"] > 20, state
        assert state["inside"] and state["shown"] and state["text"], state
    fills = {s["name"]: s["fill"] for s in result["states"]}
    assert fills["TuneHyperparameters"] == "rgb(223, 245, 225)"        # succeeded: green
    assert fills["Failed: TuneHyperparameters"] == "rgb(245, 245, 245)"  # not reached: grey
    assert result["timelineRows"] >= 4 + 2 + 4      # states, jobs, trials
    assert result["bestTrials"] == 1


def test_screenshot_is_drawn(chromium, tune_run: Path, tmp_path: Path):
    shot = tmp_path / "report.png"
    done = headless(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1600",
                    "--hide-scrollbars", (tune_run / "report.html").as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000    # a blank 1200x1600 page compresses to a few kB
