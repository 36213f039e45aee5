"""The residents' side: the engine that answers them and the actions it runs for the core."""
