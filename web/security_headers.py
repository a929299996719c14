"""Headers every response carries, so browsers treat ideaflow's content defensively."""

from __future__ import annotations

from flask import Flask, Response, request

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# No inline scripts or styles anywhere: everything comes from /static on this site.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def page_csp(form_targets: tuple[str, ...] = ()) -> str:
    """The pages' policy; ``form_targets`` are other origins a form may lead to (browsers apply
    form-action to the redirects after a form too: signing out continues at the provider)."""
    if not form_targets:
        return PAGE_CSP
    return PAGE_CSP.replace("form-action 'self'", f"form-action 'self' {' '.join(form_targets)}")


def init_app(app: Flask, form_targets: tuple[str, ...] = ()) -> None:
    """Add the security headers to every response."""
    pages = page_csp(form_targets)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        is_api = request.path.startswith("/api/")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", API_CSP if is_api else pages)
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if is_api or (response.mimetype == "text/html" and request.endpoint != "static"):
            headers.setdefault("Cache-Control", "no-store")
        return response
