"""Rolling a key: its tests share a clock of their own (conftest.py), moving both the request
path's clock and the lifecycle's."""
