"""The words for common spare parts, per language ("łożyska", "guarnizioni", "Dichtung"): the English words the
plant file names parts by, so a part is told by the operator's own word where the restatement lost it.

Data only; :func:`copilot.understanding.parts.part_words_said` reads it. Each entry is a regular expression (lower
case, matched case-insensitively at word starts).
"""

from __future__ import annotations

_W = r"\w*"

PARTS = {
    "bearing": {
        "de": rf"(?<!auf )(?<!am )(?<!im )(?<!vom )lager(?:n)?(?!\w)|wälzlager{_W}|kugellager{_W}",
        "fr": rf"roulement{_W}", "es": rf"rodamiento{_W}|cojinete{_W}", "it": rf"cuscinett{_W}",
        "pt": rf"rolamento{_W}", "nl": r"lagers?(?!\w)", "pl": rf"łożysk{_W}", "cs": rf"ložisk{_W}",
        "tr": rf"rulman{_W}",
    },
    "seal gasket": {
        "de": rf"dichtung{_W}|dichtsatz{_W}", "fr": r"joints?(?!\w)", "es": rf"junta{_W}|sello{_W}",
        "it": rf"guarnizion{_W}|tenut{_W}", "pt": rf"vedante{_W}|vedação{_W}|junta{_W}",
        "nl": rf"afdichting{_W}|pakking{_W}", "pl": rf"uszczel{_W}", "cs": rf"těsněn{_W}",
        "tr": rf"conta{_W}|keçe{_W}|salmastra{_W}",
    },
    "filter": {
        "de": rf"filter{_W}", "fr": rf"filtre{_W}", "es": rf"filtro{_W}", "it": rf"filtr{_W}", "pt": rf"filtro{_W}",
        "nl": rf"filter{_W}", "pl": rf"filtr{_W}", "cs": rf"filtr{_W}", "tr": rf"filtre{_W}",
    },
    "belt": {
        "de": rf"riemen{_W}|gurt{_W}", "fr": rf"courroie{_W}|bande{_W}", "es": rf"correa{_W}", "it": rf"cinghi{_W}",
        "pt": rf"correia{_W}", "nl": rf"riem{_W}", "pl": r"pas(?:ek|ka|ki|y|a)?(?!\w)", "cs": rf"řemen{_W}",
        "tr": rf"kayış{_W}",
    },
    "motor": {
        "de": rf"motor{_W}", "fr": rf"moteur{_W}", "es": rf"motor{_W}", "it": rf"motor{_W}", "pt": rf"motor{_W}",
        "nl": rf"motor{_W}", "pl": rf"silnik{_W}", "cs": rf"motor{_W}", "tr": rf"motor{_W}",
    },
    "nozzle": {
        "de": rf"düse{_W}", "fr": rf"buse{_W}", "es": rf"boquilla{_W}", "it": rf"ugell{_W}", "pt": rf"bico{_W}",
        "nl": rf"sproeier{_W}|mondstuk{_W}", "pl": rf"dysz{_W}", "cs": rf"trysk{_W}", "tr": rf"nozul{_W}",
    },
    "valve": {
        "de": rf"ventil{_W}", "fr": rf"vanne{_W}|soupape{_W}", "es": rf"válvula{_W}", "it": rf"valvol{_W}",
        "pt": rf"válvula{_W}", "nl": rf"klep{_W}|ventiel{_W}", "pl": rf"zawor{_W}|zawór", "cs": rf"ventil{_W}",
        "tr": rf"valf{_W}|vana{_W}",
    },
    "impeller": {
        "de": rf"laufrad{_W}", "fr": rf"turbine{_W}", "es": rf"rodete{_W}|impulsor{_W}", "it": rf"girant{_W}",
        "pt": rf"impulsor{_W}", "nl": rf"waaier{_W}", "pl": rf"wirnik{_W}", "cs": rf"oběžn{_W} kol{_W}",
        "tr": rf"çark{_W}",
    },
    "heater heating element": {
        "de": rf"heizband{_W}|heizelement{_W}|heizung{_W}", "fr": rf"résistance{_W}|collier chauffant",
        "es": rf"resistencia{_W}|calentador{_W}", "it": rf"resistenz{_W}|riscaldator{_W}",
        "pt": rf"resistência{_W}|aquecedor{_W}", "nl": rf"verwarmingselement{_W}|verwarmingsband{_W}",
        "pl": rf"grzał{_W}", "cs": rf"topn{_W}", "tr": rf"ısıtıcı{_W}|rezistans{_W}",
    },
    "ring": {
        "de": rf"ring{_W}", "fr": rf"bague{_W}|anneau{_W}", "es": rf"anillo{_W}", "it": rf"anell{_W}",
        "pt": rf"anel{_W}", "nl": rf"ring{_W}", "pl": rf"pierście{_W}", "cs": rf"kroužek{_W}|kroužk{_W}",
        "tr": rf"halka{_W}",
    },
    "roller": {
        "de": rf"walze{_W}|rolle{_W}", "fr": rf"rouleau{_W}", "es": rf"rodillo{_W}", "it": rf"rull{_W}",
        "pt": rf"rolo{_W}", "nl": rf"rol(?:len)?(?!\w)|wals{_W}", "pl": rf"wał{_W}|rolk{_W}",
        "cs": rf"válec{_W}|válc{_W}", "tr": rf"merdane{_W}|silindir{_W}",
    },
    "cover": {
        "de": rf"bezug{_W}|bezüge", "fr": rf"revêtement{_W}|housse{_W}", "es": rf"funda{_W}|revestimiento{_W}",
        "it": rf"rivestiment{_W}", "pt": rf"revestimento{_W}|capa{_W}", "nl": rf"bekleding{_W}|hoes{_W}",
        "pl": rf"pokrycie{_W}|powłok{_W}|okładzin{_W}", "cs": rf"potah{_W}", "tr": rf"kaplama{_W}|kılıf{_W}",
    },
    "diaphragm": {
        "de": rf"membran{_W}", "fr": rf"membrane{_W}", "es": rf"diafragma{_W}|membrana{_W}",
        "it": rf"membran{_W}|diaframm{_W}", "pt": rf"diafragma{_W}|membrana{_W}", "nl": rf"membra{_W}",
        "pl": rf"membran{_W}|przepon{_W}", "cs": rf"membrán{_W}", "tr": rf"diyafram{_W}|membran{_W}",
    },
    "probe": {
        "de": rf"sonde{_W}|fühler{_W}", "fr": rf"sonde{_W}", "es": rf"sonda{_W}", "it": rf"sond{_W}",
        "pt": rf"sonda{_W}", "nl": rf"sonde{_W}", "pl": rf"sond{_W}", "cs": rf"sond{_W}", "tr": rf"prob{_W}",
    },
    "electrode": {
        "de": rf"elektrode{_W}", "fr": rf"électrode{_W}", "es": rf"electrodo{_W}", "it": rf"elettrod{_W}",
        "pt": rf"el[eé]trodo{_W}", "nl": rf"elektrode{_W}", "pl": rf"elektrod{_W}", "cs": rf"elektrod{_W}",
        "tr": rf"elektrot{_W}",
    },
    "thermometer thermocouple": {
        "de": rf"thermometer{_W}|thermoelement{_W}|temperaturfühler{_W}", "fr": rf"thermomètre{_W}|thermocouple{_W}",
        "es": rf"termómetro{_W}|termopar{_W}", "it": rf"termometr{_W}|termocoppi{_W}",
        "pt": rf"termómetro{_W}|termômetro{_W}|termopar{_W}", "nl": rf"thermometer{_W}|thermokoppel{_W}",
        "pl": rf"termometr{_W}|termopar{_W}", "cs": rf"teploměr{_W}|termočlán{_W}",
        "tr": rf"termometre{_W}|termokupl{_W}",
    },
    "burner": {
        "de": rf"brenner{_W}", "fr": rf"brûleur{_W}", "es": rf"quemador{_W}", "it": rf"bruciator{_W}",
        "pt": rf"queimador{_W}", "nl": rf"brander{_W}", "pl": rf"palnik{_W}", "cs": rf"hořák{_W}", "tr": rf"brülör{_W}",
    },
    "gearbox": {
        "de": rf"getriebe{_W}", "fr": rf"réducteur{_W}", "es": rf"reductor{_W}", "it": rf"riduttor{_W}",
        "pt": rf"redutor{_W}", "nl": rf"tandwielkast{_W}|reductor{_W}", "pl": rf"przekładni{_W}",
        "cs": rf"převodovk{_W}", "tr": rf"redüktör{_W}|dişli kutu{_W}",
    },
}
"""English part words (as the plant file names parts) → language → the words that say them."""
