"""The words that ask for work on a machine, per language: a person to send ("a fitter", "maintenance",
"quelqu'un") or a job to open ("a work order", "un bon de travail", "eine Instandhaltung").

Data only; :mod:`copilot.understanding.works` reads it. Each entry is a regular expression (lower case, matched
case-insensitively at word starts).
"""

from __future__ import annotations

_W = r"\w*"

WORK = {
    "en": rf"fitter{_W}|mechanic{_W}|technician{_W}|electrician{_W}|maintenance|millwright{_W}|engineer{_W}"
          rf"|someone|somebody|anyone|work ?orders?|jobs?\b|repair{_W}|fix{_W}|look (?:at|into|over)"
          rf"|service (?:it|the)\b",
    "de": rf"monteur{_W}|instandhalt{_W}|wartung{_W}|techniker{_W}|elektriker{_W}|schlosser{_W}|mechaniker{_W}"
          rf"|jemand{_W}|arbeitsauftrag{_W}|auftrag{_W}|reparier{_W}|reparatur{_W}|prüf{_W}|nachseh{_W}|anschau{_W}",
    "fr": rf"technicien{_W}|maintenance|mécanicien{_W}|électricien{_W}|quelqu'un|bons? de travail|ordres? de travail"
          rf"|intervention{_W}|répar{_W}|vérifi{_W}|contrôl{_W}",
    "es": rf"técnico{_W}|mantenimiento|mecánico{_W}|electricista{_W}|alguien|órden(?:es)? de trabajo|orden de trabajo"
          rf"|repar{_W}|revis{_W}|comprob{_W}",
    "it": rf"tecnic{_W}|manutenzione|manutentor{_W}|meccanic{_W}|elettricist{_W}|qualcuno|ordin[ei] di lavoro"
          rf"|ripar{_W}|controll{_W}|verific{_W}|intervento",
    "pt": rf"técnico{_W}|manutenção|mecânico{_W}|eletricista{_W}|alguém|ordem de (?:serviço|trabalho)"
          rf"|repar{_W}|verific{_W}|inspecion{_W}",
    "nl": rf"monteur{_W}|onderhoud{_W}|technicus|elektricien{_W}|iemand|werkorder{_W}|werkbon{_W}|repar{_W}"
          rf"|controleer{_W}|nakijk{_W}|naar kijken",
    "pl": rf"mechanik{_W}|techni[kc]{_W}|utrzymani{_W}|serwis{_W}|elektryk{_W}|ktoś|kogoś|zleceni{_W}|napraw{_W}"
          rf"|sprawd{_W}|przegląd{_W}",
    "cs": rf"údržb{_W}|udrzb{_W}|technik{_W}|mechanik{_W}|elektrikář{_W}|někdo|někoho|pracovní příkaz{_W}"
          rf"|oprav{_W}|zkontroluj{_W}|prohlédn{_W}",
    "tr": rf"bakım{_W}|teknisyen{_W}|tamir{_W}|iş emri{_W}|usta{_W}|birini|birisi{_W}|kontrol et{_W}",
}
