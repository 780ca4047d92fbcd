"""Database: declarative base, column types, tenancy hooks, engines and sessions."""
