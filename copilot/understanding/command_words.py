"""The words that ask to start or to stop a machine, per language.

Data only; :mod:`copilot.understanding.commands` reads it. Each entry is a regular expression (lower case,
matched case-insensitively at word starts). "On" before a number is a value, not a start ("put the oven on
185"); so is "down" after "take" ("take the barrel down 5").
"""

from __future__ import annotations

_W = r"\w*"
_CLAUSE = r"[^,.;:!?\n]*?"
_NO_NUMBER = r"(?!\s*[-+]?\d)"

START = {
    "en": rf"start{_W}|restart{_W}|resum{_W}|re-?enabl{_W}|fire{_CLAUSE}\bup\b|power{_CLAUSE}\bup\b"
          rf"|(?:switch|turn|put|get|bring)\w*{_CLAUSE}\b(?:on|going|running|back up)\b{_NO_NUMBER}"
          rf"|back on\b{_NO_NUMBER}",
    "de": rf"start{_W}|einschalt{_W}|anschalt{_W}|anmach{_W}|hochfahr{_W}|anfahr{_W}|anwerf{_W}|in betrieb"
          rf"|(?:schalt|mach|fahr|wirf|werf)\w*{_CLAUSE}\b(?:an|ein|hoch)\b{_NO_NUMBER}",
    "fr": rf"démarr{_W}|redémarr{_W}|relanc{_W}|lanc{_W}|allum{_W}|en marche|en route",
    "es": rf"arranc{_W}|encend{_W}|enciend{_W}|en marcha|reinici{_W}|inici{_W}",
    "it": rf"avvi{_W}|riavvi{_W}|accend{_W}|(?:fai|far) partire|in moto|in funzione",
    "pt": rf"lig[au]{_W}|religa{_W}|arranc{_W}|inici{_W}|reinici{_W}|a funcionar|em marcha",
    "nl": rf"start{_W}|opstart{_W}|aanzet{_W}|inschakel{_W}|zet{_CLAUSE}\baan\b{_NO_NUMBER}",
    "pl": rf"uruchom{_W}|włącz{_W}|wystartuj{_W}|odpal{_W}|start{_W}",
    "cs": rf"spus[tť]{_W}|zapn{_W}|zapni{_W}|nastartuj{_W}|start{_W}",
    "tr": rf"başlat{_W}|çalıştır{_W}|aç(?:ın|ar mısın)?(?!\w)",
}
STOP = {
    "en": rf"stop{_W}|halt{_W}|shut{_W}|kill\b|e-?stop|(?:switch|turn|power|cut)\w*{_CLAUSE}\b(?:off|down)\b"
          rf"|off ?line",
    "de": rf"stopp{_W}|anhalt{_W}|abschalt{_W}|ausschalt{_W}|ausmach{_W}|herunterfahr{_W}|runterfahr{_W}"
          rf"|abstell{_W}|not-?aus|(?:schalt|mach|stell|fahr)\w*{_CLAUSE}\b(?:aus|ab|runter)\b{_NO_NUMBER}",
    "fr": rf"arrêt{_W}|arret{_W}|stopp{_W}|étein{_W}|etein{_W}|coupe{_W}",
    "es": rf"parar{_W}|pare\b|paren\b|pára{_W}|deten{_W}|detén{_W}|apag{_W}",
    "it": rf"ferm[ai]\b|fermar{_W}|spegn{_W}|spegni{_W}|arrest{_W}|blocc{_W}",
    "pt": rf"deslig{_W}|parar{_W}|pare\b|parem\b|interromp{_W}",
    "nl": rf"stop{_W}|uitzet{_W}|uitschakel{_W}|stilzet{_W}|zet{_CLAUSE}\b(?:uit|stil)\b",
    "pl": rf"zatrzym{_W}|wyłącz{_W}|stop{_W}|zastopuj{_W}",
    "cs": rf"zastav{_W}|vypn{_W}|vypni{_W}|stop{_W}",
    "tr": rf"durdur{_W}|kapat{_W}|stop{_W}",
}
