"""What the front ends share and neither owns: the web pages and the client APIs both sign
people in, so the limits on signing in live here, below both (no front end imports another)."""
