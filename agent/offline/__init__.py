"""The deterministic Spanish conversation engine (no LLM needed)."""

from agent.offline.engine import OfflineEngine

__all__ = ["OfflineEngine"]
