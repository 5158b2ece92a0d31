"""Five-Society Linkage (五社联动): registry and matchmaker of Hangzhou's social work network."""
