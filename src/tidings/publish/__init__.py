"""Output formats: what tidings publishes (RSS, Atom, JSON Feed) and exchanges (OPML)."""
