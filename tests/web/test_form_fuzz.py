"""Every web form, posted with missing, oversized, wrong-type and hostile values by a user
allowed to use it: never a 5xx; a 4xx page with a message, a redirect, or the page again.

The forms are the POST routes of ``app.url_map`` (a new form is fuzzed without changes here);
who may post each comes from the authorisation matrix, the field names from the templates
and the transition table. Each example starts from nothing or from a valid form and replaces
some fields with hostile values, single or repeated (lists where one value is expected).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from tests.web.test_authorisation_matrix import MATRIX, OK, routes
from tests.web.world import ROLES, UowFactory, World, build_world
from web.forms import field_id
from workflow.permissions import Actor
from workflow.states import TRIGGERS

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
EXAMPLES = int(os.environ.get("IDEAFLOW_FORM_FUZZ_EXAMPLES", "120"))  # per backend, over all forms
FIELDS = sorted(
    {
        *re.findall(r'name="([A-Za-z0-9_-]+)"', "".join(
            path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html")
        )),
        *(field_id(spec) for trigger in TRIGGERS for spec in trigger.fields),
        "theme-0-as", "idea-0-as", "idea-99999-as", "participant",
    } - {"csrf_token", "viewport", "robots", "List-Unsubscribe"}
)  # fmt: skip
SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["", " ", "\t\r\n", "a" * 1000, "a" * 100_001, "a\x00b", "{{7*7}}"]),
    st.sampled_from([SCRIPT, IMAGE, "javascript:alert(1)", "</textarea><b>x</b>"]),
    st.sampled_from(["\u202eevil", "\u200b", "\ufeff", "\x1c\x1d", "\x85", "\u2028", "İ" * 200,
                     "ß" * 300, "a\u0301" * 400, "\U0001f600" * 100, "\uffff\ue000"]),
    st.sampled_from(["\u0663", "\u00b2", "\uff11\uff12", "9" * 5000, "9" * 19, "-1", "0",
                     "2147483648", "1e309", "NaN", "Infinity", "0x1F", "1_000", "1,5", "1",
                     "125.000,50 kr.", "-0,001", "999999999999,995"]),
    st.sampled_from(["2025-02-30", "9999-12-31", "0000-01-01", "2025-W01-1", "2099-01-01"]),
    st.sampled_from(["a@b.c", "x" * 330 + "@x.dk", "İ" * 170 + "@x.dk", "@", " a@b.dk ",
                     '"a b"@x.dk', "olga@randers.dk"]),
    st.sampled_from(["admin", "manager", "viewer", "root", "en", "da", "xx", "immediate",
                     "weekly", "1, 3, 6", "36", "37", "1," * 150, "true", "idea", "theme"]),
    st.text(max_size=40),
)  # fmt: skip
VALUES = HOSTILE_TEXT | st.lists(HOSTILE_TEXT, min_size=2, max_size=3)
UPLOADS = st.tuples(
    st.sampled_from([b"", b"\x00" * 64, b"%PDF-1.4\n", b"PK\x03\x04", b"- Ide\n" * 3])
    | st.binary(max_size=300),
    st.sampled_from(["referat.txt", "", "a\x00.txt", "../../etc/passwd", "x" * 400, "é.pdf"]),
)
# A valid form per route, where one is needed to get past the first check.
VALID: dict[str, dict[str, str]] = {
    "auth.login": {"email": "olga@randers.dk", "password": "correct horse battery"},
    "auth.choose_language": {"lang": "en", "next": "/my"},
    "ideas.new_idea": {"title": "Natbus", "description": "Om natten", "themes": "Trafik"},
    "ideas.edit_idea": {"title": "Natbus", "expected_version": "1"},
    "ideas.add_comment": {"body": "Godt"},
    "ideas.add_follower": {"name": "Fie", "email": "fie@example.dk", "delivery": "daily"},
    "gates.gate": {
        "data-impact": "3",
        "data-feasibility": "3",
        "data-cost": "3",
        "data-summary": "Godt",
        "data-starts_on": "2030-01-01",
        "data-ends_on": "2030-06-01",
        "data-success_criteria": "Flere passagerer",
        "data-owner": "olga@randers.dk",
        "data-budget_dkk": "125.000,50",
        "data-outcome": "success",
        "data-evaluation": "Godt",
        "data-scale_to": "Langå\nRanders",
        "reason": "Fordi",
        "data-revisit_on": "2099-01-01",
        "expected_version": "1",
    },
    "meetings.add_participant": {"name": "Gerd", "organisation": "Ældresagen"},
    "meeting_reports.set_plan": {"months": "1, 3, 6"},
    "meeting_reports.send_now": {"after": "0"},
    "imports.confirm_import": {"theme": "0", "idea": "0", "participant": "0"},
    "admin.invite": {"name": "Ny", "email": "ny@randers.dk", "role": "viewer"},
    "admin.change_role": {"role": "manager"},
    "admin.choose_sign_in": {"local_passwords": "admins"},
    "admin.accept_invitation": {"password": "langt nok kodeord", "password_again": "langt nok"},
    "mail.clear_suppression": {"email": "fie@example.dk"},
    "mail.resend_failed": {"id": "1"},
}
MESSAGE = re.compile(r'role="alert"|class="narrow"|class="flash')


def fields_of(rule: Rule, variant: str | None) -> list[str]:
    """The fields a form is known to take (its valid form's; for a gate, the trigger's); for
    a form that takes none or is not in VALID yet, one field it does not expect."""
    known = list(VALID.get(rule.endpoint, {}))
    if rule.endpoint == "gates.gate" and variant is not None:
        trigger = next(trigger for trigger in TRIGGERS if trigger.name == variant)
        known = sorted({field_id(spec) for spec in trigger.fields} | {"reason", "expected_version"})
    return known or ["name"]


def forms(app: Flask) -> list[tuple[Rule, str | None, str]]:
    """(rule, variant, role) for every web form and every role allowed to post it."""
    return [
        (rule, variant, role)
        for key, method, rule, variant in routes(app)
        if method == "POST" and not rule.rule.startswith("/api/")
        for role in ROLES
        if MATRIX[key][role] == OK
    ]


def check(response: Any, endpoint: str, sent: MultiDict[str, Any]) -> None:
    """Never a 5xx; a 4xx says why; nothing sent comes back unescaped."""
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (endpoint, sent, text[:300])
    if 400 <= response.status_code < 500:
        assert MESSAGE.search(text), (endpoint, response.status_code, text[:300])
    elif response.status_code in (302, 303):
        assert response.headers.get("Location"), endpoint
    else:
        assert response.status_code == 200, (endpoint, response.status_code)
    assert SCRIPT not in text and IMAGE not in text, (endpoint, "unescaped input")


@pytest.fixture
def world(app: Flask, uow: UowFactory, make_user: Callable[..., Actor]) -> World:
    world = build_world(app, uow, make_user)
    world.fresh = True
    return world


def post(world: World, rule: Rule, variant: str | None, role: str, form: MultiDict[str, Any],
         upload: tuple[bytes, str] | None) -> Any:  # fmt: skip
    """Post ``form`` (and ``upload`` as the file) as ``role`` with the session's CSRF token."""
    fresh = rule.endpoint in ("auth.logout", "auth.login")  # these change who is signed in
    client = world.client(role, fresh=fresh)
    data = MultiDict(form)
    data["csrf_token"] = world.csrf_token(role, client)
    if upload is not None:
        data["file"] = (io.BytesIO(upload[0]), upload[1])
    return client.post(world.url(rule, variant), data=data, headers={"Accept-Language": "en"})


def test_every_form_survives_hostile_input(world: World) -> None:
    targets = forms(world.app)
    assert len({rule.endpoint for rule, _, _ in targets}) >= 24

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(target=st.sampled_from(targets), start_valid=st.booleans(), data=st.data())
    def fuzz(target: tuple[Rule, str | None, str], start_valid: bool, data: st.DataObject) -> None:
        rule, variant, role = target
        # Mostly the form's own fields (a valid form with one or two made hostile reaches the
        # deepest), sometimes any field a form has.
        names = st.sampled_from(fields_of(rule, variant)) | st.sampled_from(FIELDS)
        fields = data.draw(st.dictionaries(names, VALUES, min_size=1, max_size=4), "fields")
        upload = data.draw(st.none() | UPLOADS, "upload")
        form: MultiDict[str, Any] = MultiDict(VALID.get(rule.endpoint, {}) if start_valid else {})
        for name, value in fields.items():
            form.setlist(name, value if isinstance(value, list) else [value])
        check(post(world, rule, variant, role, form, upload), rule.endpoint, form)

    fuzz()


SHARP = (  # one of each kind of trouble, for every field of every form
    "9" * 5000,  # int() refuses more than 4,300 digits
    "\u00b2",  # a digit to str.isdigit(), not to int()
    "2147483648",  # one more than an INTEGER column holds
    "x" * 330 + "@x.dk",  # longer than any column
    "İ" * 170 + "@x.dk",  # fits, but lowercasing makes it longer
    SCRIPT,
)


def test_every_field_of_every_form_with_each_kind_of_trouble(world: World) -> None:
    """A valid form with one field replaced, by each SHARP value and by two values at once, as
    the first role allowed to post it."""
    first_allowed: dict[tuple[str, str | None], tuple[Rule, str | None, str]] = {}
    for rule, variant, role in forms(world.app):
        first_allowed.setdefault((rule.endpoint, variant), (rule, variant, role))
    for rule, variant, role in first_allowed.values():
        for name in fields_of(rule, variant):
            for values in [*([value] for value in SHARP), ["1", "2"]]:
                form: MultiDict[str, Any] = MultiDict(VALID.get(rule.endpoint, {}))
                form.setlist(name, values)
                check(post(world, rule, variant, role, form, None), rule.endpoint, form)


def test_ten_megabytes_in_every_form(world: World) -> None:
    """10 MB in a field (within MAX_CONTENT_LENGTH): refused or cut, never a 5xx."""
    huge = "x" * (10 * 1024 * 1024)
    seen = set()
    for rule, variant, role in forms(world.app):
        if rule.endpoint in seen:
            continue
        seen.add(rule.endpoint)
        valid = VALID.get(rule.endpoint, {})
        field = next(iter(valid), "title")
        form: MultiDict[str, Any] = MultiDict({**valid, field: huge})
        check(post(world, rule, variant, role, form, None), rule.endpoint, MultiDict())
