"""The web server around the Streamlit script: start-up, and the routes that are plain HTTP.

`streamlit run app.py` finds the ASGI app defined in app.py (st.App) and serves it. The
database is migrated and seeded when the server starts, before the first visitor, so a new
server's first admin password is printed right away (once) and no visitor waits for it.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from coalition.bootstrap import announce_first_admin, announce_sync, initialise_database
from coalition.errors import ValidationFailed
from coalition.settings import get_settings
from db.engine import DatabaseFault, create_db_engine

MAIN_SCRIPT = str(Path(__file__).resolve().parent / "main.py")


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        result = initialise_database(engine, settings.data_dir, settings.admin_email)
    except (ValidationFailed, DatabaseFault, OperationalError) as error:
        # Served anyway: every page says what is wrong, and tries again at each click.
        print(f"The database could not be prepared at start-up: {error}", file=sys.stderr)
    else:
        announce_first_admin(result)
        announce_sync(result)
    finally:
        engine.dispose()
    yield


async def healthz(_request: Request) -> Response:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    engine = create_db_engine(get_settings().database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is "unhealthy"
        return PlainTextResponse("database unreachable", status_code=503)
    finally:
        engine.dispose()
    return PlainTextResponse("ok")


ROUTES = [Route("/healthz", healthz)]
