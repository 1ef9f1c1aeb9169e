"""Commitments against delivery, per category and over time."""

import streamlit as st

st.title("Commitments against delivery")
st.caption("Announced, committed, delivered: being built.")
