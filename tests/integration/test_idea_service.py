"""Recording, editing and listing ideas, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workflow.errors import Forbidden, ValidationFailed, VersionConflict
from workflow.permissions import Actor
from workflow.services import ideas, listing
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def create(uow: UowFactory, actor: Actor, **fields: object) -> ideas.IdeaDetail:
    with uow() as unit:
        return ideas.create_idea(unit, actor, fields)


def test_an_owner_owns_what_they_record_and_a_manager_records_unowned(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, manager = make_user("owner"), make_user("manager")
    assert create(uow, owner, title="Mens du venter").owner == owner.email
    assert create(uow, manager, title="Randers og opland er én kommune").owner is None
    assert create(uow, manager, title="Job First", owner=owner.email).owner == owner.email


def test_viewers_record_nothing_and_owners_assign_nobody(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    viewer, owner, other = make_user("viewer"), make_user("owner"), make_user("owner")
    with pytest.raises(Forbidden):
        create(uow, viewer, title="x")
    with pytest.raises(Forbidden):
        create(uow, owner, title="x", owner=other.email)


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "ok", "description": "x" * 10_001}, "description"),
        ({"title": "ok", "themes": "Unge"}, "themes"),
        ({"title": "ok", "follow_up_on": "next week"}, "follow_up_on"),
        ({"title": "ok", "owner": "nobody@randers.dk"}, "owner"),
        ({"title": "ok", "colour": "blue"}, "colour"),
        ({"description": "no title"}, "title"),
    ],
)
def test_bad_fields_are_named(
    uow: UowFactory, make_user: Callable[..., Actor], fields: dict[str, object], key: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create(uow, make_user("manager"), **fields)
    assert key in caught.value.fields


def test_a_title_of_exactly_200_characters_is_fine(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    assert len(create(uow, make_user("manager"), title="æ" * 200).title) == 200


def test_themes_are_shared_case_insensitively(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    first = create(uow, manager, title="a", themes=["Unge uden for fællesskabet", "Mindset"])
    second = create(uow, manager, title="b", themes=["UNGE UDEN FOR FÆLLESSKABET"])
    assert first.themes == ("Mindset", "Unge uden for fællesskabet")
    assert second.themes == ("Unge uden for fællesskabet",)


def test_editing_checks_owner_and_version(uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    owner, other, manager = make_user("owner"), make_user("owner"), make_user("manager")
    idea = create(uow, owner, title="Mens du venter")
    with uow() as unit:
        edited = ideas.update_idea(unit, owner, idea.id, {"follow_up_on": "2027-01-15"}, 1)
    assert (edited.version, str(edited.follow_up_on)) == (2, "2027-01-15")
    with uow() as unit, pytest.raises(VersionConflict):
        ideas.update_idea(unit, owner, idea.id, {"title": "Ny"}, 1)
    with uow() as unit, pytest.raises(Forbidden):
        ideas.update_idea(unit, other, idea.id, {"title": "Ny"})
    with uow() as unit, pytest.raises(Forbidden):
        ideas.update_idea(unit, owner, idea.id, {"owner": other.email})
    with uow() as unit:
        moved = ideas.update_idea(unit, manager, idea.id, {"owner": other.email})
    assert moved.owner == other.email
    with uow() as unit:
        unchanged = ideas.update_idea(unit, manager, idea.id, {"owner": other.email})
    assert unchanged.version == moved.version


def test_listing_filters_pages_and_searches_danish_text(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, manager = make_user("owner"), make_user("manager")
    create(uow, owner, title="Øget samarbejde med SOSU", description="Grundforløb og ungdomsskole")
    create(uow, manager, title="Kommunen skal mere ud i de lokale fællesskaber")
    create(uow, manager, title="100% fokus på basale færdigheder")
    with uow() as unit:
        assert [i.title for i in listing.list_ideas(unit, manager, {"q": "øGET"}).items] == [
            "Øget samarbejde med SOSU"
        ]
        assert listing.list_ideas(unit, manager, {"q": "UNGDOMSSKOLE"}).total == 1
        assert listing.list_ideas(unit, manager, {"q": "FÆLLESSKABER"}).total == 1
        assert listing.list_ideas(unit, manager, {"q": "100%"}).total == 1
        assert listing.list_ideas(unit, manager, {"q": "%"}).total == 1
        assert listing.list_ideas(unit, manager, {"owner": owner.email}).total == 1
        assert listing.list_ideas(unit, manager, {"owner": "none"}).total == 2
        assert listing.list_ideas(unit, manager, {"state": "assessed"}).total == 0
        first = listing.list_ideas(unit, manager, {}, page=1, per_page=2)
        second = listing.list_ideas(unit, manager, {}, page=2, per_page=2)
        assert (first.total, len(first.items), len(second.items)) == (3, 2, 1)
        assert [i.id for i in first.items + second.items] == sorted(
            (i.id for i in first.items + second.items), reverse=True
        )
        for bad in ({"state": "done"},):
            with pytest.raises(ValidationFailed):
                listing.list_ideas(unit, manager, bad)
        for page, per_page in ((0, 10), (1, 101), ("x", 10)):
            with pytest.raises(ValidationFailed):
                listing.list_ideas(unit, manager, {}, page, per_page)


def test_one_edit_of_several_fields_is_one_new_version(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager, owner = make_user("manager"), make_user("owner")
    idea = create(uow, manager, title="Natbus", themes=["Trafik"])
    with uow() as unit:
        edited = ideas.update_idea(
            unit,
            manager,
            idea.id,
            {"title": "Natbus til Langå", "themes": ["Trafik", "Unge"], "owner": owner.email,
             "follow_up_on": "2027-01-01", "description": "Fra 23 til 02"},
            expected_version=1,
        )  # fmt: skip
    assert edited.version == 2
    assert edited.themes == ("Trafik", "Unge") and edited.owner == owner.email
