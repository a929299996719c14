"""The API's idea JSON carries the columns of the table row the idea was read from."""

from __future__ import annotations

import io
from collections.abc import Callable

from tests.api.conftest import Api
from tests.importer.structured import Grid, Heading, as_odt
from workflow.permissions import Actor


def test_an_imported_ideas_table_columns_are_in_its_meeting_notes(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    minutes = as_odt(
        [
            Heading("Borgermøde om stierne"),
            Grid(
                ("Tiltag", "Gruppe", "Næste skridt"),
                (("Cykelsti langs åen", "2", "Møde i marts"), ("Natbus", "", "")),
            ),
        ]
    )
    created = api.post(
        "/imports",
        owner,
        data={"file": (io.BytesIO(minutes), "stier.odt")},
        content_type="multipart/form-data",
    )
    assert created.status_code == 201, created.get_json()
    first, second = created.get_json()["ideas"]
    idea = api.get(f"/ideas/{first['id']}", owner).get_json()
    assert idea["meeting"]["notes"] == [
        {"column": "Gruppe", "value": "2"},
        {"column": "Næste skridt", "value": "Møde i marts"},
    ]
    assert api.get(f"/ideas/{second['id']}", owner).get_json()["meeting"]["notes"] == []
    listed = api.get("/ideas", owner).get_json()["items"]
    assert {item["title"]: item["meeting"]["notes"] for item in listed}["Natbus"] == []
