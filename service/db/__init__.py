"""Persistence: tables, repositories, migrations, the engine. Nothing here decides policy."""
