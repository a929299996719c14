"""The idea pages: board, lists, CSV, one idea, new/edit, gate forms, comments and followers."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.importer import documents
from tests.web.conftest import Web
from web.views import ideas as idea_views
from workflow.clock import local_today
from workflow.permissions import Actor
from workflow.repositories import ideas as idea_repository
from workflow.services import collaboration, ideas, imports, transitions, users
from workflow.states import TRIGGERS_BY_NAME
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
XSS = "<script>alert(1)</script>"


def new_idea(uow: UowFactory, actor: Actor, **fields: object) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": "Sociale partnerskaber", **fields}).id


def test_the_board_counts_every_column_and_links_to_the_list(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    first = new_idea(uow, manager, title="Cykelbus")
    new_idea(uow, manager, title="Natbus")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, first, "reject", reason="Ingen midler")
    web.login(manager)
    page = web.text("/board")
    assert 'id="col-proposed"' in page and "Natbus" in page and "Cykelbus" in page
    assert '<span class="count">1</span>' in page
    assert "/ideas?state=rejected" in page
    pipeline, exits = page.split('<details class="board__exits">')
    for state in ("proposed", "assessed", "piloted", "scaled"):  # side by side, always shown
        assert f'id="col-{state}"' in pipeline
    for state in ("rejected", "parked", "merged"):  # the side exits fold away below
        assert f'id="col-{state}"' in exits and f'id="col-{state}"' not in pipeline
    assert "Side exits: Rejected 1 · Parked 0 · Merged 0</summary>" in exits


def test_owners_land_on_their_ideas_first_due_first_and_may_open_the_board(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    today = local_today()
    new_idea(uow, owner, title="Senere", follow_up_on=(today + timedelta(days=9)).isoformat())
    new_idea(uow, owner, title="Forfalden", follow_up_on=(today - timedelta(days=2)).isoformat())
    web.login(owner)
    page = web.text("/my")
    assert page.index("Forfalden") < page.index("Senere")
    assert "overdue" in page
    assert 'href="/board"' in page  # the board is everybody's overview; managers land on it
    assert web.get("/").headers["Location"] == "/my"
    assert web.get("/board").status_code == 200


def test_titles_are_escaped_everywhere(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager", name=XSS)
    idea_id = new_idea(uow, manager, title=XSS, description=XSS, themes=[XSS], owner=manager.email,
                       follow_up_on="2020-01-01")  # fmt: skip
    with uow() as unit:
        collaboration.add_comment(unit, manager, idea_id, XSS)
        collaboration.add_follower(unit, manager, idea_id, name=XSS, email=None, organisation=XSS)
    web.login(manager)
    for path in ("/board", "/my", "/ideas", f"/ideas/{idea_id}", f"/ideas/{idea_id}/edit",
                 f"/ideas/{idea_id}/transitions/assess", "/dashboard",
                 f"/ideas?q={XSS}"):  # fmt: skip
        page = web.text(path)
        assert XSS not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_the_list_filters_sorts_and_pages(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager, owner = make_user("manager"), make_user("owner")
    for number in range(30):
        new_idea(uow, manager, title=f"Idé nummer {number:02d}")
    new_idea(uow, manager, title="Øget samarbejde", owner=owner.email, themes=["Unge"])
    web.login(manager)
    first = web.text("/ideas")
    assert "31 ideas" in first and "Page 1 of 2" in first
    assert "Øget samarbejde" in web.text("/ideas?q=%C3%98GET")
    mine = web.text(f"/ideas?owner={owner.email}")
    assert "Idé nummer" not in mine
    assert f"/ideas?owner={owner.email}" in mine.replace("%40", "@")  # links to their ideas
    assert "Øget samarbejde" not in web.text("/ideas?owner=none&sort=title")
    titled = web.text("/ideas?sort=title")
    assert titled.index("Idé nummer 00") < titled.index("Idé nummer 01")
    bad = web.get("/ideas?state=nonsense")
    assert bad.status_code == 422 and "not understood" in bad.get_data(as_text=True)


def test_the_owner_filter_lists_the_first_owners_and_the_chosen_one(
    web: Web, make_user: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idea_views, "OWNER_CHOICES", 1)
    manager = make_user("manager", "a@randers.dk", "Anna")
    make_user("owner", "b@randers.dk", "Bo")
    make_user("owner", "c@randers.dk", "Carl")
    web.login(manager)
    listed = web.text("/ideas")
    assert 'value="a@randers.dk"' in listed and 'value="c@randers.dk"' not in listed
    chosen = web.text("/ideas?owner=C@randers.dk")
    assert 'value="c@randers.dk"' in chosen and 'value="b@randers.dk"' not in chosen


def test_a_search_counted_up_to_its_limit_says_more_and_pages_on(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idea_repository, "COUNTED_AT_MOST", 30)
    manager = make_user("manager")
    for number in range(60):
        new_idea(uow, manager, title=f"Idé nummer {number:02d}")
    web.login(manager)
    first = web.text("/ideas?q=nummer")
    assert "More than 1,000 ideas" in first and "Page 1" in first and "Page 1 of" not in first
    assert 'rel="next"' in first
    second = web.text("/ideas?q=nummer&page=2")  # the 26th to 50th newest: 30 counted
    assert "Idé nummer 10" in second and 'rel="next"' in second
    last = web.text("/ideas?q=nummer&page=3")
    assert "Idé nummer 00" in last and 'rel="next"' not in last
    exact = web.text("/ideas")  # no search: the kept count, exact
    assert "60 ideas" in exact and "Page 1 of 3" in exact


def test_csv_export_is_utf8_with_bom_and_holds_the_filtered_set(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    new_idea(uow, manager, title="Æblehaver i Ålborg", description="Første linje\nanden linje")
    new_idea(uow, manager, title="Noget andet")
    web.login(manager)
    response = web.get("/ideas.csv?q=%C3%A6blehaver")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Id", "Title", "State"]
    assert [row[1] for row in rows[1:]] == ["Æblehaver i Ålborg"]
    assert rows[1][-1] == "Første linje\nanden linje"


def test_the_idea_page_shows_provenance_records_timeline_and_allowed_steps(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, other = make_user("owner"), make_user("owner")
    idea_id = new_idea(uow, owner)
    with uow() as unit:
        transitions.fire_trigger(
            unit, owner, idea_id, "assess",
            data={"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende"},
        )  # fmt: skip
    web.login(owner)
    page = web.text(f"/ideas/{idea_id}")
    assert "Lovende" in page and "4 / 5" in page
    assert f"/ideas/{idea_id}/transitions/start_pilot" in page
    assert f"/ideas/{idea_id}/transitions/merge" not in page  # owners do not merge
    assert "Recorded directly in ideaflow." in page
    other_web = Web(web.client.application.test_client())
    other_web.login(other)
    assert f"/ideas/{idea_id}/transitions/start_pilot" not in other_web.text(f"/ideas/{idea_id}")


def test_gate_forms_have_exactly_the_fields_of_the_transition_table(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    web.login(manager)
    page = web.text(f"/ideas/{idea_id}/transitions/assess")
    for name in ("data-impact", "data-feasibility", "data-cost", "data-summary"):
        assert f'name="{name}"' in page
    assert 'name="data-owner"' not in page
    park = web.text(f"/ideas/{idea_id}/transitions/park")
    assert 'name="reason"' in park and 'name="data-revisit_on"' in park and 'type="date"' in park


def test_a_gate_form_with_missing_fields_says_so_next_to_each_field(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    web.login(manager)
    response = web.post(
        f"/ideas/{idea_id}/transitions/assess",
        {"data-impact": "4", "data-summary": "", "expected_version": "1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert 'id="data-summary-error"' in page and 'aria-invalid="true"' in page
    assert 'value="4" checked' in page  # what was chosen is kept
    with uow() as unit:
        assert ideas.get_idea(unit, manager, idea_id).state == "proposed"


def test_firing_through_the_forms_walks_an_idea_to_scaled(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner", name="Ole Berg")
    idea_id = new_idea(uow, owner)
    web.login(owner)
    steps = [
        ("assess", {"data-impact": "5", "data-feasibility": "4", "data-cost": "2",
                    "data-summary": "Stærk"}),
        ("start_pilot", {"data-starts_on": "2026-01-01", "data-ends_on": "2026-06-30",
                         "data-success_criteria": "30 familier", "data-budget_dkk": "125.000,50"}),
        ("scale", {"data-outcome": "success", "data-evaluation": "Godt",
                   "data-scale_to": "Langå\nAssentoft\n"}),
    ]  # fmt: skip
    for version, (trigger, form) in enumerate(steps, start=1):
        response = web.post(
            f"/ideas/{idea_id}/transitions/{trigger}", {**form, "expected_version": str(version)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with uow() as unit:
        idea = ideas.get_idea(unit, owner, idea_id)
    assert idea.state == "scaled"
    assert idea.pilot_plan is not None and str(idea.pilot_plan["budget_dkk"]) == "125000.50"
    assert idea.evaluation is not None and idea.evaluation["scale_to"] == ["Langå", "Assentoft"]
    page = web.text(f"/ideas/{idea_id}")
    assert page.count('class="timeline__when"') == 4  # recorded + three steps
    assert page.count("by Ole Berg") == 3  # who took each step, by name


def test_a_pilot_that_has_not_started_is_scaled_only_by_a_manager_with_a_reason(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, manager = make_user("owner"), make_user("manager")
    idea_id = new_idea(uow, owner)
    starts = local_today() + timedelta(days=30)
    with uow() as unit:
        assess = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende"}
        transitions.fire_trigger(unit, owner, idea_id, "assess", data=assess)
        ends = starts + timedelta(days=90)
        plan = {"starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
                "success_criteria": "30 familier"}  # fmt: skip
        transitions.fire_trigger(unit, owner, idea_id, "start_pilot", data=plan)
    scale = {"data-outcome": "success", "data-evaluation": "Godt", "data-scale_to": "Langå",
             "expected_version": "3"}  # fmt: skip
    web.login(owner)
    refused = web.post(f"/ideas/{idea_id}/transitions/scale", {**scale, "reason": "Nu"})
    assert refused.status_code == 422
    assert "The pilot has not started yet" in refused.get_data(as_text=True)

    web.post("/logout")
    web.login(manager)
    silent = web.post(f"/ideas/{idea_id}/transitions/scale", scale)
    assert silent.status_code == 422
    early = web.post(f"/ideas/{idea_id}/transitions/scale",
                          {**scale, "reason": "Byrådet vil udrulle nu"})  # fmt: skip
    assert early.status_code == 302, early.get_data(as_text=True)[:2000]


def test_a_stale_gate_form_reports_the_concurrent_change(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    with uow() as unit:
        ideas.update_idea(unit, manager, idea_id, {"title": "Nyt navn"})  # version 2
    web.login(manager)
    response = web.post(
        f"/ideas/{idea_id}/transitions/reject", {"reason": "Nej", "expected_version": "1"}
    )
    assert response.status_code == 409
    assert "Someone else changed this idea" in response.get_data(as_text=True)
    with uow() as unit:
        assert ideas.get_idea(unit, manager, idea_id).state == "proposed"


def test_gate_forms_are_authorised_on_the_idea_itself(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, other, viewer, manager = (make_user(r) for r in ("owner", "owner", "viewer", "manager"))
    idea_id = new_idea(uow, owner)
    for actor in (other, viewer):
        browser = Web(web.client.application.test_client())
        browser.login(actor)
        assert browser.get(f"/ideas/{idea_id}/transitions/assess").status_code == 403
        assert (
            browser.post(
                f"/ideas/{idea_id}/transitions/reject", {"reason": "x", "expected_version": "1"}
            ).status_code
            == 403
        )
        assert browser.get(f"/ideas/{idea_id}/edit").status_code == 403
    web.login(owner)
    assert web.get(f"/ideas/{idea_id}/transitions/merge").status_code == 403
    assert web.get(f"/ideas/{idea_id}/transitions/scale").status_code == 409
    assert web.get(f"/ideas/{idea_id}/transitions/fly").status_code == 404
    assert web.get("/ideas/999999/transitions/assess").status_code == 404
    boss = Web(web.client.application.test_client())
    boss.login(manager)
    assert boss.get(f"/ideas/{idea_id}/transitions/merge").status_code == 200


def test_new_and_edit(web: Web, uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    manager, owner = make_user("manager"), make_user("owner")
    web.login(manager)
    missing = web.post("/ideas/new", {"title": "", "description": "x"})
    assert missing.status_code == 422 and 'id="title-error"' in missing.get_data(as_text=True)
    created = web.post("/ideas/new", {"title": "Natbus", "themes": "Unge\nTrafik"})
    assert created.status_code == 302
    idea_id = int(created.headers["Location"].rsplit("/", 1)[1])
    edited = web.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Natbus til Langå", "owner": owner.email, "themes": "Trafik",
         "follow_up_on": "2027-02-01", "expected_version": "1"},
    )  # fmt: skip
    assert edited.status_code == 302
    with uow() as unit:
        idea = ideas.get_idea(unit, manager, idea_id)
    assert (idea.title, idea.owner, idea.themes) == ("Natbus til Langå", owner.email, ("Trafik",))
    stale = web.post(f"/ideas/{idea_id}/edit", {"title": "X", "expected_version": "1"})
    assert stale.status_code == 409
    assert "Someone else changed this idea" in stale.get_data(as_text=True)


def test_owners_edit_their_own_ideas_but_cannot_hand_them_over(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, other = make_user("owner"), make_user("owner")
    idea_id = new_idea(uow, owner)
    web.login(owner)
    form = web.text(f"/ideas/{idea_id}/edit")
    assert 'name="owner"' not in form
    web.post(f"/ideas/{idea_id}/edit", {"title": "Mit", "owner": other.email,
                                        "expected_version": "1"})  # fmt: skip
    with uow() as unit:
        assert ideas.get_idea(unit, owner, idea_id).owner == owner.email


def test_comments_and_followers(web: Web, uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    owner, viewer = make_user("owner"), make_user("viewer")
    idea_id = new_idea(uow, owner)
    web.login(owner)
    web.post(f"/ideas/{idea_id}/comments", {"body": "Ring til skolen"})
    web.post(
        f"/ideas/{idea_id}/followers",
        {"name": "Anne Sørensen", "email": "anne@langaa.dk", "organisation": "Borgerforening"},
    )
    page = web.text(f"/ideas/{idea_id}")
    assert "Ring til skolen" in page and "Anne Sørensen" in page and "anne@langaa.dk" in page
    bad = web.post(f"/ideas/{idea_id}/followers", {"name": "", "email": "not-an-email"})
    assert bad.status_code == 302
    reader = Web(web.client.application.test_client())
    reader.login(viewer)
    assert reader.post(f"/ideas/{idea_id}/comments", {"body": "Hej"}).status_code == 403
    assert reader.post(f"/ideas/{idea_id}/followers", {"name": "X"}).status_code == 403
    assert "Ring til skolen" in reader.text(f"/ideas/{idea_id}")


def test_follower_addresses_are_for_managers_admins_and_the_ideas_owner(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea_id = new_idea(uow, owner)
    with uow() as unit:
        unit_owner = unit.users.by_email(owner.email)
        assert unit_owner is not None
        ideas.update_idea(unit, make_user("manager"), idea_id, {"owner": owner.email})
    with uow() as unit:
        collaboration.add_follower(unit, owner, idea_id, name="Anne Sørensen", email="anne@x.dk")
    for role, sees in (("viewer", False), ("owner", False), ("manager", True), ("admin", True)):
        reader = Web(web.client.application.test_client())
        reader.login(make_user(role))
        page = reader.text(f"/ideas/{idea_id}")
        assert "Anne Sørensen" in page
        assert ("anne@x.dk" in page) is sees, role
    reader = Web(web.client.application.test_client())
    reader.login(owner)
    assert "anne@x.dk" in reader.text(f"/ideas/{idea_id}")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_never_cached(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    hostile = ['=HYPERLINK("http://evil")', "+1+2", "-3-4", "@SUM(A1)", "\t=1", "\r=2", "ok=1"]
    for title in hostile:
        new_idea(uow, manager, title=title, description="=cmd|' /C calc'!A0")
    web.login(make_user("viewer"))
    response = web.get("/ideas.csv")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    titles = sorted(row[1] for row in rows[1:])
    # titles are stored stripped ("\t=1" becomes "=1"), which neutralises to "'=1"
    expected = [title.strip() for title in hostile]
    assert titles == sorted(f"'{title}" if title != "ok=1" else title for title in expected)
    assert {row[-1] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}


def test_merging_into_a_merged_idea_says_so_at_the_field_with_409(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    first, second, third = (new_idea(uow, manager, title=t) for t in ("A", "B", "C"))
    with uow() as unit:
        transitions.fire_trigger(unit, manager, first, "merge", data={"into": second})
    web.login(manager)
    response = web.post(f"/ideas/{third}/transitions/merge", {"data-into": str(first)})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "That idea is itself merged" in page and 'aria-invalid="true"' in page


def test_a_past_follow_up_is_marked_overdue_only_while_the_idea_is_open(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    past = (local_today() - timedelta(days=2)).isoformat()
    idea_id = new_idea(uow, manager, title="Forfalden", follow_up_on=past)
    web.login(manager)
    assert 'class="overdue"' in web.text(f"/ideas/{idea_id}")
    assert 'class="overdue"' in web.text("/ideas?q=Forfalden")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "reject", reason="Ingen midler")
    assert 'class="overdue"' not in web.text(f"/ideas/{idea_id}")
    assert 'class="overdue"' not in web.text("/ideas?q=Forfalden")


def test_an_edit_shows_in_the_timeline_and_the_api_history(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager", name="Mette Holm")
    ole = make_user("owner", name="Ole Berg")
    idea_id = new_idea(uow, manager)
    web.login(manager)
    edited = web.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Sociale partnerskaber i Langå", "owner": ole.email, "themes": "Unge\nErhverv",
         "follow_up_on": "2027-02-01", "expected_version": "1"},
    )  # fmt: skip
    assert edited.status_code == 302
    page = web.text(f"/ideas/{idea_id}")
    timeline = page.split('id="timeline-heading"')[1].split("</section>")[0]
    assert "Edited" in timeline and "by Mette Holm" in timeline
    assert "Title: “Sociale partnerskaber” → “Sociale partnerskaber i Langå”" in timeline
    assert "Owner: nobody → Ole Berg" in timeline
    assert "Follow-up date: none → 1 Feb 2027" in timeline
    assert "Themes: none → Unge; Erhverv" in timeline
    with uow() as unit:
        token = users.issue_token(unit, manager.email, "test").secret
    answer = web.client.get(
        f"/api/v1/ideas/{idea_id}/history", headers={"Authorization": f"Bearer {token}"}
    )
    (edit,) = answer.get_json()["edits"]
    assert edit["actor"] == manager.email
    assert edit["changes"]["owner"] == {"from": None, "to": ole.email}


def test_a_step_for_managers_only_says_so_and_leads_back_to_the_idea(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea_id = new_idea(uow, owner)
    web.login(owner)
    for method in ("get", "post"):
        refused = getattr(web, method)(f"/ideas/{idea_id}/transitions/merge")
        page = refused.get_data(as_text=True)
        assert refused.status_code == 403, method
        assert "Only a manager takes this step." in page
        assert f'<a href="/ideas/{idea_id}">Back to the idea</a>' in page
    danish = web.get(f"/ideas/{idea_id}/transitions/merge", headers={"Accept-Language": "da"})
    assert "Only a manager" not in danish.get_data(as_text=True)


@pytest.mark.parametrize("trigger", sorted(TRIGGERS_BY_NAME))
def test_every_gate_field_says_whether_stakeholders_see_it(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor], trigger: str
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    with uow() as unit:  # an idea from which ``trigger`` may fire
        reach = {"start_pilot": ["assess"], "scale": ["assess", "start_pilot"],
                 "reopen": ["reject"]}  # fmt: skip
        walk = {"assess": {"impact": 3, "feasibility": 3, "cost": 3, "summary": "Ok"},
                "start_pilot": {"owner": manager.email, "starts_on": "2026-01-01",
                                "ends_on": "2026-06-30", "success_criteria": "Brugt"}}  # fmt: skip
        for step in reach.get(trigger, []):
            transitions.fire_trigger(unit, manager, idea_id, step, reason="Nu", data=walk.get(step))
    web.login(manager)
    page = web.text(f"/ideas/{idea_id}/transitions/{trigger}")
    form = page.split('<form method="post" class="form"')[1]
    spec = TRIGGERS_BY_NAME[trigger]
    labelled = form.count('class="audience audience--public"') + form.count('class="audience"')
    assert labelled == len(spec.fields) + (0 if spec.requires_reason else 1)  # + the comment
    internal = [field.name for field in spec.fields if not field.public]
    assert form.count('class="audience"') == len(internal)
    if trigger == "assess":
        assert internal == ["impact", "feasibility", "cost"]
    if trigger == "start_pilot":
        assert internal == ["budget_dkk"]


def test_themes_are_chosen_from_the_meetings_and_existing_ones_not_retyped(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        result = imports.import_minutes(unit, manager, "trafik.docx", documents.as_docx())
    idea_id = result.ideas[0].id
    meeting_themes = [theme["text"] for theme in result.themes]
    assert idea_id is not None and meeting_themes
    web.login(manager)
    form = web.text(f"/ideas/{idea_id}/edit")
    offered = re.findall(r'<input type="checkbox" name="themes" value="([^"]+)"', form)
    assert offered[: len(meeting_themes)] == [html.escape(t) for t in meeting_themes]
    saved = web.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Natbus", "themes": [meeting_themes[0]], "themes_new": "Unge, i job\nNatteliv",
         "expected_version": "1"},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    with uow() as unit:
        idea = ideas.get_idea(unit, manager, idea_id)
    assert set(idea.themes) == {meeting_themes[0], "Unge", "i job", "Natteliv"}
    again = web.text(f"/ideas/{idea_id}/edit")
    assert f'value="{html.escape(meeting_themes[0])}" checked' in again
    assert 'value="Natteliv" checked' in again
