"""Schema migrations of the key and job store (Alembic); `service.migrate` runs them."""
