"""One router per business area.

Each endpoint parses its input, fetches the objects it names (404 when missing), calls one service
(writes) or selector (reads) and returns a schema. Write endpoints run in one transaction covering the
service call and the reading back of its result, so a value the database cannot hold rolls everything
back on SQLite as on PostgreSQL.
"""
