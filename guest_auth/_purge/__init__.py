"""The purge's room: its semantics (purge), its SQL layer (sql), its job (job)."""
