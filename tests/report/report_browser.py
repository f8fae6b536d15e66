"""Headless Chromium as the report tests run it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def headless(chromium: str, profile: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run headless Chromium with no network chatter, a throw-away profile, no sandbox (root in CI)."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
