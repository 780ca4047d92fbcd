"""Platform: technical foundations with no business rules."""
