"""Signing in and out of the web app, and the rule that every page needs a signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from web.database import reading, unit_of_work
from workflow.i18n import LANGUAGES
from workflow.permissions import Actor, Role
from workflow.services import sessions, sign_in_policy, users

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "oidc.start",
        "oidc.callback",
        "auth.choose_language",
        "static",
        "health.healthz",
        "admin.accept_invitation",
        # Stakeholders without an account, with signed links from their emails:
        "public.unsubscribe_page",
        "public.unsubscribe",
        "public.status_page",
        "public.report_page",
    }
)
EMAIL_MAX = 320
PASSWORD_MAX = 1024  # argon2 takes any length; this bounds the work one request can ask for
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class WebUser:
    """The signed-in user as Flask-Login sees it; the id is the session token."""

    token: str
    actor: Actor
    language: str | None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The session token (Flask-Login keeps it in the signed cookie)."""
        return self.token

    @property
    def name(self) -> str:
        """The user's name."""
        return self.actor.name

    @property
    def role(self) -> str:
        """The user's role."""
        return self.actor.role.value


def current_actor() -> Actor:
    """The actor the current request runs as (pages require a signed-in user)."""
    actor: Actor = current_user.actor
    return actor


def requires_role(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse the view (403) unless the signed-in user has one of ``roles``."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_actor().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    return target


def client_address() -> str:
    """The client's address (behind a proxy, configure ProxyFix so this is the real one)."""
    return request.remote_addr or "unknown"


@login_manager.user_loader
def load_user(token: str) -> WebUser | None:
    """The user behind the session token in the cookie, while that session exists."""
    with reading() as uow:
        signed_in = sessions.session_user(uow, token)
        if signed_in is None:
            return None
        return WebUser(token, signed_in.actor, signed_in.language)


@login_manager.unauthorized_handler
def send_to_login() -> BaseResponse:
    """Pages need a signed-in user: go and sign in, and come back afterwards."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | BaseResponse | tuple[str, int, dict[str, str]]:
    """Sign in with email and password."""
    next_page = safe_next(request.values.get("next"))
    provider = current_app.extensions.get("ideaflow.identity_provider")
    if current_user.is_authenticated:
        return redirect(next_page or url_for("board.home"))
    error, status, headers = None, 200, {}
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()[:EMAIL_MAX]
        password = request.form.get("password", "")
        if len(password) > PASSWORD_MAX:
            password = ""  # never anybody's password; still checked, so it takes the same time
        try:
            with unit_of_work() as uow:
                signed_in = sessions.sign_in(
                    uow, email, password, client_address(), provider_on=provider is not None
                )
        except sessions.SignInThrottled as throttled:
            error, status = _("Too many failed attempts. Wait a minute and try again."), 429
            headers["Retry-After"] = str(throttled.retry_after)
        except sessions.SignInRefused:
            error, status = _("The email address or the password is wrong."), 200
        except sessions.PasswordsOff:
            name = provider.display_name if provider else ""
            error = _("Passwords are only for administrators here. Sign in with %(provider)s.",
                      provider=name)  # fmt: skip
        else:
            fresh_session()
            login_user(WebUser(signed_in.token, signed_in.actor, signed_in.language))
            return redirect(next_page or url_for("board.home"))
    with reading() as uow:
        first_run = provider is None and not users.anybody_can_sign_in(uow)
        passwords = sign_in_policy.local_passwords(uow).value if provider else "everyone"
    page = render_template("auth/login.html", error=error, email=email, next_page=next_page,
                           first_run=first_run, provider=provider,
                           passwords=passwords)  # fmt: skip
    return page, status, headers


def fresh_session() -> None:
    """Start the cookie session afresh at sign-in: only the chosen language carries over."""
    chosen_language = session.get("lang")
    session.clear()
    if chosen_language:
        session["lang"] = chosen_language


@bp.post("/logout")
def logout() -> BaseResponse:
    """Sign out: the server forgets the session, so a copied cookie no longer works; a session
    opened through the identity provider ends there too when it offers that."""
    from web.oidc import ID_TOKEN, logout_url

    id_token = session.get(ID_TOKEN)
    if current_user.is_authenticated:
        with unit_of_work() as uow:
            sessions.sign_out(uow, current_user.token)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    at_provider = logout_url(id_token) if id_token else None
    return redirect(at_provider or url_for("auth.login"))


@bp.post("/language")
def choose_language() -> BaseResponse:
    """Switch the interface language (remembered for the user when signed in)."""
    language = request.form.get("lang")
    if language in LANGUAGES:
        session["lang"] = language
        if current_user.is_authenticated:
            with unit_of_work() as uow:
                sessions.choose_language(uow, current_actor(), language)
    return redirect(safe_next(request.form.get("next")) or url_for("board.home"))


def init_app(app: Flask) -> None:
    """Wire Flask-Login in and make every page but the public ones require a signed-in user."""
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are server-side; rotation happens at login

    @app.before_request
    def require_sign_in() -> Response | BaseResponse | None:
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(("api.", "health.")):
            return None
        if request.endpoint is None:
            return None  # unknown URL: let it 404
        if not current_user.is_authenticated:
            return login_manager.unauthorized()  # type: ignore[no-any-return]
        return None

    @app.context_processor
    def user_helpers() -> dict[str, Any]:
        return {"Role": Role}
