"""Builds the OpenAI-compatible client (and the agent's LLM engine) from settings.

No key -> None: the agent then runs on its offline Spanish engine. The base URL is configurable
(OPENAI_BASE_URL / PARLO_OPENAI_BASE_URL) so any OpenAI-compatible server works. A short timeout
and a single retry keep a slow API from holding a WhatsApp reply: on failure the agent falls back.
"""

from __future__ import annotations

from typing import Any

from infra.settings import Settings


def build_llm_client(settings: Settings) -> Any | None:
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value().strip():
        return None
    import openai

    kwargs: dict[str, Any] = {
        "api_key": settings.openai_api_key.get_secret_value(),
        "timeout": settings.llm_timeout_seconds,
        "max_retries": 1,
    }
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    return openai.OpenAI(**kwargs)


def build_llm_engine(settings: Settings) -> Any | None:
    client = build_llm_client(settings)
    if client is None:
        return None
    from agent.llm.engine import LLMEngine

    return LLMEngine(client, model=settings.llm_model)
