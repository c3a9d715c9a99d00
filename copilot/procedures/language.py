"""The language an operator wrote in, so the answer comes back in it.

Told by langid (a small naive-Bayes identifier shipped with its model, no network)
over the languages the answer can be worded in; a short or unclear text (a "ja",
a part number) keeps the language the conversation had, English at first. The
model is not asked: the 1.5B model named English for most French and Spanish requests.
"""

from __future__ import annotations

from functools import lru_cache

from langid.langid import LanguageIdentifier, model

LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "nl": "Dutch",
                  "pl": "Polish", "pt": "Portuguese", "cs": "Czech", "sv": "Swedish", "tr": "Turkish"}
_SURE = 0.9


@lru_cache(maxsize=1)
def identifier() -> LanguageIdentifier:
    """langid's model, loaded once a process (a few seconds on a busy CPU): the copilot loads it when it opens,
    so the first request does not wait for it."""
    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages(list(LANGUAGE_NAMES))
    return identifier


def language_of(text: str, before: str = "en") -> str:
    """The ISO 639-1 code of ``text``'s language, or ``before`` when the text does not tell it surely."""
    code, probability = identifier().classify(text)
    return code if probability >= _SURE else before
