"""The officers' side: who may act (router.py) and what they can do (desk.py, broadcasts)."""
