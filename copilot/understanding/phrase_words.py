"""The words that say whether a number is where a value should go, or how far it should move, per language.

Data only; :mod:`copilot.understanding.phrasing` reads it. Each entry is a regular expression (lower case,
matched case-insensitively); a stem matches the words it begins ("erhöh" in "erhöhen", "erhöhe").

- ``TO``: written right before a number, it is the value to go to ("up to 175", "auf 175", "à 175").
- ``BY``: written right before a number, it is the amount to move by ("by 5", "um 5", "de 5", "o 5").
- ``EITHER``: by when the clause says a direction ("aumenta en 5"), to when it does not ("ponlo en 175").
- ``FROM``: before a number followed by a to-value, it is the value now ("from 24 to 28"): no change.
- ``UP`` / ``DOWN``: a direction anywhere in the clause ("raise it 5", "5 more", "100 rpm slower").
- ``MORE`` / ``LESS``: a comparative right after a number and its unit makes it a by-value, even after a
  to-word ("to 5 degrees higher"); a verb there does not ("auf 175 Grad erhöhen" is to 175).
- ``SET``: a verb that sets a value ("set it 175", "run it at 30"; "at" alone is no cue: "it is at 190").
- ``FACTORS``: "double it", "halve it": the change as a percentage.
- ``SHARES``: "by half", "by a quarter": a percentage whose sign the clause says ("cut it by half").
- ``FILLER``: words between a cue and its number ("by about 5", "unos 30", "to a total of 600").
- ``AND``: what separates the clauses of a request with several changes.
Turkish marks "to" and "from" with case endings on the number or its unit ("175'e", "170'ten"): ``ENDINGS``;
a language a table leaves out has no such word (Spanish and Portuguese say by with ``EITHER``).
"""

from __future__ import annotations

_W = r"\w*"

TO = {
    "en": r"to|up to|down to|back to|into|=", "de": r"auf|zu|bis", "fr": r"à|a|jusqu'à|jusqu’à",
    "es": r"a|hasta", "it": r"a|fino a|su", "pt": r"para|pra|a|até", "nl": r"op|naar|tot",
    "pl": r"na|do", "cs": r"na|do",
}
BY = {"en": r"by|up|down|another", "de": r"um", "fr": r"de|d'|d’", "it": r"di", "nl": r"met", "pl": r"o", "cs": r"o"}
EITHER = {"es": r"en", "pt": r"em"}
FROM = {
    "en": r"from", "de": r"von", "fr": r"de", "es": r"de|desde", "it": r"da", "pt": r"de|desde", "nl": r"van",
    "pl": r"z|od", "cs": r"z|ze|od",
}
UP = {
    "en": rf"up|rais{_W}|increas{_W}|more|higher|faster|hotter|warmer|add|bump{_W}|boost{_W}|crank{_W}|plus"
          r"|another",
    "de": rf"erhöh{_W}|hoch|rauf|herauf|mehr|höher|schneller|wärmer|heißer|anheb{_W}|steiger{_W}|plus",
    "fr": rf"augment{_W}|mont{_W}|plus|hausse{_W}|accélèr{_W}|rehauss{_W}|ajout{_W}|rajout{_W}",
    "es": rf"aument{_W}|sub{_W}|súb{_W}|más|increment{_W}|aceler{_W}|elev{_W}",
    "it": rf"aument{_W}|alz{_W}|più|acceler{_W}|increment{_W}",
    "pt": rf"aument{_W}|sob{_W}|sub{_W}|mais|aceler{_W}|elev{_W}",
    "nl": rf"verhoog{_W}|hoger|omhoog|meer|sneller|warmer|erbij",
    "pl": rf"zwiększ{_W}|podnieś|podnie{_W}|podwyższ{_W}|więcej|wyżej|szybciej|cieplej|dodaj",
    "cs": rf"zvyš{_W}|zvýš{_W}|přid{_W}|víc|více|výš|výše|rychleji|tepleji",
    "tr": rf"artır{_W}|arttır{_W}|yükselt{_W}|çıkar{_W}|fazla|hızlandır{_W}",
}
DOWN = {
    "en": rf"down|lower{_W}|reduc{_W}|decreas{_W}|less|fewer|slower|slow|cooler|colder|drop{_W}|cut|knock{_W}"
          rf"|off|minus",
    "de": rf"senk{_W}|runter|herunter|reduzier{_W}|verringer{_W}|weniger|niedriger|langsamer|kälter|kühler"
          rf"|absenk{_W}|minus|drossel{_W}",
    "fr": rf"baiss{_W}|diminu{_W}|rédui{_W}|réduire|moins|ralenti{_W}|abaiss{_W}|descend{_W}|enlèv{_W}",
    "es": rf"baj{_W}|báj{_W}|reduc{_W}|reduz{_W}|disminu{_W}|menos|fren{_W}|rebaj{_W}|quit{_W}",
    "it": rf"abbass{_W}|ridu{_W}|diminu{_W}|meno|rallent{_W}|togli{_W}",
    "pt": rf"baix{_W}|reduz{_W}|diminu{_W}|menos|abaix{_W}|desaceler{_W}|tir{_W}",
    "nl": rf"verlaag{_W}|lager|omlaag|minder|langzamer|kouder|koeler|eraf",
    "pl": rf"zmniejsz{_W}|obniż{_W}|mniej|niżej|wolniej|zimniej|zredukuj{_W}",
    "cs": rf"sniž{_W}|sníž{_W}|uber{_W}|ubr{_W}|méně|míň|níž|níže|pomaleji|chladněji",
    "tr": rf"azalt{_W}|düşür{_W}|indir{_W}|eksilt{_W}|yavaşlat{_W}",
}
MORE = {
    "en": r"more|higher|hotter|warmer|faster", "de": r"mehr|höher|wärmer|heißer|schneller",
    "fr": r"de plus|en plus", "es": r"más", "it": r"in più|di più", "pt": r"a mais|mais",
    "nl": r"meer|hoger|warmer|sneller",
    "pl": r"więcej|wyżej|cieplej|szybciej", "cs": r"víc|více|výš|tepleji|rychleji", "tr": r"daha fazla",
}
LESS = {
    "en": r"less|fewer|lower|colder|cooler|slower", "de": r"weniger|niedriger|kälter|kühler|langsamer",
    "fr": r"de moins|en moins", "es": r"menos", "it": r"in meno|di meno", "pt": r"a menos|menos",
    "nl": r"minder|lager|kouder|koeler|langzamer", "pl": r"mniej|niżej|zimniej|wolniej",
    "cs": r"méně|míň|níž|chladněji|pomaleji", "tr": r"daha az",
}
SET = {
    "en": r"set|put|make|change|bring|run", "de": rf"stell{_W}|setz{_W}|mach{_W}|änder{_W}",
    "fr": rf"mets|mettre|règle{_W}|passe{_W}|fixe{_W}", "es": rf"pon{_W}|ajust{_W}|fij{_W}|configur{_W}|coloc{_W}",
    "it": rf"metti{_W}|impost{_W}|port{_W}|regol{_W}", "pt": rf"coloc{_W}|põe|ponha|ajust{_W}|defin{_W}|configur{_W}",
    "nl": rf"zet{_W}|stel{_W}", "pl": rf"ustaw{_W}", "cs": rf"nastav{_W}|dej", "tr": rf"ayarla{_W}|yap{_W}|getir{_W}",
}
FACTORS = {
    "en": {r"double|twice": 100, r"triple": 200, r"halve|in half": -50},
    "de": {rf"verdopp{_W}": 100, rf"verdreifach{_W}": 200, rf"halbier{_W}": -50},
    "fr": {rf"doubl{_W}|multipli\w*(?:\s+\w+){{0,3}}\s+par deux": 100, rf"tripl{_W}": 200,
           r"divis\w*(?:\s+\w+){0,3}\s+par deux": -50},
    "es": {rf"duplic{_W}|dobl{_W}": 100, rf"triplic{_W}": 200, r"a la mitad|por la mitad": -50},
    "it": {rf"raddoppi{_W}": 100, rf"triplic{_W}": 200, rf"dimezz{_W}|a metà": -50},
    "pt": {rf"duplic{_W}|dobr{_W}": 100, rf"triplic{_W}": 200, r"à metade|pela metade|para a metade": -50},
    "nl": {rf"verdubbel{_W}": 100, rf"verdrievoudig{_W}": 200, rf"halveer{_W}|halveren": -50},
    "pl": {rf"podwój{_W}|podwoi{_W}": 100, rf"potrój{_W}|potroi{_W}": 200, r"na pół": -50},
    "cs": {rf"zdvojnásob{_W}": 100, rf"ztrojnásob{_W}": 200, r"na polovinu": -50},
    "tr": {r"iki katına|ikiye katla\w*|iki katı": 100, r"üç katına": 200, r"yarıya|yarı yarıya": -50},
}
SHARES = {
    "en": {r"by (?:a )?half": 50, r"by a quarter": 25}, "de": {r"um die hälfte": 50, r"um ein viertel": 25},
    "fr": {r"de moitié": 50, r"d'un quart|d’un quart": 25}, "es": {r"en un cuarto": 25},
    "it": {r"della metà": 50, r"di un quarto": 25}, "pt": {r"em um quarto|num quarto": 25},
    "nl": {r"met de helft": 50, r"met een kwart": 25}, "pl": {r"o połowę": 50, r"o ćwierć": 25},
    "cs": {r"o polovinu": 50, r"o čtvrtinu": 25}, "tr": {r"dörtte bir": 25},
}
FILLER = {
    "en": r"about|around|roughly|approximately|approx\.?|an? (?:new )?(?:total|quantity|amount|count) of",
    "de": r"etwa|ca\.|circa|ungefähr|so|insgesamt|(?:eine )?(?:menge|gesamtmenge|stückzahl) von",
    "fr": r"environ|à peu près|un total de|une quantité de", "it": r"circa|all'incirca|un totale di|una quantità di",
    "es": r"unos|unas|alrededor de|cerca de|aproximadamente|un total de|una cantidad de",
    "pt": r"uns|umas|cerca de|aproximadamente|um total de|uma quantidade de",
    "nl": r"ongeveer|zo'n|circa|een totaal van|in totaal", "pl": r"około|jakieś|mniej więcej|łącznie",
    "cs": r"asi|zhruba|cca|celkem", "tr": r"yaklaşık|aşağı yukarı|toplam",
}
AND = {
    "en": r"and|then", "de": r"und|dann", "fr": r"et|puis", "es": r"y|luego", "it": r"e|poi", "pt": r"e|depois",
    "nl": r"en|dan", "pl": r"i|a|potem", "cs": r"a|pak|potom", "tr": r"ve|sonra",
}
ENDINGS = {"tr": (r"'?y?[ea]", r"'?[dt][ea]n")}
"""Turkish case endings after a number or its unit: (to, from)."""
