"""The customer tools as model-callable tools: argument models, proposals and the one dispatcher.

``agent.tools.CustomerTools`` holds the scoped operations both engines act through; this package
describes them to a model (schemas generated from pydantic models) and runs the model's calls
(``ToolSession.call``), with booking, moving and cancelling always proposed first and confirmed
in a later turn.
"""

from agent.toolbox.registry import PROPOSALS_KEY, TOOLS, TOOLS_BY_NAME, ToolSession, ToolSpec, openai_tools

__all__ = ["PROPOSALS_KEY", "TOOLS", "TOOLS_BY_NAME", "ToolSession", "ToolSpec", "openai_tools"]
