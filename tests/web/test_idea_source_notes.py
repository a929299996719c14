"""An idea read from a table of proposals shows the row's other columns on its page."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from tests.importer.structured import Grid, Heading, as_docx, as_odt
from tests.web.conftest import Web
from workflow.models import Idea
from workflow.permissions import Actor
from workflow.services import imports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
XSS = "<script>alert(1)</script>"
MINUTES = [
    Heading("Borgermøde om stierne"),
    Grid(
        ("Forslag", "Gruppe", f"Næste skridt {XSS}", "Bemærkning"),
        (("Cykelsti langs åen", "Gruppe 2", f"Møde i marts {XSS}", ""), ("Natbus", "", "", "")),
    ),
]


def idea_id(uow: UowFactory, title: str) -> int:
    with uow() as unit:
        found = unit.session.scalar(select(Idea.id).where(Idea.title == title))
    assert found is not None
    return found


def test_the_table_columns_show_on_the_idea_page_escaped(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    with uow() as unit:
        imports.import_minutes(unit, None, "stier.docx", as_docx(MINUTES))
    web.login(make_user("viewer"))
    page = web.text(f"/ideas/{idea_id(uow, 'Cykelsti langs åen')}")
    assert "From the minutes&#39; table" in page or "From the minutes' table" in page
    assert "<dt>Gruppe</dt><dd>Gruppe 2</dd>" in page
    assert "<dt>Næste skridt &lt;script&gt;alert(1)&lt;/script&gt;</dt>" in page
    assert "<dd>Møde i marts &lt;script&gt;alert(1)&lt;/script&gt;</dd>" in page
    assert XSS not in page
    assert "Bemærkning" not in page  # an empty column is no note
    plain = web.text(f"/ideas/{idea_id(uow, 'Natbus')}")
    assert "the minutes&#39; table" not in plain and "the minutes' table" not in plain


def test_the_label_is_danish_by_default(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    with uow() as unit:
        imports.import_minutes(unit, None, "stier.odt", as_odt(MINUTES))
    web.login(make_user("viewer"))
    page = web.get(
        f"/ideas/{idea_id(uow, 'Cykelsti langs åen')}", headers={"Accept-Language": "da"}
    ).get_data(as_text=True)
    assert "Fra referatets tabel" in page
    assert "<dt>Gruppe</dt><dd>Gruppe 2</dd>" in page
