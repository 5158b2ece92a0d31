"""Repositories: the only code that writes SQL. They never commit; the use case does.

Read methods take a `Reader` (see `service.db.reader`): the lean read path outside a
transaction, or `SqlAlchemyReader(session)` inside a unit of work.
"""
