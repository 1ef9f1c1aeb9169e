"""Your account: the name colleagues see in histories, the email digest of what changed, feeds
of it for a feed reader, and personal API tokens for reading the data from your own tools."""

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from coalition.access import auth, display_names, tokens
from coalition.access.privacy import staff_id
from coalition.notify import subscriptions
from coalition.output import feed
from coalition.read import queries
from core.settings import get_settings
from core.vocabulary import CATEGORIES, DIGEST_FREQUENCIES
from ui.data import reading
from ui.resources import read
from ui.shell import require_role
from ui.writes import save, show_notice

viewer = require_role("viewer")
NEW_TOKEN = "account_new_token"
NEW_FEED = "account_new_feed"


def _app_address() -> str:
    """This app's address as the browser reached it (COALITION_BASE_URL, when set, wins)."""
    parts = urlsplit(st.context.url or "http://localhost:8501")
    return f"{parts.scheme}://{parts.netloc}"


st.title("Your account")
st.caption(f"Signed in as `{viewer.email}` ({viewer.role}).")
show_notice()

with reading() as session:
    account = auth.find_account(session, viewer.actor.email)
    has_account = account is not None
    display_name = account.display_name if account else None
    pseudonym = staff_id(session, viewer.actor.email)
if has_account:
    st.subheader("Your name in histories")
    st.markdown(
        "Pledge histories and What changed name who made each change. Without a display name "
        f"you appear as `{pseudonym}`; with one, colleagues see it instead (a desk or team "
        "name works well). Your email is never shown. Snapshots keep the staff id."
    )
    with st.form("account_display_name_form"):
        name = st.text_input(
            "Display name",
            value=display_name or "",
            max_chars=display_names.MAX_DISPLAY_NAME,
            placeholder="e.g. Baltic desk",
            help="Empty: shown by your staff id.",
        )
        if st.form_submit_button("Save display name"):
            save(
                lambda session: display_names.set_display_name(
                    session, actor=viewer.actor, name=name
                ),
                saved=lambda now: f"Histories now name you “{now or pseudonym}”.",
            )

st.subheader("Email digest")
st.markdown(
    "A mail, daily or weekly, of what changed for the participants and categories you follow "
    "(with both, changes of those participants in those categories), with a link to What "
    "changed for that period. Nothing is sent when nothing changed. Every digest has a link "
    "that unsubscribes without signing in."
)
participants = read(queries.participants_frame)
names = dict(zip(participants["code"], participants["name"], strict=True))


def _shown_once(key: str, what: str) -> None:
    """A secret just made (kept for this one run): shown now, never again."""
    if secret := st.session_state.pop(key, None):
        st.success(f"{what}, shown only this once:")
        st.code(secret, language=None)


def _follows(
    key: str, now: subscriptions.Subscription | None = None
) -> tuple[list[str], list[str]]:
    """The participants and categories chosen (a digest's or a feed's)."""
    chosen = st.multiselect(
        "Participants",
        list(names),
        default=list(now.participants) if now else [],
        format_func=lambda code: f"{names[code]} ({code})",
        key=f"{key}_participants",
    )
    kinds = st.multiselect(
        "Categories",
        CATEGORIES,
        default=list(now.categories) if now else [],
        format_func=str.capitalize,
        key=f"{key}_categories",
    )
    return chosen, kinds


with reading() as session:
    digest = subscriptions.subscription_of(session, viewer.actor.email)
if digest is None:
    st.info("You get no digest.")
else:
    st.caption(
        f"You get a {digest.frequency} digest for {digest.describe()}. The next covers what "
        f"is recorded from {digest.sent_until:%d %b %Y %H:%M} UTC."
    )
    if digest.failure:
        st.warning(
            f"The last digest could not be sent ({digest.failed_at:%d %b %Y %H:%M} UTC): "
            f"{digest.failure}. It will be tried again, whole, at the next run."
        )
with st.form("account_digest_form"):
    frequency = st.radio(
        "How often",
        DIGEST_FREQUENCIES,
        index=DIGEST_FREQUENCIES.index(digest.frequency) if digest else 0,
        format_func=str.capitalize,
        horizontal=True,
        key="account_digest_frequency",
    )
    followed, kinds = _follows("account_digest", digest)
    if st.form_submit_button("Save digest"):
        save(
            lambda session: subscriptions.subscribe(
                session,
                actor=viewer.actor,
                frequency=frequency,
                participants=followed,
                categories=kinds,
            ),
            saved=lambda chosen: (
                f"You will get a {chosen.frequency} digest for {chosen.describe()}."
            ),
        )
if digest is not None and st.button("Stop the digest", key="account_digest_stop"):
    save(
        lambda session: subscriptions.unsubscribe(session, actor=viewer.actor),
        saved=lambda _: "You will get no more digests.",
    )

st.subheader("Feeds of what changed")
st.markdown(
    "A feed reader can follow What changed for some participants or categories "
    "(`/api/v1/changes.atom`). Feed readers cannot send a token, so each feed gets an address "
    "with its own key in it: it reads that feed and nothing else. Anyone with the address can "
    "read the feed (a shared reader, a proxy's log), so revoke it below when it is no longer "
    "needed, or if it may have leaked."
)
_shown_once(NEW_FEED, "Your feed's address")
with st.form("account_feed_form", clear_on_submit=True):
    feed_name = st.text_input(
        "What is it for?",
        max_chars=100,
        placeholder="e.g. Feedly, troops",
        key="account_feed_name",
    )
    feed_participants, feed_categories = _follows("account_feed")
    if st.form_submit_button("Make a feed address"):
        base_url = get_settings().base_url or _app_address()
        save(
            lambda session: feed.feed_address(
                base_url,
                feed_participants,
                feed_categories,
                tokens.create_token(
                    session,
                    actor=viewer.actor,
                    email=viewer.actor.email,
                    name=feed_name,
                    kind="feed",
                ),
            ),
            saved=lambda made: st.session_state.update({NEW_FEED: made}),
            problems=lambda problems: st.error("; ".join(p.message for p in problems)),
        )

st.subheader("Personal API tokens")
st.markdown(
    "A token lets a script or a notebook read what you can read here, through "
    "`/api/v1/snapshot.csv`, `/api/v1/pledges.json` and `/api/v1/participants.json`: send it "
    "as `Authorization: Bearer <token>`. It is shown once; keep it like a password, and "
    "revoke it when it is no longer needed."
)
_shown_once(NEW_TOKEN, "Your new token")

with st.form("account_token_form", clear_on_submit=True):
    name = st.text_input("What is it for?", max_chars=100, placeholder="e.g. briefing notebook")
    if st.form_submit_button("Make a token"):
        save(
            lambda session: tokens.create_token(
                session, actor=viewer.actor, email=viewer.actor.email, name=name
            ),
            saved=lambda token: st.session_state.update({NEW_TOKEN: token}),
            problems=lambda problems: st.error("; ".join(p.message for p in problems)),
        )

st.subheader("Your tokens and feed keys")
with reading() as session:
    mine = tokens.tokens_of(session, viewer.actor.email)
if not mine:
    st.info("You have no tokens.")
else:
    st.dataframe(pd.DataFrame(mine), hide_index=True, placeholder="—", key="account_tokens")
    active = {t["id"]: t["name"] for t in mine if not t["revoked"]}
    if active:
        chosen = st.selectbox(
            "Revoke a token", list(active), format_func=lambda i: f"{i}: {active[i]}"
        )
        if st.button("Revoke", key="account_revoke"):
            save(lambda session: tokens.revoke_token(session, actor=viewer.actor, token_id=chosen))
