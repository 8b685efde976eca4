"""The only code that changes data. Functions take the session by keyword and never commit:
the caller (one request, one command) owns the transaction."""
