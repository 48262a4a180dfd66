"""The LLM path: OpenAI chat completions with tool calling over the customer tools."""

from agent.llm.engine import LLMEngine

__all__ = ["LLMEngine"]
