"""Tests for bot.officers.importing."""
