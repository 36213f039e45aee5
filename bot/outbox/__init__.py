"""The outbox: the paced, crash-safe sender and the daily cap; it knows no feature."""
