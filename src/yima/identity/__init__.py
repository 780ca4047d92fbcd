"""Identity: tenants (brands), staff users, roles and permissions, API clients, audit log."""
