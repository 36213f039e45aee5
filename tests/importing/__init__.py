"""Tests for bot.importing."""
