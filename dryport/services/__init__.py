"""The rules of the dry port. Functions take the session and the acting user explicitly,
may flush, never commit: the request or CLI command commits once."""
