"""The container image builds and runs Loa as a non-root user (skipped without a docker daemon)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _docker_works() -> bool:
    """Tell whether a docker command exists and its daemon answers."""
    if shutil.which("docker") is None:
        return False
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return False
    return info.returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not _docker_works(), reason="docker is not available (no command or daemon)"
    ),
]


def _docker(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], input=stdin, capture_output=True, text=True, timeout=1800, check=False
    )


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """Build the image from the checkout; remove it afterwards."""
    base = "python:3.11-slim"
    if _docker("image", "inspect", base).returncode != 0 and _docker("pull", base).returncode:
        pytest.skip(f"the base image {base} is neither here nor reachable (no registry access)")
    tag = f"loa-test:{uuid.uuid4().hex[:8]}"
    built = _docker("build", "--tag", tag, str(ROOT))
    assert built.returncode == 0, built.stderr[-3000:]
    yield tag
    _docker("image", "rm", "--force", tag)


def test_the_image_runs_loa_as_a_user_with_its_data_in_a_volume(image: str) -> None:
    config = json.loads(_docker("image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == "loa"
    assert "/data" in config["Volumes"]
    assert config["Cmd"] == ["loa", "run"]
    assert "/healthz" in " ".join(config["Healthcheck"]["Test"])
    uid = _docker("run", "--rm", image, "id", "-u")
    assert uid.returncode == 0
    assert uid.stdout.strip() != "0"


def test_the_image_chats_offline(image: str) -> None:
    chat = _docker(
        "run", "--rm", "-i", image, "loa", "demo", "--db", "/data/demo.db", stdin="/start\n"
    )
    assert chat.returncode == 0, chat.stderr
    assert "Xin chào" in chat.stdout


def test_loa_run_without_a_token_stops_with_one_line(image: str) -> None:
    run = _docker("run", "--rm", image)
    assert run.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in run.stderr.strip().splitlines()[-1]
