"""The pages benchmark's machinery on tiny data: sign-in over HTTP, every page, the bare floor."""

from __future__ import annotations

import json

import requests

from bench.bare_wsgi import capture, serve_bare
from bench.http_pages import Client, landmarks, measure, pages, serve_app
from bench.pages_scaling import summary
from bench.seed import seed
from workflow.db import Database

ROUNDS = 2


def test_every_page_answers_through_gunicorn_and_the_bare_floor(
    database_url: str, database: Database
) -> None:
    """Both servers answer every page for each client; the floor replays the page's queries."""
    seed(database_url, 50, 4, aged=True)
    marks = landmarks(database_url)
    asked = pages(marks, deep_page=2)
    plans = capture(database_url, asked, marks)
    assert set(plans) == {page.path for page in asked}
    assert all(plans[page.path] for page in asked), "every page reads the database"
    with serve_app(database_url) as app, serve_bare(database_url, plans) as bare:
        clients = {
            "app small": (Client(app.base, marks), asked),
            "bare small": (Client(bare.base, marks, sign_in=False), asked),
        }
        found = measure(clients, ROUNDS, warmup=0)
        answer = requests.get(f"{bare.base}/dashboard", timeout=30)
        assert answer.status_code == 200
        assert json.loads(answer.content), "the rows of the dashboard's queries"
        assert requests.get(f"{bare.base}/nothing", timeout=30).status_code == 404
        stranger = requests.get(f"{app.base}/dashboard", allow_redirects=False, timeout=30)
        assert stranger.status_code == 302, "the real app signs in; the floor does not"
        for client, _ in clients.values():
            client.close()
    assert set(found) == {page.name for page in asked}
    for servers in found.values():
        assert all(len(samples.seconds) == ROUNDS for samples in servers.values())
        assert servers["app small"].size > 0
    table = summary(found)
    assert set(table["board"]) >= {"app_small_p50_ms", "app_small_p95_ms", "bare_small_p50_ms"}
