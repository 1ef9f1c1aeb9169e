"""Money: conversion to EUR at ECB reference rates, and the size that counts (EUR for funding,
the count for the rest)."""
