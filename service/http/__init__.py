"""The HTTP edge's shared machinery: problems, middleware, auth, pagination, preconditions."""
