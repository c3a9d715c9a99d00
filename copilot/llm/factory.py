"""The chat model the settings ask for (a LangChain ``BaseChatModel`` inside, a :class:`ChatModel` to the faces)."""

from __future__ import annotations

from copilot.llm.absent import NoModel
from copilot.llm.chat_model import ChatModel
from copilot.llm.openai_compat import OpenAIChatModel
from copilot.llm.replay import ReplayChatModel
from copilot.llm.scripted import ScriptedChatModel
from copilot.llm.settings import LLMSettings

MODEL_OFF = "the model is off (COPILOT_PROVIDER=none); every procedure runs from its form"


def make_chat_model(settings: LLMSettings) -> ChatModel:
    """A chat model for ``settings``. Nothing is loaded or sent yet: the local model loads, checks its weights
    and fails clearly on the first call or on ``warm_up``."""
    match settings.provider:
        case "local":
            from copilot.llm.local import (
                LocalChatModel,  # llama-cpp-python is an optional extra
            )

            return LocalChatModel(
                model_dir=settings.model_dir,
                n_ctx=settings.n_ctx,
                n_threads=settings.n_threads,
                n_batch=settings.n_batch,
                temperature=settings.temperature,
                max_tokens=settings.max_tokens,
                constrained=settings.constrained,
                prefix_cache_dir=settings.model_dir / "prefix-cache" if settings.prefix_cache else None,
            )
        case "openai":
            return OpenAIChatModel(
                model=settings.model,
                base_url=settings.base_url,
                api_key=settings.api_key,
                temperature=settings.temperature,
                max_tokens=settings.max_tokens,
                timeout_s=settings.request_timeout_s,
                constrained=settings.constrained,
                response_format=settings.response_format,
                extra_body=settings.extra_body,
            )
        case "scripted":
            if settings.script_file is None:
                raise ValueError("the scripted provider needs COPILOT_SCRIPT_FILE (a JSON list of replies)")
            return ScriptedChatModel.from_file(settings.script_file)
        case "replay":
            if settings.replay_file is None:
                raise ValueError("the replay provider needs COPILOT_REPLAY_FILE (a recording, copilot/llm/replay.py)")
            return ReplayChatModel.from_file(settings.replay_file)
        case "none":
            return NoModel(why=MODEL_OFF)
