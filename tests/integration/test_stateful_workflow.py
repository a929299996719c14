"""A stateful property test: random firings against a small model of the workflow, per backend.

Hypothesis drives random users firing random triggers (and some unknown ones) at a handful of
ideas, with good and bad gate data and current, stale or malformed ``expected_version`` values.
The model below is written out independently of ``workflow.states`` and ``workflow.permissions``:
it predicts the exact outcome of every call in the order ``fire_trigger`` checks
(404, 403, version, transition, gate), and the invariants compare the database with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from tests.integration.workflow_model import (
    ABSENT,
    KNOWN_TRIGGERS,
    MISSING_IDEA_ID,
    OUT_OF_RANGE_IDS,
    PILOT_OWNER_ROLES,
    ROLES,
    UNKNOWN_TRIGGERS,
    USER_KEYS,
    VERSION_KINDS,
    Draft,
    IdeaModel,
    Payload,
    allowed_from,
    copenhagen_today,
    email_of,
    expect,
    is_blank,
    may_fire,
)
from workflow.db import Database
from workflow.errors import (
    InvalidTransition,
    ValidationFailed,
    VersionConflict,
    WorkflowError,
)
from workflow.models import Base, HistoryEntry, Idea, OutboxMessage
from workflow.permissions import Actor
from workflow.repositories.idea_counts import REACHED_KEY, SINCE_KEY, kept_counts
from workflow.services import idea_counts, ideas, transitions, users
from workflow.states import replay
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def stateful_machine(uow: UowFactory, database: Database) -> type[RuleBasedStateMachine]:
    """A state machine class bound to one test database."""

    class WorkflowMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.actors: dict[str, Actor] = {}
            self.ideas: dict[int, IdeaModel] = {}

        # -- set-up and tear-down -----------------------------------------------------------

        @initialize(unowned=st.integers(min_value=1, max_value=2))
        def create_people_and_ideas(self, unowned: int) -> None:
            with uow() as unit:
                for key, role in ROLES.items():
                    users.create_user(unit, email=email_of(key), name=key, role=role)
                unit.commit()
                self.actors = {key: users.find_actor(unit, email_of(key)) for key in ROLES}
            plan: list[tuple[str, dict[str, Any], str | None]] = [
                ("owner_a", {}, "owner_a"),  # an owner records an idea and owns it
                ("manager", {"owner": email_of("owner_a")}, "owner_a"),
                ("admin", {"owner": email_of("owner_b")}, "owner_b"),
            ]
            plan += [("manager", {}, None)] * unowned  # managers' own ideas are unowned
            for number, (creator, fields, owner) in enumerate(plan, start=1):
                with uow() as unit:
                    detail = ideas.create_idea(
                        unit, self.actors[creator], {"title": f"Idé {number}", **fields}
                    )
                assert (detail.state, detail.version) == ("proposed", 1)
                assert detail.owner == (email_of(owner) if owner else None)
                self.ideas[detail.id] = IdeaModel(owner=owner)

        def teardown(self) -> None:
            with database.engine.begin() as connection:
                for table in reversed(Base.metadata.sorted_tables):
                    connection.execute(table.delete())

        # -- payloads -----------------------------------------------------------------------

        def payload(self, draw: st.DataObject, trigger: Any, idea_id: int, valid: bool) -> Payload:
            draft = Draft(draw, valid)
            if trigger == "assess":
                draft.reason(required=False)
                for name in ("impact", "feasibility", "cost"):
                    draft.field(name, [1, 3, 5], [0, 6, True, "4", 2.5, ABSENT])
                draft.field("summary", ["Lovende og billig"], [ABSENT, "  ", 12])
            elif trigger == "start_pilot":
                self.pilot_payload(draft, idea_id)
            elif trigger == "scale":
                draft.reason(required=False)
                draft.field("outcome", ["success", "partial"], ["failure", "Success", ABSENT])
                draft.field("evaluation", ["Målene er nået"], [ABSENT, "", ["nej"]])
                draft.field(
                    "scale_to",
                    [["Langå", "Assentoft"], ["  Hornbæk  ", ""]],
                    [ABSENT, [], ["   "], "Langå", [1], ["x" * 201]],
                )
            elif trigger in ("reject", "reopen"):
                draft.reason(required=True)
            elif trigger == "park":
                draft.reason(required=True)
                today = copenhagen_today()
                value, ok = draft.field(
                    "revisit_on",
                    [(today + timedelta(days=30)).isoformat(), f" {today + timedelta(days=365)} "],
                    [ABSENT, today.isoformat(), (today - timedelta(days=1)).isoformat(),
                     "2031-13-01", 20310101],
                )  # fmt: skip
                if ok:
                    draft.payload.revisit_on = date.fromisoformat(value.strip())
            elif trigger == "merge":
                draft.reason(required=False)
                others = [other for other in self.ideas if other != idea_id]
                value, ok = draft.field(
                    "into",
                    others,
                    [idea_id, MISSING_IDEA_ID, *OUT_OF_RANGE_IDS, str(others[0]), True, ABSENT],
                )
                draft.payload.into = value if ok else None
            else:  # an unknown trigger: the payload never reaches a gate
                draft.reason(required=False)
            return draft.finish()

        def pilot_payload(self, draft: Draft, idea_id: int) -> None:
            today = copenhagen_today()
            draft.reason(required=False)
            starts_raw, starts_ok = draft.field(
                "starts_on",
                [(today + timedelta(days=days)).isoformat() for days in (-30, 0, 14)],
                [ABSENT, "", "2031-02-30", "01-07-2031", 20310701],
            )
            if starts_ok:
                starts = draft.payload.starts_on = date.fromisoformat(starts_raw)
                draft.field(
                    "ends_on",
                    [(starts + timedelta(days=days)).isoformat() for days in (1, 180)],
                    [ABSENT, starts.isoformat(), (starts - timedelta(days=1)).isoformat()],
                )  # the last two are dates, but not after the start: the rule refuses them
            else:
                draft.field("ends_on", [(today + timedelta(days=200)).isoformat()], ["nope"])
            draft.field("success_criteria", ["50 unge i job"], [ABSENT, "   ", 3])
            draft.field(
                "budget_dkk",
                [ABSENT, 0, 250_000, 1234.5, 999_999_999_999.99],
                [-1, "100", True, 10**12, 10**400, 999_999_999_999.995],
            )
            draft.field("site", [ABSENT, "Langå"], ["x" * 201, 5])
            owner_raw, owner_ok = draft.field(
                "owner",
                [
                    ABSENT,
                    "",
                    email_of("owner_a"),
                    f"  {email_of('owner_b').upper()} ",
                    email_of("manager"),
                ],
                [email_of("admin"), email_of("viewer"), "nobody@randers.dk", "not an email", 17],
            )
            current_owner = self.ideas[idea_id].owner if idea_id in self.ideas else None
            if not owner_ok:
                return
            if is_blank(owner_raw):  # the idea's owner runs the pilot, if there is a fit one
                if current_owner is None or ROLES[current_owner] not in PILOT_OWNER_ROLES:
                    draft.payload.errors.add("data.owner")
                draft.payload.new_owner = current_owner
            else:
                email = owner_raw.strip().lower()
                draft.payload.new_owner = next(k for k in ROLES if email_of(k) == email)

        # -- the model ----------------------------------------------------------------------

        def attempt(
            self, actor: str, idea_id: int, trigger: Any, payload: Payload, version: Any
        ) -> None:
            expected = expect(self.ideas, actor, idea_id, trigger, payload, version)
            idea = self.ideas.get(idea_id)
            try:
                with uow() as unit:
                    result: Any = transitions.fire_trigger(
                        unit,
                        self.actors[actor],
                        idea_id,
                        trigger,
                        reason=payload.reason,
                        data=payload.data,
                        expected_version=version,
                    )
            except WorkflowError as error:
                result = error
            call = f"{actor} fires {trigger!r} at {idea_id} ({idea}) with {payload}, v={version!r}"
            if expected.error is None:
                assert not isinstance(result, WorkflowError), (
                    f"{call}: {result!r} {result.details()}"
                )
            else:
                assert type(result) is expected.error, (
                    f"{call}: expected {expected}, got {result!r}"
                )
            if isinstance(result, ValidationFailed):
                assert set(result.fields) == expected.fields, f"{call}: {result.fields}"
            elif isinstance(result, VersionConflict):
                assert idea is not None
                assert result.current_version == idea.version
            elif isinstance(result, InvalidTransition):
                assert idea is not None
                assert (result.state, result.allowed_triggers) == (
                    idea.state,
                    allowed_from(idea.state),
                )
            if expected.error is not None:
                return
            assert idea is not None
            assert expected.dest is not None
            idea.log.append((trigger, idea.state, expected.dest))
            if trigger == "reopen" and idea.state == "parked":
                idea.follow_up_on = None  # only firings set it here: it is the revisit date
            idea.state = expected.dest
            idea.version += 1
            if expected.dest in ("scaled", "rejected", "merged"):
                idea.follow_up_on = None  # a closed idea has nothing left to follow up
            if trigger == "start_pilot":
                idea.owner = payload.new_owner  # whoever runs the pilot owns the idea now
                idea.pilot_starts_on = payload.starts_on
            elif trigger == "merge":
                idea.merged_into = payload.into
                assert payload.into is not None
                self.ideas[payload.into].version += 1  # the survivor carries this idea on
            elif trigger == "park":
                idea.follow_up_on = payload.revisit_on
            assert (result.id, result.state, result.version) == (idea_id, idea.state, idea.version)
            assert result.owner == (email_of(idea.owner) if idea.owner else None)
            assert result.merged_into == idea.merged_into
            assert result.follow_up_on == idea.follow_up_on
            assert tuple(result.allowed_triggers) == tuple(allowed_from(idea.state))

        # -- rules --------------------------------------------------------------------------

        @rule(
            draw=st.data(),
            actor=st.sampled_from(USER_KEYS),
            trigger=st.sampled_from(KNOWN_TRIGGERS + UNKNOWN_TRIGGERS),
            valid=st.booleans(),
            version_kind=st.sampled_from(VERSION_KINDS),
            missing_idea=st.integers(min_value=0, max_value=15),
        )
        def fire_anything(
            self,
            draw: st.DataObject,
            actor: str,
            trigger: Any,
            valid: bool,
            version_kind: str,
            missing_idea: int,
        ) -> None:
            """Anyone fires anything, with any data, at any idea (now and then a missing one)."""
            idea_id = (
                (MISSING_IDEA_ID, *OUT_OF_RANGE_IDS)[missing_idea]
                if missing_idea < 1 + len(OUT_OF_RANGE_IDS)
                else draw.draw(st.sampled_from(sorted(self.ideas)))
            )
            current = self.ideas[idea_id].version if idea_id in self.ideas else 1
            version = {
                "none": None,
                "current": current,
                "stale": current - 1,
                "ahead": current + 1,
                "text": str(current),
                "bool": True,
            }[version_kind]
            payload = self.payload(draw, trigger, idea_id, valid)
            self.attempt(actor, idea_id, trigger, payload, version)

        @rule(
            draw=st.data(),
            trigger=st.sampled_from(KNOWN_TRIGGERS),
            valid=st.booleans(),
            send_version=st.booleans(),
        )
        def probe(self, draw: st.DataObject, trigger: str, valid: bool, send_version: bool) -> None:
            """Someone allowed fires any trigger at the version they saw: state and gate decide."""
            idea_id = draw.draw(st.sampled_from(sorted(self.ideas)))
            idea = self.ideas[idea_id]
            actors = [key for key in USER_KEYS if may_fire(key, idea, trigger)]
            actor = draw.draw(st.sampled_from(actors))
            payload = self.payload(draw, trigger, idea_id, valid)
            self.attempt(actor, idea_id, trigger, payload, idea.version if send_version else None)

        @rule(draw=st.data(), send_version=st.booleans())
        def advance(self, draw: st.DataObject, send_version: bool) -> None:
            """Someone allowed fires a trigger the idea's state allows, with good data."""
            movable = sorted(i for i, idea in self.ideas.items() if allowed_from(idea.state))
            if not movable:
                return
            idea_id = draw.draw(st.sampled_from(movable))
            idea = self.ideas[idea_id]
            trigger = draw.draw(st.sampled_from(allowed_from(idea.state)))
            actors = [key for key in USER_KEYS if may_fire(key, idea, trigger)]
            actor = draw.draw(st.sampled_from(actors))
            payload = self.payload(draw, trigger, idea_id, valid=True)
            self.attempt(actor, idea_id, trigger, payload, idea.version if send_version else None)

        @rule()
        def sweep_counts(self) -> None:
            """The beat adds the pending count changes to the totals."""
            with uow() as unit:
                idea_counts.fold_counts(unit)

        # -- invariants ---------------------------------------------------------------------

        @invariant()
        def the_kept_counts_are_the_counted_ones(self) -> None:
            """The state counts kept as ideas change equal a fresh count, folded or not."""
            with uow() as unit:
                counted = dict(
                    unit.session.execute(
                        select(Idea.state, func.count()).group_by(Idea.state)
                    ).all()
                )
                assert unit.ideas.count_by_state() == counted
                began = Counter(
                    f"{SINCE_KEY}{state}:{at.astimezone(UTC).date().isoformat()}"
                    for state, at in unit.session.execute(select(Idea.state, Idea.state_changed_at))
                )
                assert kept_counts(unit.session, SINCE_KEY) == began
                arrivals = select(
                    HistoryEntry.to_state, func.count(func.distinct(HistoryEntry.idea_id))
                ).group_by(HistoryEntry.to_state)
                reached = {
                    f"{REACHED_KEY}{state}": n for state, n in unit.session.execute(arrivals)
                }
                assert kept_counts(unit.session, REACHED_KEY) == reached

        @invariant()
        def the_database_agrees_with_the_model(self) -> None:
            ids = list(self.ideas)
            with uow() as unit:
                rows = {
                    row.id: row
                    for row in unit.session.scalars(select(Idea).where(Idea.id.in_(ids)))
                }
                steps: dict[int, list[tuple[str, str, str]]] = {idea_id: [] for idea_id in ids}
                history = (
                    select(
                        HistoryEntry.idea_id,
                        HistoryEntry.trigger,
                        HistoryEntry.from_state,
                        HistoryEntry.to_state,
                    )
                    .where(HistoryEntry.idea_id.in_(ids))
                    .order_by(HistoryEntry.at, HistoryEntry.id)  # as the history repository does
                )
                for idea_id, trigger, from_state, to_state in unit.session.execute(history):
                    steps[idea_id].append((trigger, from_state, to_state))
                outbox = (
                    select(OutboxMessage.aggregate_id, func.count(OutboxMessage.id))
                    .where(
                        OutboxMessage.aggregate_id.in_(ids),
                        OutboxMessage.event_type == "idea.transitioned",
                    )
                    .group_by(OutboxMessage.aggregate_id)
                )
                transitioned: dict[int, int] = dict(unit.session.execute(outbox).all())
                current = {
                    idea_id: (row.state, row.version, row.owner_id, row.merged_into_id)
                    for idea_id, row in rows.items()
                }
                follow_ups = {idea_id: row.follow_up_on for idea_id, row in rows.items()}
            for idea_id, model in self.ideas.items():
                state, version, owner_id, merged_into = current[idea_id]
                done = steps[idea_id]
                assert state == replay(done) == model.state, (idea_id, done, model)
                assert len(done) == len(model.log)  # one history row per successful firing
                assert done == model.log
                # one version per firing, and one per idea merged into this one
                absorbed = sum(1 for other in self.ideas.values() if other.merged_into == idea_id)
                assert version == 1 + len(model.log) + absorbed == model.version
                assert owner_id == (self.actors[model.owner].id if model.owner else None)
                assert merged_into == model.merged_into
                assert follow_ups[idea_id] == model.follow_up_on
                assert transitioned.get(idea_id, 0) == len(model.log)

    return WorkflowMachine


def test_random_firings_match_the_model(uow: UowFactory, database: Database) -> None:
    """Every firing has the predicted outcome; the database always agrees with the model."""
    run_state_machine_as_test(
        stateful_machine(uow, database),
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            # Every step is a database round trip: shrink one bug, skip the explain phase, so a
            # failure is reported within a minute instead of after Hypothesis' 5-minute cap.
            report_multiple_bugs=False,
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
