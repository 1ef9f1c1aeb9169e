"""Forms: the pledge form, drawn from its field specs."""
