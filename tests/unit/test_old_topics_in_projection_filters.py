"""Projections filter stored topics in SQL: a projection must ask for every topic under which an event
it handles is stored, old topics included, in a fresh interpreter too (where nothing has resolved an
old topic yet). Checked against the fixture store written by the first batch's code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STORE = Path(__file__).resolve().parents[1] / "fixtures" / "store_v1.db"
CHECK = """
import sqlite3, sys
from eventsourcing.utils import resolve_topic
from projections.registry import all_projections

stored = [t for (t,) in sqlite3.connect(sys.argv[1]).execute("SELECT DISTINCT topic FROM stored_events")]
missing = []
for projection in all_projections():
    handled = tuple(projection.handlers)
    for topic in stored:
        if issubclass(resolve_topic(topic), handled) and topic not in projection.topics:
            missing.append(f"{projection.name}: {topic}")
print("\\n".join(missing) or "ok")
"""


def test_every_stored_topic_a_projection_handles_is_in_its_filter():
    # given a fresh interpreter and the old store's topics, when the projections are built,
    # then each one asks for every stored topic of the events it handles
    done = subprocess.run([sys.executable, "-c", CHECK, str(STORE)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok", done.stdout
