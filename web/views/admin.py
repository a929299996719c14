"""Administration: users, their roles, invitations; and the public page that accepts one."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from web import oidc
from web.auth import current_actor, requires_role
from web.database import settings, unit_of_work
from web.i18n import ROLE_NAMES
from workflow.errors import ValidationFailed
from workflow.permissions import ROLES, Role
from workflow.security import MIN_PASSWORD_LENGTH
from workflow.services import admin, sign_in_policy
from workflow.uow import UnitOfWork

bp = Blueprint("admin", __name__)
INVITE_FIELDS = ("name", "email", "role")
Page = str | tuple[str, int]


@bp.get("/admin/users")
@requires_role(Role.ADMIN)
def users() -> Page:
    """Every user, with their role and status, and the form to invite a new one."""
    return _users_page({}, {})


@bp.post("/admin/users/invite")
@requires_role(Role.ADMIN)
def invite() -> Page:
    """Add a user without a password and show the admin their one-time invitation link."""
    values = {name: request.form.get(name, "") for name in INVITE_FIELDS}
    try:
        with unit_of_work() as uow:
            issued = admin.invite_user(
                uow,
                current_actor(),
                name=values["name"],
                email=values["email"],
                role=values["role"],
            )
    except ValidationFailed as error:
        errors = {f"invite-{key}": message for key, message in error.fields.items()}
        return _users_page(errors, values)
    return _invitation_page(issued, new_user=True)


@bp.post("/admin/users/<int:user_id>/invitation")
@requires_role(Role.ADMIN)
def reinvite(user_id: int) -> Page:
    """A new invitation link for a user who has no password yet (older links stop working)."""
    try:
        with unit_of_work() as uow:
            issued = admin.reinvite_user(uow, current_actor(), user_id)
    except ValidationFailed as error:
        return _users_page(_row_errors(user_id, error), {})
    return _invitation_page(issued, new_user=False)


@bp.post("/admin/users/<int:user_id>/role")
@requires_role(Role.ADMIN)
def change_role(user_id: int) -> Page | BaseResponse:
    """Give a user another role."""
    role = request.form.get("role", "")

    def change(uow: UnitOfWork) -> admin.AdminUser:
        return admin.change_role(uow, current_actor(), user_id, role)

    return _row_action(
        user_id,
        change,
        lambda user: _("%(name)s is now: %(role)s.", name=user.name, role=ROLE_NAMES[user.role]),
    )


@bp.post("/admin/users/<int:user_id>/deactivate")
@requires_role(Role.ADMIN)
def deactivate(user_id: int) -> Page | BaseResponse:
    """Stop a user signing in; they are signed out on their next request."""

    def change(uow: UnitOfWork) -> admin.AdminUser:
        return admin.deactivate_user(uow, current_actor(), user_id)

    return _row_action(
        user_id,
        change,
        lambda user: _("%(name)s is deactivated and can no longer sign in.", name=user.name),
    )


@bp.post("/admin/users/<int:user_id>/reactivate")
@requires_role(Role.ADMIN)
def reactivate(user_id: int) -> Page | BaseResponse:
    """Let a deactivated user sign in again."""

    def change(uow: UnitOfWork) -> admin.AdminUser:
        return admin.reactivate_user(uow, current_actor(), user_id)

    return _row_action(user_id, change, lambda user: _("%(name)s is active again.", name=user.name))


@bp.post("/admin/sign-in")
@requires_role(Role.ADMIN)
def choose_sign_in() -> Page | BaseResponse:
    """Choose who may still sign in with a local password while the provider is on."""
    try:
        with unit_of_work() as uow:
            choice = sign_in_policy.choose_local_passwords(
                uow, current_actor(), request.form.get("local_passwords", "")
            )
    except ValidationFailed as error:
        return _users_page(error.fields, {})
    if choice is sign_in_policy.LocalPasswords.ADMINS:
        flash(_("Only administrators may now sign in with a password."), "success")
    else:
        flash(_("Everybody with a password may sign in with it."), "success")
    return redirect(url_for("admin.users"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Page | BaseResponse:
    """Set a password with an invitation link (public: the invited person is not signed in)."""
    errors: dict[str, str] = {}
    try:
        with unit_of_work() as uow:
            invitation = admin.open_invitation(uow, token)
        if request.method == "POST":
            try:
                with unit_of_work() as uow:
                    admin.accept_invitation(
                        uow,
                        token,
                        request.form.get("password", ""),
                        request.form.get("password_again", ""),
                    )
            except ValidationFailed as error:
                errors = error.fields
            else:
                flash(_("Your password is set. Sign in with your email address."), "success")
                return redirect(url_for("auth.login"))
    except admin.InvitationInvalid as refused:
        status = 404 if refused.problem is admin.InvitationProblem.UNKNOWN else 410
        page = render_template("admin/invitation_invalid.html", problem=refused.problem.value)
        return page, status
    page = render_template(
        "admin/accept.html",
        invitation=invitation,
        errors=errors,
        min_length=MIN_PASSWORD_LENGTH,
    )
    return (page, 422) if errors else page


def _users_page(errors: dict[str, str], values: dict[str, str]) -> Page:
    actor = current_actor()
    with unit_of_work() as uow:
        people = admin.list_users(uow, actor)
        passwords = sign_in_policy.local_passwords(uow).value
    labels = {
        "local_passwords": _("Who may still sign in with a password?"),
        "invite-name": _("Name"),
        "invite-email": _("Email address"),
        "invite-role": _("Role"),
    }
    for person in people:
        labels[f"role-{person.id}"] = _("Role of %(name)s", name=person.name)
        labels[f"active-{person.id}"] = _("Status of %(name)s", name=person.name)
        labels[f"invitation-{person.id}"] = _("Invitation for %(name)s", name=person.name)
    page = render_template(
        "admin/users.html",
        users=people,
        me=actor.id,
        roles=ROLES,
        errors=errors,
        labels=labels,
        values=values,
        provider=oidc.provider(),
        passwords=passwords,
    )
    return (page, 422) if errors else page


def _row_errors(user_id: int, error: ValidationFailed) -> dict[str, str]:
    """A row's error keys (``role``) as the ids of that row's controls (``role-7``)."""
    return {f"{key}-{user_id}": message for key, message in error.fields.items()}


def _row_action(
    user_id: int,
    change: Callable[[UnitOfWork], admin.AdminUser],
    success: Callable[[admin.AdminUser], str],
) -> Page | BaseResponse:
    try:
        with unit_of_work() as uow:
            user = change(uow)
    except ValidationFailed as error:
        return _users_page(_row_errors(user_id, error), {})
    flash(success(user), "success")
    return redirect(url_for("admin.users"))


def _invitation_page(issued: admin.IssuedInvitation, *, new_user: bool) -> str:
    # Rendered in the POST's response rather than after a redirect, so the token is never kept
    # anywhere (not even in the session cookie); the page is not cached (Cache-Control: no-store).
    link = f"{settings().base_url}/invite/{issued.token}"
    return render_template("admin/invitation.html", invitation=issued, link=link, new_user=new_user)
