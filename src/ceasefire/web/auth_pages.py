"""Web sign-in and sign-out: ``GET|POST /login``, ``POST /logout``; the signed-in user's own
password change: ``GET|POST /account/password``.

A sign-in is ``auth.login``: the same throttled password check as ``POST /api/v1/auth/token``,
and the same 12-hour API token, kept in the HttpOnly, SameSite=Strict cookie of
``web.session``. Signing out revokes that token, so a copied cookie stops working too, and so
does signing in again over it (the replaced session's token is revoked).

Forms are protected against cross-site request forgery by the session's CSRF token
(``web.csrf``: every POST that carries the sign-in cookie must carry it), and besides:

- the cookie is ``SameSite=Strict``, so a browser never sends it with a request another
  site starts (a forged ``POST /logout`` arrives signed out and does nothing);
- every form ``POST`` here must come from this site's own pages: a browser names the page's
  origin in ``Origin`` (or, failing that, ``Referer``), and any other origin, or ``null``,
  is refused with a 403. This also stops *login* forgery (signing a victim into the
  attacker's account), against which SameSite cannot help: that request carries no cookie.
  A request with neither header does not come from a browser form, so it cannot be forged
  by a web page, and is allowed (e.g. scripts using ``curl``).

The password form also only works with the current password, which a forging page does
not know.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ceasefire import i18n
from ceasefire.access import Viewer
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import (
    CeasefireError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from ceasefire.i18n.markers import N_
from ceasefire.members import auth
from ceasefire.members.schemas import IssuedToken, TokenCreate, TokenPublic
from ceasefire.members.sign_in import counted_sign_in
from ceasefire.timeutil import utcnow
from ceasefire.web import common, csrf, forms
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.pages import language_of, render, set_preference_cookies
from ceasefire.web.session import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    SignedInViewer,
    WebViewer,
    clear_session_cookie,
    set_device_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)

WRONG_CREDENTIALS = N_("Wrong user name or password.")


def check_same_origin(request: Request) -> None:
    """Refuse (403) a form post that a page of another origin made the browser send."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if referer is None:
            return
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin.lower() != common.origin_of(request):
        raise Forbidden.worded(N_("cross-site form submission refused"))


def _no_store(response: Response) -> Response:
    # The sign-in page must not be cached (shared machines) nor framed (click-jacking; the
    # full Content-Security-Policy, frame-ancestors 'none' included, is api/headers.py's).
    response.headers["cache-control"] = "no-store"
    response.headers["x-frame-options"] = "DENY"
    return response


def _answer(response: Response, status: int, retry_after_s: int | None) -> Response:
    """The sign-in or account page with its status, when to try again after too many tries
    (``retry-after``), and never cached."""
    response.status_code = status
    if retry_after_s is not None:
        response.headers["retry-after"] = str(retry_after_s)
    return _no_store(response)


def _login_page(
    request: Request,
    viewer: Viewer,
    *,
    next_path: str,
    user_id: str = "",
    error: str | None = None,
    status: int = 200,
    retry_after_s: int | None = None,
) -> Response:
    response = render(
        "login.html",
        request=request,
        viewer=viewer,
        next_path=next_path,
        user_id=user_id,
        error=error,
    )
    return _answer(response, status, retry_after_s)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    viewer: WebViewer,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """The sign-in form."""
    return _login_page(request, viewer, next_path=common.local_path(next_path))


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    ctx: ContextDep,
    user_id: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check the password; on success keep a new API token in the cookie and go on.

    No session token is asked for: signing in does nothing with the current session (it
    replaces it), and a forged sign-in is refused by the origin check."""
    check_same_origin(request)
    public = Viewer.public()
    target = common.local_path(next_path)
    user_id = user_id.strip()
    if not user_id or not password:
        return _login_page(
            request,
            public,
            next_path=target,
            user_id=user_id,
            error=N_("Enter a user name and a password."),
            status=422,
        )
    try:
        issued = counted_sign_in(
            request,
            user_id,
            lambda client: auth.login(
                ctx,
                user_id=user_id,
                password=password,
                client=client,
                device_cookie=request.cookies.get(DEVICE_COOKIE),
            ),
        )
    except Unauthorized:
        # One message for every cause: it must not tell which part was wrong.
        return _login_page(
            request, public, next_path=target, user_id=user_id, error=WRONG_CREDENTIALS, status=401
        )
    except TooManyRequests as exc:
        return _login_page(
            request,
            public,
            next_path=target,
            user_id=user_id,
            error=_refusal(request, exc),
            status=429,
            retry_after_s=exc.retry_after_s,
        )
    replaced = request.cookies.get(SESSION_COOKIE)
    if replaced:
        # The browser drops the session this sign-in replaces: end it, so that no copy of
        # its cookie stays signed in for the rest of its twelve hours.
        auth.logout(ctx, replaced)
    response = RedirectResponse(target, status_code=303)
    expires_at = issued.info.expires_at
    max_age = int((expires_at - utcnow()).total_seconds()) if expires_at else 12 * 3600
    set_session_cookie(response, request, issued.token, max_age)
    set_device_cookie(response, request, issued.device_cookie)
    # The language and time zone this user chose before, on whichever browser.
    chosen = auth.preferences_of(ctx, user_id)
    set_preference_cookies(request, response, chosen.lang, chosen.time_zone)
    return _no_store(response)


@router.post("/logout")
def logout(
    request: Request, ctx: ContextDep, csrf_token: Annotated[str | None, Form()] = None
) -> Response:
    """Revoke the session's token, drop the cookie and go back to the public dashboard."""
    check_same_origin(request)
    csrf.check(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.logout(ctx, token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, request)
    return _no_store(response)


ACCOUNT_PAGE = "/account/password"

NEW_TOKEN = forms.FormLabels(
    {
        "label": N_("Label"),
        "expires_in_days": N_("Valid for (days, at most 366)"),
        "password": N_("Your password"),
    },
    places={"expires_at": "expires_in_days", "expires_in": "expires_in_days"},
)
"""The new token form's fields by their labels (``account_password.html`` reads them here)."""


def _password_page(
    request: Request,
    viewer: Viewer,
    *,
    ctx: ServiceContext,
    changed: bool = False,
    error: str | None = None,
    status: int = 200,
    retry_after_s: int | None = None,
    issued: IssuedToken | None = None,
    token_error: CeasefireError | None = None,
    token_values: dict[str, str] | None = None,
    done: list[int] | None = None,
    done_for_others: bool = False,
) -> Response:
    response = render(
        "account_password.html",
        request=request,
        viewer=viewer,
        changed=changed,
        error=error,
        min_length=auth.MIN_PASSWORD_LENGTH,
        tokens=auth.list_tokens(ctx, viewer, user_id=viewer.user_id),
        session_token=auth.token_id_of(ctx, request.cookies.get(SESSION_COOKIE)),
        others=_others_tokens(ctx, viewer),
        issued=issued,
        token_error=token_error,
        **forms.problems_shown(token_error, NEW_TOKEN),
        labels=NEW_TOKEN.labels,
        tv=token_values or {"label": "api", "expires_in_days": "30"},
        done=done or [],
        done_for_others=done_for_others and viewer.operator,
    )
    return _answer(response, status, retry_after_s)


def _others_tokens(ctx: ServiceContext, viewer: Viewer) -> list[TokenPublic] | None:
    """The other users' active tokens, for an operator (``auth.list_tokens`` lists everyone's
    to operators only, as ``GET /api/v1/auth/tokens``); ``None``, no section, for the others."""
    if not viewer.operator:
        return None
    return [
        t
        for t in auth.list_tokens(ctx, viewer)
        if t.user_id != viewer.user_id and t.state == "active"
    ]


def _to_sign_in() -> Response:
    return _no_store(RedirectResponse(f"/login?next={ACCOUNT_PAGE}", status_code=303))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


def _refusal(request: Request, error: CeasefireError) -> str:
    """A refusal as a sentence in the page's language (by its wording, where it has one:
    the sign-in limits' 429s)."""
    lang = language_of(request)
    return _sentence(common.error_text(error, lambda msgid: i18n.gettext(lang, msgid)))


@router.get(ACCOUNT_PAGE, response_class=HTMLResponse)
def password_form(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    changed: bool = False,
    done: str | None = None,
    of: str | None = None,
) -> Response:
    """The signed-in user's account page: the password form and the user's API tokens, and
    for an operator the other users' (the public is sent to sign in first). ``of=others``:
    the ``done`` entries are about another user's token, shown in that section."""
    if viewer.is_public:
        return _to_sign_in()
    return _password_page(
        request,
        viewer,
        ctx=ctx,
        changed=changed,
        done=common.done_entries(done),
        done_for_others=of == "others",
    )


@router.post(ACCOUNT_PAGE, response_class=HTMLResponse)
def password_submit(
    request: Request,
    ctx: ContextDep,
    viewer: SignedInViewer,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Change the signed-in user's password; this session stays, the others end. The public
    is sent to sign in before the form is read (``SignedInViewer``: ``AuthFirst``)."""
    check_same_origin(request)
    csrf.check(request, csrf_token)
    if viewer.is_public:
        return _to_sign_in()
    if new_password != new_password_again:
        return _password_page(
            request,
            viewer,
            ctx=ctx,
            error=i18n.gettext(language_of(request), N_("The two new passwords differ.")),
            status=422,
        )
    try:
        changed = counted_sign_in(
            request,
            viewer.user_id or "",
            lambda client: auth.change_password(
                ctx,
                viewer,
                current_password=current_password,
                new_password=new_password,
                current_token=request.cookies.get(SESSION_COOKIE),
                client=client,
                device_cookie=request.cookies.get(DEVICE_COOKIE),
            ),
        )
    except TooManyRequests as exc:
        return _password_page(
            request,
            viewer,
            ctx=ctx,
            error=_refusal(request, exc),
            status=429,
            retry_after_s=exc.retry_after_s,
        )
    except (Forbidden, InvalidInput, Conflict) as exc:
        return _password_page(
            request, viewer, ctx=ctx, error=_refusal(request, exc), status=exc.status
        )
    response = RedirectResponse(f"{ACCOUNT_PAGE}?changed=true", status_code=303)
    set_device_cookie(response, request, changed.device_cookie)
    return _no_store(response)


TOKENS = "/account/tokens"


@router.post(TOKENS, response_class=HTMLResponse, dependencies=CsrfChecked)
def create_token(
    request: Request,
    ctx: ContextDep,
    viewer: SignedInViewer,
    password: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "api",
    expires_in_days: Annotated[str, Form()] = "30",
) -> Response:
    """A new API token for the signed-in user (``auth.create_token``, as
    ``POST /api/v1/auth/tokens``: it needs the user's password, counted as a sign-in). The
    secret is shown on this answer once, never put in a URL, nor kept."""
    check_same_origin(request)
    if viewer.is_public:
        return _to_sign_in()
    values = {"label": label, "expires_in_days": expires_in_days}
    before = common.head_seq(ctx)
    try:
        body = forms.validated(
            TokenCreate,
            {"password": password, "label": label, "expires_in_days": expires_in_days},
        )
        issued = counted_sign_in(
            request,
            viewer.user_id or "",
            lambda client: auth.create_token(
                ctx,
                viewer,
                user_id=viewer.user_id or "",
                label=body.label,
                expires_in=timedelta(days=body.expires_in_days) if body.expires_in_days else None,
                password=body.password,
                client=client,
                device_cookie=request.cookies.get(DEVICE_COOKIE),
            ),
        )
    except (TooManyRequests, Forbidden, InvalidInput, Conflict, NotFound) as exc:
        return _password_page(
            request,
            viewer,
            ctx=ctx,
            token_error=exc,
            token_values=values,
            status=exc.status,
            retry_after_s=exc.retry_after_s if isinstance(exc, TooManyRequests) else None,
        )
    done = common.entries_since(ctx, viewer, before, f"token/{issued.info.id}")
    response = _password_page(request, viewer, ctx=ctx, issued=issued, done=done, status=201)
    set_device_cookie(response, request, issued.device_cookie)
    return response


@router.post(TOKENS + "/{token_id}/revoke", dependencies=CsrfChecked)
def revoke_token(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, token_id: str
) -> Response:
    """Revoke a token (``auth.revoke_token``, as ``DELETE /api/v1/auth/tokens/{id}``): one's
    own, or an operator any user's; another user's is a 404 to anyone else."""
    check_same_origin(request)
    if viewer.is_public:
        return _to_sign_in()
    before = common.head_seq(ctx)
    current = auth.token_id_of(ctx, request.cookies.get(SESSION_COOKIE))
    revoked = auth.revoke_token(ctx, viewer, token_id)
    if revoked.id == current:
        # The page offers "sign out" for this session's own token; revoking it (a page
        # left open in another tab) is a sign-out, and answers as one.
        response = RedirectResponse("/", status_code=303)
        clear_session_cookie(response, request)
        return _no_store(response)
    done = common.done_since(ctx, viewer, before, f"token/{token_id}")
    where = "#tokens" if revoked.user_id == viewer.user_id else "&of=others#all-tokens"
    return _no_store(RedirectResponse(f"{ACCOUNT_PAGE}?done={done}{where}", status_code=303))
