"""HTTP plumbing shared by every context's edges: errors, request ids, pagination, limits."""
