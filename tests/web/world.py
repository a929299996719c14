"""A small world for tests that visit every route: one user per role, an idea owned by one
owner, a meeting with participants and sent report, a follower, an upload waiting for its
preview, an invitation, a written email; signed-in clients and API tokens per role; and the
URL of any route with real values filled in.

Routes that change what they act on (removing a follower, erasing a contact, deactivating a
user, discarding an upload) get a fresh object each time their URL is built.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from tests.conftest import PASSWORD
from tests.integration import report_scenario as scenario
from workflow.notifications.links import Links
from workflow.notifications.outbox_files import outbox_folder
from workflow.notifications.tokens import report_token, status_token, unsubscribe_token
from workflow.permissions import Actor
from workflow.services import admin, collaboration, ideas, meeting_reports, pending_imports, users
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SECRET = "test-secret"  # the test settings' secret key
ROLES = ("anonymous", "viewer", "owner", "other", "manager", "admin")
FOLLOWER_EMAIL = "fie.foelger@example.dk"
PARTICIPANT_EMAILS = ("anne@example.dk", "bo@example.dk", "dorte@example.dk")
MAIL_NAME = "20250101120000-1.eml"
_CSRF_MARK = 'name="csrf_token" value="'


@dataclass
class World:
    """Everything a route needs, made once per test."""

    app: Flask
    uow: UowFactory
    actors: dict[str, Actor]
    idea_id: int = 0
    meeting_id: int = 0
    contact_id: int = 0
    upload_token: str = ""
    invitation_token: str = ""
    report_id: int = 0
    clients: dict[str, Any] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    api_tokens: dict[str, str] = field(default_factory=dict)
    fresh: bool = False  # every URL gets its own idea, upload and invitation (for fuzzing)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- fresh objects for routes that change them ----------------------------------------

    def new_idea(self) -> int:
        """A new idea owned by the owner; its id."""
        with self.uow() as unit:
            title = f"Idé {next(self._numbers)}"
            return ideas.create_idea(unit, self.actors["owner"], {"title": title}).id

    def new_invitation(self) -> str:
        """A new invitation's token."""
        number = next(self._numbers)
        with self.uow() as unit:
            return admin.invite_user(
                unit, self.actors["admin"], name=f"Inviteret {number}",
                email=f"inviteret{number}@randers.dk", role="viewer",
            ).token  # fmt: skip

    def new_follower(self, idea_id: int) -> int:
        """A new contact following the idea; its contact id."""
        number = next(self._numbers)
        with self.uow() as unit:
            view = collaboration.add_follower(
                unit, self.actors["manager"], idea_id, name=f"Følger {number}",
                email=f"foelger{number}@example.dk",
            )  # fmt: skip
            return view.contact_id

    def new_user(self) -> int:
        """A new invited owner (no password yet); their user id."""
        number = next(self._numbers)
        with self.uow() as unit:
            issued = admin.invite_user(
                unit, self.actors["admin"], name=f"Ny {number}", email=f"ny{number}@randers.dk",
                role="owner",
            )  # fmt: skip
            return issued.user.id

    def new_upload(self) -> str:
        """New minutes waiting for their preview, uploaded by the idea's owner; the token."""
        number = next(self._numbers)
        content = scenario.SAMPLE.read_bytes() + f"\n\u2022 Idé nummer {number}\n".encode()
        with self.uow() as unit:
            preview = pending_imports.create_pending_import(
                unit, self.actors["owner"], "referat.txt", content
            )
        assert preview.token is not None
        return preview.token

    # --- clients ----------------------------------------------------------------------------

    def client(self, role: str, fresh: bool = False) -> Any:
        """A test client signed in as ``role`` (anonymous: signed out), with its CSRF token."""
        if role in self.clients and not fresh:
            return self.clients[role]
        client = self.app.test_client()
        if role != "anonymous":
            page = client.get("/login").get_data(as_text=True)
            token = page.split(_CSRF_MARK, 1)[1].split('"', 1)[0]
            signed_in = client.post(
                "/login",
                data={"email": self.actors[role].email, "password": PASSWORD, "csrf_token": token},
            )
            assert signed_in.status_code == 302, role
        page = client.get("/login", follow_redirects=True).get_data(as_text=True)
        self.csrf[f"{role}:{id(client)}"] = page.split(_CSRF_MARK, 1)[1].split('"', 1)[0]
        if not fresh:
            self.clients[role] = client
        return client

    def csrf_token(self, role: str, client: Any) -> str:
        """The CSRF token of ``client``'s session."""
        return self.csrf[f"{role}:{id(client)}"]

    def bearer(self, role: str) -> dict[str, str]:
        """The Authorization header of ``role`` (anonymous: none)."""
        if role == "anonymous":
            return {}
        if role not in self.api_tokens:
            with self.uow() as unit:
                self.api_tokens[role] = users.issue_token(unit, self.actors[role].email).secret
        return {"Authorization": f"Bearer {self.api_tokens[role]}"}

    # --- URLs -------------------------------------------------------------------------------

    def values(self, rule: Rule, variant: str | None) -> dict[str, Any]:
        """Real values for the rule's arguments (``variant``: the trigger, for gates)."""
        endpoint = rule.endpoint
        changes = rule.methods is not None and "GET" not in rule.methods
        needs_idea = bool({"idea_id", "contact_id"} & set(rule.arguments))
        idea_id = self.new_idea() if self.fresh and needs_idea else self.idea_id
        values: dict[str, Any] = {}
        for name in rule.arguments:
            if name == "idea_id":
                values[name] = idea_id
            elif name == "meeting_id":
                values[name] = self.meeting_id
            elif name == "user_id":
                values[name] = self.new_user()
            elif name == "contact_id":
                values[name] = self.new_follower(idea_id) if changes else self.contact_id
            elif name == "outbox_id":
                values[name] = 1  # waiting or not, the answer says which
            elif name == "filename":
                values[name] = "css/app.css"
            elif name == "name":
                values[name] = variant if endpoint == "gates.gate" else MAIL_NAME
            elif name == "token":
                values[name] = self._token(endpoint, changes)
            else:
                raise AssertionError(f"<{name}> in {rule.rule}: teach World.values a value")
        return values

    def _token(self, endpoint: str, changes: bool) -> str:
        if endpoint.startswith("imports."):
            fresh = self.fresh or endpoint.endswith("discard_import")
            return self.new_upload() if fresh else self.upload_token
        tokens = {
            "admin.accept_invitation": (
                self.new_invitation() if self.fresh else self.invitation_token
            ),
            "public.unsubscribe_page": unsubscribe_token(SECRET, self.contact_id, "idea_updates"),
            "public.unsubscribe": unsubscribe_token(SECRET, self.contact_id, "idea_updates"),
            "public.status_page": status_token(SECRET, self.idea_id),
            "public.report_page": report_token(SECRET, self.report_id),
        }
        return tokens[endpoint]

    def url(self, rule: Rule, variant: str | None = None) -> str:
        """The rule's URL with real values."""
        with self.app.test_request_context():
            return str(self.app.url_for(rule.endpoint, **self.values(rule, variant)))


def build_world(app: Flask, uow: UowFactory, make_user: Callable[..., Actor]) -> World:
    """Users of every role and the objects the routes act on."""
    actors = {
        "viewer": make_user("viewer", "vera@randers.dk", "Vera Viewer"),
        "owner": make_user("owner", "olga@randers.dk", "Olga Owner"),
        "other": make_user("owner", "otto@randers.dk", "Otto Other"),
        "manager": make_user("manager", "mette@randers.dk", "Mette Manager"),
        "admin": make_user("admin", "adam@randers.dk", "Adam Admin"),
    }
    world = World(app, uow, actors)
    with uow() as unit:
        world.idea_id = ideas.create_idea(unit, actors["owner"], {"title": "Natbus fra Langå"}).id
    with uow() as unit:
        world.contact_id = collaboration.add_follower(
            unit, actors["manager"], world.idea_id, name="Fie Følger", email=FOLLOWER_EMAIL
        ).contact_id
    world.meeting_id = scenario.import_sample(uow)
    scenario.add_participants(uow, world.meeting_id)
    with uow() as unit:
        links = Links("http://ideaflow.test", SECRET)
        world.report_id = meeting_reports.send_report_now(
            unit, actors["manager"], world.meeting_id, links, now=datetime.now(UTC)
        ).id
    world.upload_token = world.new_upload()
    with uow() as unit:
        world.invitation_token = admin.invite_user(
            unit, actors["admin"], name="Ida Inviteret", email="ida@randers.dk", role="viewer"
        ).token
    write_mail(outbox_folder(Path(app.instance_path)))
    return world


def write_mail(folder: Path) -> None:
    """One email in the outbox folder, as the file transport writes them."""
    message = EmailMessage()
    message["Subject"] = "Natbus fra Langå er vurderet"
    message["To"] = "Fie Følger <fie.foelger@example.dk>"
    message["Date"] = "Wed, 01 Jan 2025 12:00:00 +0000"
    message.set_content("Idéen er vurderet.")
    message.add_alternative("<p>Idéen er vurderet.</p>", subtype="html")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MAIL_NAME).write_bytes(bytes(message))
