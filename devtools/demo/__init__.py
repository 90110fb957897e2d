"""The invented demo world (seed.py) and the demo people's fixed authenticator keys (totp.py)."""
