"""Sign-in through the organisation's identity provider: OpenID Connect, code flow with PKCE.

Authlib does the protocol: discovery from the issuer, ``state`` and ``nonce`` kept in the
session, the PKCE verifier, the code exchange, and the ID token's signature (the provider's
published keys), issuer, audience, expiry and nonce. This module adds the checks Authlib leaves
to the application (the discovered issuer is the configured one; an ID token was returned) and
turns each way it can fail into a page in the user's language, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import login_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response as BaseResponse

from web.auth import WebUser, fresh_session, safe_next
from web.database import unit_of_work
from workflow.identity_provider import ProviderConfig, claim_values, role_from_claims
from workflow.services import provider_sign_in
from workflow.services.provider_sign_in import ProviderIdentity, ProviderSignInRefused

logger = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__)
CLIENT = "ideaflow.oidc_client"
CONFIG = "ideaflow.identity_provider"
SCOPES = "openid email profile"
TIMEOUT_S = 10  # each request to the provider
ID_TOKEN = "oidc_id_token"  # noqa: S105 (a session key) kept for RP-initiated logout
NEXT = "oidc_next"


class ProviderProblem(Exception):
    """The provider's answer could not be used (``kind`` picks the page; ``reason`` is logged)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def init_app(app: Flask, config: ProviderConfig | None) -> None:
    """Register the provider's client and its routes when one is configured."""
    app.extensions[CONFIG] = config
    if config is None:
        return
    app.register_blueprint(bp)
    oauth = OAuth(app)
    app.extensions[CLIENT] = oauth.register(
        name="provider",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url,
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_S,
        },
    )


def provider() -> ProviderConfig | None:
    """The configured identity provider, or None (local passwords only)."""
    config: ProviderConfig | None = current_app.extensions.get(CONFIG)
    return config


@bp.get("/login/oidc")
def start() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Send the browser to the provider to sign in, and remember where to come back to."""
    config, client = _configured()
    session[NEXT] = safe_next(request.args.get("next"))
    try:
        _metadata(config, client)
        return client.authorize_redirect(  # type: ignore[no-any-return]
            redirect_uri=callback_url(), ui_locales=str(get_locale())
        )
    except ProviderProblem as problem:
        return _problem_page(config, problem)


@bp.get("/login/oidc/callback")
def callback() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """The provider sends the browser back here with a code: verify it and sign the person in."""
    config, client = _configured()
    try:
        claims, id_token = _verified_claims(config, client)
    except ProviderProblem as problem:
        return _problem_page(config, problem)
    grant = role_from_claims(claims, config.role_claim, config.role_map)
    email = claims.get("email") or _address_like(claims.get("preferred_username"))
    identity = ProviderIdentity(
        subject=config.subject(str(claims["sub"])),
        email=email if isinstance(email, str) else None,
        name=claims.get("name") if isinstance(claims.get("name"), str) else None,
        grant=grant,
    )
    try:
        with unit_of_work() as uow:
            signed_in = provider_sign_in.sign_in_with_provider(uow, identity)
    except ProviderSignInRefused as refused:
        logger.warning(
            "provider sign-in refused: %s (groups %s)",
            refused.reason.value,
            claim_values(claims, config.role_claim),
        )
        page = render_template("auth/provider_refused.html", reason=refused.reason.value,
                               provider_name=config.display_name)  # fmt: skip
        return page, 403, {}
    next_page = session.get(NEXT)
    fresh_session()
    session[ID_TOKEN] = id_token
    login_user(WebUser(signed_in.token, signed_in.actor, signed_in.language))
    return redirect(next_page or url_for("board.home"))


def callback_url() -> str:
    """The redirect URI to register at the provider (from IDEAFLOW_BASE_URL, not the request)."""
    settings = current_app.config["IDEAFLOW_SETTINGS"]
    return f"{settings.base_url}/login/oidc/callback"


def logout_url(id_token: str | None) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), or None when it offers
    no such endpoint or cannot be reached."""
    config = provider()
    client = current_app.extensions.get(CLIENT)
    if config is None or client is None:
        return None
    try:
        metadata = _metadata(config, client)
    except ProviderProblem:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    settings = current_app.config["IDEAFLOW_SETTINGS"]
    params = {
        "client_id": config.client_id,
        "post_logout_redirect_uri": f"{settings.base_url}/login",
    }
    if id_token:
        params["id_token_hint"] = id_token
    request_ = requests.Request("GET", endpoint, params=params).prepare()
    return str(request_.url)


def _configured() -> tuple[ProviderConfig, Any]:
    config = provider()
    client = current_app.extensions.get(CLIENT)
    if config is None or client is None:
        abort(404)
    return config, client


def _metadata(config: ProviderConfig, client: Any) -> dict[str, Any]:
    """The provider's discovery document, checked to be the configured issuer's."""
    try:
        metadata: dict[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise ProviderProblem("unreachable", f"discovery failed: {error}") from None
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer.rstrip("/"):
        client.server_metadata.clear()  # not kept: the next attempt asks again
        raise ProviderProblem("misconfigured", f"discovery names issuer {metadata.get('issuer')!r}")
    return metadata


def _verified_claims(config: ProviderConfig, client: Any) -> tuple[dict[str, Any], str]:
    """The ID token's claims (plus the role claim from userinfo if the token lacks it)."""
    if request.args.get("error"):
        raise ProviderProblem("cancelled", f"provider said {request.args.get('error')!r}")
    _metadata(config, client)
    try:
        token = client.authorize_access_token(claims_options=_id_token_rules(config))
    except MismatchingStateError:
        raise ProviderProblem("state", "state missing or not this session's") from None
    except OAuthError as error:
        raise ProviderProblem("rejected", f"token request refused: {error}") from None
    except JoseError as error:
        raise ProviderProblem("invalid_token", f"ID token refused: {error!r}") from None
    except requests.RequestException as error:
        raise ProviderProblem("unreachable", f"token request failed: {error}") from None
    claims = token.get("userinfo")
    if not claims or not token.get("id_token") or not claims.get("sub"):
        raise ProviderProblem("invalid_token", "no ID token in the token response")
    claims = dict(claims)
    if config.role_claim not in claims:
        claims.update(_role_claim_from_userinfo(config, client, token, str(claims["sub"])))
    return claims, str(token["id_token"])


def _id_token_rules(config: ProviderConfig) -> dict[str, Any]:
    """What the ID token's issuer and audience must be (Authlib checks the audience only when
    told to): this client alone, as OpenID Connect Core 3.1.3.7 asks, no other audiences."""
    return {
        "iss": {"essential": True, "values": [config.issuer]},
        "aud": {
            "essential": True,
            "values": [config.client_id],
            "validate": lambda _claims, aud: aud in (config.client_id, [config.client_id]),
        },
    }


def _role_claim_from_userinfo(
    config: ProviderConfig, client: Any, token: dict[str, Any], subject: str
) -> dict[str, Any]:
    """Some providers put groups only in userinfo: ask there, for the same subject."""
    if not client.server_metadata.get("userinfo_endpoint"):
        return {}
    try:
        info = client.userinfo(token=token)
    except (requests.RequestException, OAuthError, ValueError) as error:
        raise ProviderProblem("unreachable", f"userinfo failed: {error}") from None
    if str(info.get("sub")) != subject or config.role_claim not in info:
        return {}
    return {config.role_claim: info[config.role_claim]}


def _address_like(value: object) -> str | None:
    return value if isinstance(value, str) and "@" in value else None


def _problem_page(
    config: ProviderConfig, problem: ProviderProblem
) -> tuple[str, int, dict[str, str]]:
    logger.warning("provider sign-in failed (%s): %s", problem.kind, problem.reason)
    status = {"unreachable": 503, "misconfigured": 503, "state": 400}.get(problem.kind, 401)
    headers = {"Retry-After": "60"} if status == 503 else {}
    page = render_template("auth/provider_problem.html", kind=problem.kind,
                           provider_name=config.display_name)  # fmt: skip
    return page, status, headers
