"""API schemas (request and response bodies), apart from the tables."""
