"""The web server around the Streamlit script: start-up, and the routes that are plain HTTP.

`streamlit run app.py` finds the ASGI app defined in app.py (st.App) and serves it. The
database is migrated and seeded when the server starts, before the first visitor, so a new
server's first admin password is printed right away (once) and no visitor waits for it.

Sign-in is a form posted to /auth/sign-in: a real HTTP response can set an HttpOnly cookie,
which then carries the session to every reload, new tab and shared link.
"""

from __future__ import annotations

import gc
import importlib
import json
import pkgutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from urllib.parse import quote, urlsplit

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

import coalition
from coalition.access import audit, auth, sessions, tokens
from coalition.bootstrap import app_engine, close_app_engines
from coalition.errors import ValidationFailed
from coalition.notify import subscriptions
from coalition.notify.digest import UNSUBSCRIBE_PATH
from coalition.output import feed, snapshots, workbook
from coalition.read import columns, queries
from coalition.read.filters import filters_from_query, filters_to_query
from coalition.read.freshness import freshness
from core.settings import PROJECT_ROOT, SCREENS, SCREENS_URL, get_settings
from db.engine import DatabaseFault, database_fault, read_session, write_session
from entry import assets

MAIN_SCRIPT = str(PROJECT_ROOT / "ui" / "main.py")
SIGN_IN_PATH = "/sign_in"
# The first page of the navigation, which Streamlit serves at the root only.
DEFAULT_PAGE_PATH = "/overview"
METRICS = "/_stcore/metrics"
# Paths that are never a page: Streamlit's own, and ours.
NOT_PAGES = (
    "/_stcore",
    "/app/static",
    "/static",
    "/media",
    "/component",
    "/auth/",
    "/api/",
    assets.TOPOJSON_URL,  # the maps' files
    "/healthz",
    "/digest/",
    "/oauth2callback",
    "/favicon",
    "/robots.txt",
    SIGN_IN_PATH,
)


def engine() -> Engine:
    """The routes' engine: the process's one, which the pages share (app_engine). A database
    that cannot be prepared is a fault the routes answer with 503, like one that is down."""
    try:
        return app_engine()
    except ValidationFailed as error:
        raise DatabaseFault("it could not be prepared (see the server's console)") from error
    except OperationalError as error:
        raise database_fault(error) or DatabaseFault("it cannot be reached") from error


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    try:
        app_engine()  # migrated and seeded before the first visitor, the password printed
    except (ValidationFailed, DatabaseFault, OperationalError) as error:
        # Served anyway: every page says what is wrong, and tries again at each click.
        print(f"The database could not be prepared at start-up: {error}", file=sys.stderr)
    load_for_good()
    yield
    close_app_engines()


def load_for_good() -> None:
    """Import every module the pages draw on (coalition's, and with them plotly, pydeck and
    pandas), then keep what is alive out of the garbage collector's full passes (gc.freeze):
    a few hundred thousand objects of code and libraries, which made the full pass after a
    write's rebuilds cost about 0.1 s of CPU in each process, for nothing it could ever free.
    Garbage is collected first, so none of it is kept."""
    for module in pkgutil.walk_packages(coalition.__path__, "coalition."):
        if not module.name.endswith("__main__"):  # the command line, which would run
            importlib.import_module(module.name)
    gc.collect()
    gc.freeze()


async def healthz(_request: Request) -> Response:
    """200 when the database answers, 503 when it does not (for load balancers)."""

    def ping() -> None:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
    except Exception:  # any failure to reach the database is "unhealthy"
        return PlainTextResponse("database unreachable", status_code=503)
    return PlainTextResponse("ok")


def sign_in_page() -> str:
    """Where the sign-in page is: the app's root when there is nothing to see without an
    account (it is then the only page), else its own path."""
    return SIGN_IN_PATH if get_settings().anonymous_read else "/"


def safe_next(value: str | None) -> str:
    """A path on this site to go back to after sign-in; anything else goes home."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    if "\\" in value or any(ord(c) < 32 for c in value) or parts.path == SIGN_IN_PATH:
        return "/"
    return value


def same_origin(request: Request) -> bool:
    """A form posted by our own page: its Origin (or, failing that, Referer) names this host.
    A cross-site post, or one that names neither, is refused."""
    host = request.headers.get("host", "")
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == host


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def client_address(request: Request) -> str:
    """The client's address: the connection's, or behind our own proxy (when so configured)
    the last address X-Forwarded-For names, the one that proxy added."""
    forwarded = request.headers.get("x-forwarded-for", "")
    if get_settings().trust_forwarded_for and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else "unknown"


def _refuse_cross_site(request: Request) -> None:
    """Audit a refused cross-site post (the audit clips and bounds such entries). Refused all
    the same when the database cannot take the entry."""
    try:
        with write_session(engine()) as session:
            audit.record(
                session,
                actor="anonymous",
                event=audit.CrossSiteRefused(
                    path=request.url.path, origin=request.headers.get("origin")
                ),
            )
    except DatabaseFault:
        pass


def _sign_in(email: str, password: str, address: str) -> str:
    """A new session's token for a right password; PermissionDenied otherwise."""
    policy = sessions.SessionPolicy.of(get_settings())
    with write_session(engine()) as session:
        signed_in = auth.sign_in(session, email=email, password=password, address=address)
        return sessions.start_session(session, signed_in.account, policy)


async def sign_in_route(request: Request) -> Response:
    if not same_origin(request):
        await run_in_threadpool(_refuse_cross_site, request)
        return PlainTextResponse(
            "Refused: sign in from the app's own sign-in page.", status_code=403
        )
    form = await request.form()
    target = safe_next(str(form.get("next") or ""))
    back = f"{sign_in_page()}?next={quote(target, safe='')}"
    try:
        token = await run_in_threadpool(
            _sign_in,
            str(form.get("email") or "")[:300],
            str(form.get("password") or "")[:1000],
            client_address(request),
        )
    except auth.Throttled as wait:
        return RedirectResponse(f"{back}&failed=1&wait={wait.seconds}", status_code=303)
    except auth.PermissionDenied:
        return RedirectResponse(f"{back}&failed=1", status_code=303)
    except DatabaseFault:
        return RedirectResponse(f"{back}&unavailable=1", status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=int(sessions.SessionPolicy.of(get_settings()).lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


def signed_in(token: str | None, minimum: str = "viewer") -> bool | None:
    """Whether the cookie's token is a live session of an account with at least the role
    ``minimum``; None when the database cannot say."""
    if not token:
        return False
    policy = sessions.SessionPolicy.of(get_settings())
    try:
        with read_session(engine()) as session:
            found, _ = sessions.find_session(session, token, policy)
    except DatabaseFault:
        return None
    return found is not None and auth.allows(found.role, minimum)


class SignInFirst:
    """A signed-out visitor's link to a page goes to the sign-in page, which comes back to
    that exact address afterwards (unless anyone may read without an account). And the
    first page's own path goes to the root: Streamlit serves its default page only there."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and METRICS in scope["path"]:
            # Streamlit's metrics name the app's caches and time them: for admins only.
            token = Request(scope).cookies.get(sessions.COOKIE)
            if not await run_in_threadpool(signed_in, token, "admin"):
                refusal = PlainTextResponse("Metrics are for admins: sign in as one.", 403)
                await refusal(scope, receive, send)
                return
        if scope["type"] == "http" and scope["method"] == "GET":
            request = Request(scope)
            path = request.url.path
            if path.rstrip("/") == DEFAULT_PAGE_PATH:
                query = f"?{request.url.query}" if request.url.query else ""
                await RedirectResponse(f"/{query}", status_code=303)(scope, receive, send)
                return
            if (
                path != "/"
                and not path.startswith(NOT_PAGES)
                and "." not in path.rsplit("/", 1)[-1]  # files: scripts, icons, fonts
                and not get_settings().anonymous_read
                # When the database cannot say, the page is served: it shows the one banner
                # that says why, and shows no data without a session it has checked.
                and await run_in_threadpool(signed_in, request.cookies.get(sessions.COOKIE))
                is False
            ):
                target = path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(
                    f"{sign_in_page()}?next={quote(target, safe='')}", status_code=303
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


# --- Read-only endpoints for analysts' tools, with the same roles as the pages ---------------


# The query parameter that carries a feed's key (coalition.access.tokens, FEED_PREFIX).
FEED_KEY = "key"


class ApiRefusal(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def _api_caller(authorization: str, cookie: str | None, feed_key: str | None = None) -> str:
    """Who is reading: a feed's own key (?key=cf_..., for the feed alone), else a personal
    token (Authorization: Bearer ct_...), else the browser's session cookie, else nobody
    (allowed only when anyone may read). Refusals are audited."""
    settings = get_settings()
    refusal = None
    with write_session(engine()) as session:
        if feed_key is not None:
            holder = tokens.holder_of(session, feed_key.strip(), "feed")
            if holder is not None and auth.allows(holder.role, "viewer"):
                return holder.email
            refusal = "this feed's key is unknown, revoked or its account disabled"
        elif authorization:
            scheme, _, token = authorization.partition(" ")
            bearer = scheme.lower() == "bearer"
            holder = tokens.holder_of(session, token.strip()) if bearer else None
            if holder is not None and auth.allows(holder.role, "viewer"):
                return holder.email
            refusal = "that token is unknown, revoked or its account disabled"
        else:
            policy = sessions.SessionPolicy.of(settings)
            found, _ = sessions.find_session(session, cookie, policy)
            if found is not None and auth.allows(found.role, "viewer"):
                return found.email
            if settings.anonymous_read:
                return "anonymous"
            refusal = "sign in, or send a personal token: Authorization: Bearer ct_... (README)"
        # Recorded and committed with the session; the refusal is raised after.
        _audit_refusal(session, refusal)
    raise ApiRefusal(401, refusal)


def _audit_refusal(session, reason: str) -> None:
    audit.record(session, actor="anonymous", event=audit.ApiRefused(reason=reason))


def _params(request: Request) -> dict[str, list[str]]:
    return {key: request.query_params.getlist(key) for key in request.query_params}


def _snapshot(request: Request, caller: str) -> snapshots.Snapshot:
    params = _params(request)
    filters = filters_from_query(params)
    excel_bom = (params.get("excel_bom") or ["false"])[0].lower() in ("1", "true", "yes")
    with write_session(engine()) as session:
        known_at = snapshots.pin_known_at(session, (params.get("known_at") or [""])[0])
        snapshot = snapshots.build_snapshot(session, filters, known_at, excel_bom)
        snapshots.log_snapshot(session, actor=caller, snapshot=snapshot)
    return snapshot


def _workbook(request: Request, caller: str) -> workbook.WorkbookFile:
    params = _params(request)
    filters = filters_from_query(params)
    with write_session(engine()) as session:
        known_at = snapshots.pin_known_at(session, (params.get("known_at") or [""])[0])
        book = workbook.build_workbook(session, filters, known_at)
        snapshots.log_snapshot(session, actor=caller, snapshot=book)
    return book


def _feed(request: Request, _caller: str) -> bytes:
    base_url = get_settings().base_url or str(request.base_url).rstrip("/")
    with read_session(engine()) as session:
        wanted = feed.feed_request(session, _params(request))
        return feed.build_feed(session, wanted, base_url=base_url, self_url=str(request.url))


def _atom(document: bytes) -> Response:
    return Response(document, media_type=feed.MEDIA_TYPE)


def _records(frame) -> list[dict]:
    """Rows as JSON: dates as ISO text, blanks as null, numbers as numbers."""
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def _pledges(request: Request, _caller: str) -> dict:
    params = _params(request)
    filters = filters_from_query(params)
    with read_session(engine()) as session:
        known_at = snapshots.pin_known_at(session, (params.get("known_at") or [""])[0])
        frame = snapshots.snapshot_frame(session, filters, known_at)
        fresh = freshness(session, filters.when.shown, known_at)
    frame = frame.rename(columns={v: k for k, v in columns.FRAME_COLUMN.items()})
    return {
        "freshness": fresh.as_dict(),
        "as_of": filters.as_of.isoformat() if filters.as_of else None,
        "known_at": known_at.isoformat(),
        "filters": filters_to_query(filters),
        "columns": list(columns.SNAPSHOT_COLUMNS),
        "pledges": _records(frame[list(columns.SNAPSHOT_COLUMNS)]),
    }


def _participants(_request: Request, _caller: str) -> dict:
    with read_session(engine()) as session:
        frame = queries.participants_frame(session)
    return {"participants": _records(frame)}


def api(handler, respond, *, feed: bool = False):
    """An endpoint: the caller checked, ``handler`` run, its result answered by ``respond``.
    A feed also takes its key from its address (``key``), as feed readers send no header."""

    async def endpoint(request: Request) -> Response:
        try:
            caller = await run_in_threadpool(
                _api_caller,
                request.headers.get("authorization", ""),
                request.cookies.get(sessions.COOKIE),
                request.query_params.get(FEED_KEY) if feed else None,
            )
            return respond(await run_in_threadpool(handler, request, caller))
        except ApiRefusal as refusal:
            return JSONResponse({"error": refusal.message}, status_code=refusal.status)
        except ValidationFailed as failure:
            return JSONResponse(
                {"error": "bad parameters", "problems": [str(p) for p in failure.problems]},
                status_code=400,
            )
        except DatabaseFault as fault:
            return JSONResponse({"error": f"the database cannot be used: {fault}"}, 503)

    return endpoint


def _pinned_headers(manifest: dict) -> dict[str, str]:
    """What names a snapshot's file and pins it, and how fresh its record is."""
    fresh = manifest["freshness"]
    return {
        "Content-Disposition": f'attachment; filename="{manifest["file_name"]}"',
        "X-Snapshot-Known-At": manifest["known_at"],
        "X-Record-As-Of": fresh["as_of"],
        "X-Record-Newest-Announcement": fresh["newest_announcement"] or "none",
        "X-Record-Sources-Last-Checked": fresh["sources_last_checked"] or "never",
        "X-Record-May-Be-Out-Of-Date": fresh["may_be_out_of_date"],
    }


def _csv(snapshot: snapshots.Snapshot) -> Response:
    headers = _pinned_headers(snapshot.manifest)
    headers["X-Snapshot-SHA256"] = snapshot.manifest["sha256"]
    return Response(snapshot.csv, media_type="text/csv; charset=utf-8", headers=headers)


def _xlsx(book: workbook.WorkbookFile) -> Response:
    headers = _pinned_headers(book.manifest)
    # The workbook's bytes are not pinned (the file format stamps its parts); the CSV it
    # matches cell for cell is.
    headers["X-Snapshot-CSV-SHA256"] = book.manifest["csv_sha256"]
    return Response(book.data, media_type=workbook.MEDIA_TYPE, headers=headers)


# --- Unsubscribing from email digests, without signing in (the link's token is the proof) ---


def _little_page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">'
        f"<h1>{title}</h1>{body}</body></html>",
        status_code=status,
    )


NOT_A_LINK = (
    "<p>This unsubscribe link names no digest: it has been used already, or it was copied "
    'incompletely. Signed in, you can change your digest on <a href="/account">Your '
    "account</a>.</p>"
)


def _link_names_one(subscription: str, token: str) -> bool:
    with read_session(engine()) as session:
        return subscriptions.subscription_by_link(session, subscription, token) is not None


def _unsubscribe(subscription: str, token: str) -> bool:
    with write_session(engine()) as session:
        return subscriptions.unsubscribe_by_link(session, subscription, token) is not None


async def unsubscribe_route(request: Request) -> Response:
    """GET asks (mail scanners open links: opening one must change nothing); POST, from that
    page or a mail program's one-click unsubscribe (RFC 8058), ends the digest."""
    form = await request.form() if request.method == "POST" else {}
    subscription = str(form.get("s") or request.query_params.get("s") or "")[:30]
    token = str(form.get("t") or request.query_params.get("t") or "")[:100]
    title = "Unsubscribe from the email digest"
    try:
        if request.method == "GET":
            if not await run_in_threadpool(_link_names_one, subscription, token):
                return _little_page(title, NOT_A_LINK, 404)
            return _little_page(
                title,
                '<p>Stop the email digest of what changed?</p><form method="post">'
                f'<input type="hidden" name="s" value="{escape(subscription)}">'
                f'<input type="hidden" name="t" value="{escape(token)}">'
                "<button>Unsubscribe</button></form>",
            )
        if not await run_in_threadpool(_unsubscribe, subscription, token):
            return _little_page(title, NOT_A_LINK, 404)
    except DatabaseFault as fault:
        return _little_page(title, f"<p>Try again later: {escape(str(fault))}.</p>", 503)
    return _little_page(
        "Unsubscribed",
        "<p>No more digests will be sent. You can subscribe again on Your account.</p>",
    )


ROUTES = [
    Mount(SCREENS_URL, StaticFiles(directory=SCREENS, check_dir=False)),
    Route("/healthz", healthz),
    *assets.ROUTES,
    Route("/auth/sign-in", sign_in_route, methods=["POST"]),
    Route(UNSUBSCRIBE_PATH, unsubscribe_route, methods=["GET", "POST"]),
    Route("/api/v1/snapshot.csv", api(_snapshot, _csv)),
    Route("/api/v1/snapshot.xlsx", api(_workbook, _xlsx)),
    Route("/api/v1/changes.atom", api(_feed, _atom, feed=True)),
    Route("/api/v1/pledges.json", api(_pledges, JSONResponse)),
    Route("/api/v1/participants.json", api(_participants, JSONResponse)),
]
MIDDLEWARE = [Middleware(SignInFirst)]
