"""Persistence: the engine, migrations, repositories and the file store."""
