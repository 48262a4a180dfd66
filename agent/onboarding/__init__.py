"""Business onboarding by chat on Parlo's central number (issue #11, spec flow 1).

- ``parsing``: reading services, prices, durations, hours, business types and team members.
- ``engine``: the offline state machine (what a message says, what to ask next).
- ``tools``: the one tool layer both paths write through, and the LLM's pydantic tools.
- ``llm``: the OpenAI tool-calling path. ``service``: the conversation (resume, confirm, provision).
- ``login_link``: the new owner's first magic link. ``texts``: what the assistant says.
"""
