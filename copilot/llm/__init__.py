"""The models the copilot talks to: the embedded local model and any OpenAI-compatible endpoint.

Start at :func:`make_chat_model` and :class:`LLMSettings`."""

from copilot.exports import exports

_NAMES = {
    "make_chat_model": "copilot.llm.factory",
    "ChatModel": "copilot.llm.chat_model",
    "LLMSettings": "copilot.llm.settings",
    "LLMError": "copilot.llm.errors",
    "NoModel": "copilot.llm.absent",
    "LocalChatModel": "copilot.llm.local",
    "warm_up": "copilot.llm.warmup",
    "Recording": "copilot.llm.replay",
    "RecordedReply": "copilot.llm.replay",
    "ReplayChatModel": "copilot.llm.replay",
    "ReplyRecorder": "copilot.llm.replay",
    "model_name": "copilot.llm.replay",
    "QWEN25_CODER_1_5B": "copilot.llm.weights",
    "ModelIntegrityError": "copilot.llm.weights",
    "WeightsNotInstalled": "copilot.llm.weights",
    "model_file": "copilot.llm.weights",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
