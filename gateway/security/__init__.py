"""Security building blocks of the gateway: tokens, magic links, principals, throttles and log redaction.

FastAPI dependencies built on them live in ``gateway.deps``.
"""
