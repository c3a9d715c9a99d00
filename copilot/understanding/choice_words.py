"""The words that say how to choose a supplier, per language: by price, by lead time or by carbon.

Data only; :mod:`copilot.understanding.choices` reads it. Each entry is a regular expression (lower case, matched
case-insensitively at word starts); a stem matches the words it begins. ``PRICE_NOT`` says price is not what
counts ("price doesn't matter", "whatever it costs"): the choice is then the fastest delivery. Colour words ("green",
"grün", "vert") are left out on purpose: a dye plant names its products by them.
"""

from __future__ import annotations

_W = r"\w*"

LEAD_TIME = {
    "en": rf"quick{_W}|fast|faster|fastest|soon{_W}|earliest|first available|shortest (?:lead|delivery){_W}"
          rf"|lead.?time{_W}|deliver{_W} (?:first|soonest|fastest|quickest)",
    "de": rf"schnell{_W}|baldmöglichst|lieferzeit{_W}|am ehesten|zuerst lieferbar",
    "fr": rf"rapide{_W}|vite|au plus tôt|délai{_W}|dès que possible",
    "es": rf"rápid{_W}|pronto|antes posible|cuanto antes|plazo{_W}",
    "it": rf"rapid{_W}|velocemente|veloce|più presto|prima possibile|temp[oi] di consegna",
    "pt": rf"rápid{_W}|depressa|quanto antes|mais cedo|prazo{_W}",
    "nl": rf"snel{_W}|levertijd{_W}|zo vlug",
    "pl": rf"szybk{_W}|szybc{_W}|najszybc{_W}|czas{_W} dostawy",
    "cs": rf"rychl{_W}|nejrychlej{_W}|co nejdřív{_W}|dodací lhůt{_W}",
    "tr": rf"hızlı{_W}|en kısa|teslim süre{_W}|çabuk",
}
CARBON = {
    "en": rf"carbon|co2|co₂|footprint|emission{_W}|greenest|greener|eco.?friendly|ecolog{_W}"
          rf"|sustainab{_W}|environment{_W}"
          rf"|climate{_W}",
    "de": rf"co2|co₂|kohlenstoff{_W}|klima{_W}|umwelt{_W}|nachhaltig{_W}|fußabdruck|emission{_W}|öko{_W}",
    "fr": rf"carbone|co2|co₂|empreinte|émission{_W}|écolo{_W}|durable{_W}|environnement{_W}|climat{_W}",
    "es": rf"carbono|co2|co₂|huella|emision{_W}|emisión{_W}|ecológ{_W}|sostenible{_W}|medioambient{_W}",
    "it": rf"carbonio|co2|co₂|impronta|emission{_W}|ecologic{_W}|sostenibil{_W}|ambiental{_W}",
    "pt": rf"carbono|co2|co₂|pegada|emiss{_W}|ecológic{_W}|sustentáve{_W}|ambiental",
    "nl": rf"koolstof{_W}|co2|co₂|voetafdruk|uitstoot|duurzaam{_W}|duurzaa{_W}|milieu{_W}|klimaat{_W}",
    "pl": rf"węgl{_W}|co2|co₂|ślad{_W}|emisj{_W}|ekologiczn{_W}|środowisk{_W}|klimat{_W}",
    "cs": rf"uhlík{_W}|co2|co₂|emis{_W}|ekologick{_W}|udržiteln{_W}|životní prostředí",
    "tr": rf"karbon{_W}|co2|co₂|ayak izi|emisyon{_W}|çevre{_W}|sürdürülebilir{_W}",
}
PRICE = {
    "en": rf"cheap{_W}|price{_W}|cost{_W}|inexpensive|budget|least money|save money|lowest offer|best deal",
    "de": rf"billig{_W}|günstig{_W}|preis{_W}|kosten{_W}|preiswert{_W}",
    "fr": rf"cher|chère|moins cher{_W}|prix|coût{_W}|économique{_W}|bon marché",
    "es": rf"barat{_W}|precio{_W}|coste{_W}|costo{_W}|económic{_W}",
    "it": rf"economic{_W}|prezz{_W}|cost{_W}|meno caro|risparmi{_W}",
    "pt": rf"barat{_W}|preço{_W}|custo{_W}|económic{_W}|econômic{_W}",
    "nl": rf"goedkoop{_W}|goedkoopst{_W}|prijs{_W}|kosten",
    "pl": rf"tani{_W}|tań{_W}|najtańsz{_W}|cen[aęyoą]|koszt{_W}",
    "cs": rf"levn{_W}|nejlevněj{_W}|cen[aěyu]|nákla{_W}",
    "tr": rf"ucuz{_W}|fiyat{_W}|maliyet{_W}",
}
PRICE_NOT = {
    "en": r"(?:price|cost)s? (?:does ?n[o']?t|do ?n[o']?t|is ?n[o']?t|are ?n[o']?t|does not|do not|is not|are not)"
          r" (?:matter|important|an issue|a concern)|whatever it costs|regardless of (?:the )?(?:price|cost)"
          r"|no matter (?:the |what it )?(?:price|cost)s?|(?:money|cost|price) is no object"
          r"|(?:do ?n[o']?t|do not) care (?:about|what) (?:the )?(?:price|cost)s?|never mind the (?:price|cost)",
    "de": r"(?:preis|kosten) (?:ist|sind|spielt|spielen) (?:egal|keine rolle|nebensächlich)|egal was es kostet"
          r"|koste es was es wolle",
    "fr": r"(?:le )?prix (?:n'importe pas|importe peu|ne compte pas)|peu importe le (?:prix|coût)"
          r"|quel qu'en soit le prix",
    "es": r"(?:el )?precio (?:no importa|da igual)|cueste lo que cueste|sin importar el (?:precio|coste|costo)",
    "it": r"(?:il )?prezzo non (?:importa|conta)|costi quel che costi|a qualsiasi prezzo",
    "pt": r"(?:o )?preço não importa|custe o que custar|independente do preço",
    "nl": r"(?:de )?prijs (?:maakt niet uit|doet er niet toe)|wat het ook kost",
    "pl": r"cena nie (?:gra roli|ma znaczenia)|bez względu na cenę",
    "cs": r"cena nehraje roli|na ceně nezáleží|za každou cenu",
    "tr": r"fiyat (?:önemli değil|fark etmez)|ne pahasına olursa olsun",
}
