"""Reading officers' resident lists (Excel/CSV) into clean rows; no database here."""
