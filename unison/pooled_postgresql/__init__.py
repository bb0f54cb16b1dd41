"""django-tenants' PostgreSQL backend for a connection pooler in transaction mode (see ``base``)."""
