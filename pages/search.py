"""Search across pledges, meetings and notes."""

import streamlit as st

st.title("Search")
st.caption("Search the record: being built.")
