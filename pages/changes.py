"""What changed: pledges and meetings added or changed between two dates."""

import streamlit as st

st.title("What changed")
st.caption("What changed between two dates: being built.")
