"""Loa's one web server: webhooks, file links, /healthz and /metrics on one aiohttp site."""
