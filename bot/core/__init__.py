"""Channel-neutral core: no telegram, zalo, aiosqlite or jinja2 imports here."""
