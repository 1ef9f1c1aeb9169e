"""Persistence: SQLModel tables, the engine factory, Alembic migrations and the seed loader."""
