"""The words that ask for work on a machine, per language: a person to send ("a fitter", "maintenance",
"quelqu'un") or a job to open ("a work order", "un bon de travail", "einen Arbeitsauftrag"), or a repair.

Data only; :mod:`copilot.understanding.works` reads it. Each entry is a regular expression (lower case, matched
case-insensitively at word starts). Words that only check something ("check", "prüfen", "revisa") are reads, and
a "job" or "Auftrag" alone may be a production order, and "an open work order" may be asked about: none of
them asks for work.
"""

from __future__ import annotations

_W = r"\w*"

WORK = {
    "en": rf"fitter{_W}|mechanic{_W}|technician{_W}|electrician{_W}|maintenance|millwright{_W}|someone|somebody"
          rf"|(?:raise|open|book|log|create|put in|make|file|write) (?:up )?(?:a|an|one|another) (?:\w+ )?(?:job"
          rf"|ticket|work ?order)\b"
          rf"|repair{_W}|fix (?:it|that|them|the)\b",
    "de": rf"monteur{_W}|instandhalt{_W}|wartung{_W}|techniker{_W}|elektriker{_W}|schlosser{_W}|mechaniker{_W}"
          rf"|jemand{_W}|arbeitsauftrag{_W}|reparier{_W}|reparatur{_W}",
    "fr": rf"technicien{_W}|maintenance|mécanicien{_W}|électricien{_W}|quelqu'un|bons? de travail|ordres? de travail"
          rf"|intervention{_W}|répar{_W}",
    "es": rf"técnico{_W}|mantenimiento|mecánico{_W}|electricista{_W}|alguien|órdenes de trabajo|orden de trabajo"
          rf"|repar{_W}",
    "it": rf"tecnic[oi]\b|manutenzione|manutentor{_W}|meccanic[oi]\b|elettricist{_W}|qualcuno|ordin[ei] di lavoro"
          rf"|ripar{_W}|intervento",
    "pt": rf"técnico{_W}|manutenção|mecânico{_W}|eletricista{_W}|alguém|ordem de (?:serviço|trabalho)|repar{_W}",
    "nl": rf"monteur{_W}|onderhoud{_W}|technicus|elektricien{_W}|iemand|werkorder{_W}|werkbon{_W}|repar{_W}",
    "pl": rf"mechanik{_W}|technik{_W}|utrzymani{_W} ruchu|serwis{_W}|elektryk{_W}|ktoś|kogoś|napraw{_W}",
    "cs": rf"údržb{_W}|udrzb{_W}|technik{_W}|mechanik{_W}|elektrikář{_W}|někdo|někoho|pracovní příkaz{_W}"
          rf"|oprav{_W}",
    "tr": rf"bakım{_W}|teknisyen{_W}|tamir{_W}|iş emri{_W}|usta{_W}|birini|birisi{_W}",
}
