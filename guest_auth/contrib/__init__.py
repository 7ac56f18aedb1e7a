"""Optional integrations with other frameworks, each importing its framework only here."""
