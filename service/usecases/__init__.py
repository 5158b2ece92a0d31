"""Application layer: each use case loads, asks the domain, persists and commits once."""
