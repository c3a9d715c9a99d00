"""The models the copilot talks to: the embedded local model and any OpenAI-compatible endpoint.

Start at :func:`copilot.llm.factory.make_chat_model` and :class:`copilot.llm.settings.LLMSettings`.
"""
