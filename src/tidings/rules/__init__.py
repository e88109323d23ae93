"""Rules: saved queries with actions, applied to entries as the refresher writes them.

`regex` checks and compiles the language's regular expressions, `matcher` evaluates a parsed
query on an entry in memory (the refresher's side; `store.search.match_conditions` is the SQL
side of the same query), `model` says what a rule is, `engine` decides what rules do to new
entries.
"""
