"""Property, generated from ``TRIGGERS``: every trigger, with every combination of its optional
fields present or left out, in Danish and English, renders in everything that shows a change:
the idea-update email (text and HTML), the digest, the public status page and the meeting
report. Values are drawn from what the API accepts (not only what the forms send), so a field
that a form always fills but the API may leave out, or a value only the API can send, cannot
break a message: a message that cannot be made would leave stakeholders unaware."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from html import escape
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from workflow.clock import local_today, utcnow
from workflow.gates import REASON_OPTIONAL, FieldSpec, Kind
from workflow.models import Contact, Meeting, Notification
from workflow.notifications.links import Links
from workflow.notifications.tokens import status_token
from workflow.permissions import Actor
from workflow.services import collaboration, digests, ideas, meeting_reports, notifications
from workflow.services import transitions as transition_service
from workflow.states import INITIAL_STATE, STATE_LABELS, TRIGGERS, State, TriggerSpec
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")  # the secret of the app fixture
LANGUAGES = ("da", "en")
STATE_WORDS = {"da": {"proposed": "Foreslået", "scaled": "Skaleret op"}, "en": {}}
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


def _route_to(target: State) -> list[TriggerSpec]:
    """The shortest chain of triggers from the initial state to ``target`` (breadth first)."""
    paths: dict[State, list[TriggerSpec]] = {INITIAL_STATE: []}
    frontier = [INITIAL_STATE]
    while frontier:
        state = frontier.pop(0)
        for spec in TRIGGERS:
            if state in spec.sources and spec.dest not in paths:
                paths[spec.dest] = [*paths[state], spec]
                frontier.append(spec.dest)
    return paths[target]


def optional_fields(spec: TriggerSpec) -> list[FieldSpec]:
    """The fields of a trigger's gate that a caller may leave out (a free comment included)."""
    fields = list(spec.fields)
    if not spec.requires_reason and not any(f.key == "reason" for f in fields):
        fields.append(REASON_OPTIONAL)
    return [field for field in fields if not field.required]


def combinations() -> Iterator[Any]:
    """Every trigger with every subset of its optional fields."""
    for spec in TRIGGERS:
        optional = optional_fields(spec)
        for size in range(len(optional) + 1):
            for present in itertools.combinations(optional, size):
                names = "+".join(field.name for field in present) or "required-only"
                yield pytest.param(
                    spec, frozenset(f.key for f in present), id=f"{spec.name}-{names}"
                )


text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda value: value.strip())
hostile_text = st.sampled_from(["<script>alert(1)</script>", "Æblehaver & “citater”", "a\nb"])


@st.composite
def values_for(draw: st.DrawFn, spec: TriggerSpec, present: frozenset[str], ids: dict[str, Any]):  # type: ignore[no-untyped-def]
    """A request the API accepts for ``spec``: required fields and the ``present`` optional
    ones, each drawn from the values its kind takes; returns (reason, data)."""
    today = local_today()
    data: dict[str, Any] = {}
    reason: str | None = None
    starts = today + timedelta(days=draw(st.integers(-400, 400)))
    for field in spec.fields if spec.requires_reason else (*spec.fields, REASON_OPTIONAL):
        if not field.required and field.key not in present:
            continue
        value: Any
        if field.kind is Kind.SCORE:
            value = draw(st.integers(1, 5))
        elif field.kind is Kind.TEXT:
            value = draw(text | hostile_text)
        elif field.kind is Kind.DATE:
            later = starts + timedelta(days=draw(st.integers(1, 900)))
            value = (starts if field.name == "starts_on" else later).isoformat()
        elif field.kind is Kind.FUTURE_DATE:
            value = (today + timedelta(days=draw(st.integers(1, 3650)))).isoformat()
        elif field.kind is Kind.USER_EMAIL:
            value = draw(st.sampled_from([ids["owner_email"], ids["other_email"].upper()]))
        elif field.kind is Kind.CHOICE:
            value = draw(st.sampled_from(field.choices))
        elif field.kind is Kind.TEXT_LIST:
            value = draw(st.lists(text | hostile_text, min_size=1, max_size=4))
        elif field.kind is Kind.IDEA_REF:
            value = ids["other_idea"]
        elif field.kind is Kind.AMOUNT:
            value = draw(
                st.integers(0, 10**9)
                | st.floats(0, 1e9, allow_nan=False).map(lambda f: round(f, 2))
            )
        else:  # a new kind must be given values here
            raise AssertionError(f"no values for {field.kind}")
        if field.in_data:
            data[field.name] = value
        else:
            reason = value
    return reason, data


@pytest.fixture
def people(make_user: Callable[..., Actor]) -> dict[str, Actor]:
    return {"manager": make_user("manager"), "other": make_user("manager")}


def _setup(uow: UowFactory, manager: Actor, spec: TriggerSpec) -> dict[str, Any]:
    """An idea from a meeting, walked to a state ``spec`` fires from, with four followers:
    immediate and daily, Danish and English."""
    with uow() as unit:
        meeting = Meeting(title=f"Ungerådet {uuid.uuid4().hex[:6]}", held_on=date(2025, 6, 12))
        unit.meetings.add(meeting)
        unit.commit()
        meeting_id = meeting.id
    with uow() as unit:
        idea_id = ideas.create_idea(
            unit, manager, {"title": "Natbus <b>fra</b> Langå", "owner": manager.email}
        ).id
        other_idea = ideas.create_idea(unit, manager, {"title": "Natbus 2"}).id
        stored = unit.ideas.get(idea_id)
        assert stored is not None
        stored.meeting_id = meeting_id
        unit.commit()
    start = local_today() - timedelta(days=5)  # a pilot that has started may be scaled
    walk_data = {
        "assess": ASSESS,
        "start_pilot": {"starts_on": start.isoformat(),
                        "ends_on": (start + timedelta(days=30)).isoformat(),
                        "success_criteria": "Flere passagerer"},
        "reject": {}, "park": {"revisit_on": (start + timedelta(days=60)).isoformat()},
    }  # fmt: skip
    source = next(state for state in spec.sources)
    for step in _route_to(source):
        with uow() as unit:
            transition_service.fire_trigger(
                unit, manager, idea_id, step.name, reason="Fordi", data=walk_data.get(step.name)
            )
    with uow() as unit:
        notifications.relay_outbox(unit, LINKS)  # the walk's own events, out of the way
    followers = {}
    for language, delivery in itertools.product(LANGUAGES, ("immediate", "daily")):
        email = f"{language}.{delivery}.{uuid.uuid4().hex[:8]}@borger.dk"
        with uow() as unit:
            view = collaboration.add_follower(unit, manager, idea_id, name="Anne", email=email,
                                              delivery=delivery)  # fmt: skip
            contact = unit.session.get(Contact, view.contact_id)
            assert contact is not None
            contact.language = language
            unit.commit()
        followers[(language, delivery)] = email
    return {"idea_id": idea_id, "other_idea": other_idea, "meeting_id": meeting_id,
            "followers": followers}  # fmt: skip


def _mail(uow: UowFactory, email: str, kind: str) -> list[Notification]:
    with uow() as unit:
        rows = list(
            unit.session.scalars(
                select(Notification).where(
                    Notification.recipient_email == email, Notification.kind == kind
                )
            )
        )
        unit.session.expunge_all()
        return rows


@pytest.mark.parametrize(("spec", "present"), list(combinations()))
def test_every_change_renders_everywhere_in_both_languages(
    spec: TriggerSpec,
    present: frozenset[str],
    uow: UowFactory,
    people: dict[str, Actor],
    client: FlaskClient,
) -> None:
    manager = people["manager"]

    @settings(
        max_examples=2,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def check(draw: st.DataObject) -> None:
        ids = _setup(uow, manager, spec)
        ids.update(owner_email=manager.email, other_email=people["other"].email)
        reason, data = draw.draw(values_for(spec, present, ids))
        with uow() as unit:
            moved = transition_service.fire_trigger(
                unit, manager, ids["idea_id"], spec.name, reason=reason, data=data
            )
        assert moved.state == spec.dest
        with uow() as unit:
            assert notifications.relay_outbox(unit, LINKS)  # nothing failed: mail was made
        with uow() as unit:
            assert not notifications.has_due_events(unit)
        with uow() as unit:
            digests.run_digests(unit, LINKS, now=utcnow() + timedelta(days=1), period="daily")
        for language in LANGUAGES:
            (update,) = _mail(uow, ids["followers"][(language, "immediate")], "idea_update")
            (digest,) = _mail(uow, ids["followers"][(language, "daily")], "digest")
            assert update.language == language
            for body in (update.body_text, digest.body_text):
                assert "Natbus <b>fra</b> Langå" in body
            for body in (update.body_html, digest.body_html):
                assert escape("Natbus <b>fra</b> Langå", quote=False) in body
                assert "<script>" not in body
            token = status_token(LINKS.secret, ids["idea_id"])
            page = client.get(f"/status/{token}?lang={language}")
            assert page.status_code == 200, page.get_data(as_text=True)[:300]
            with uow() as unit:
                report = meeting_reports.preview_report(
                    unit, manager, ids["meeting_id"], language, links=LINKS, now=utcnow()
                )
            assert "Natbus <b>fra</b> Langå" in report.text
            assert escape("Natbus <b>fra</b> Langå", quote=False) in report.html
        assert STATE_LABELS[spec.dest]  # every destination has a name to show

    check()
