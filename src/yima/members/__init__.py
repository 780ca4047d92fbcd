"""members: One ID (persons and their identities), member levels and tags, and phone
verification by SMS one-time code (docs/members.md)."""
