"""How people write units, per language, mapped to the unit spellings of the plant file (degC, bar, m3/h, ...).

Data only; :mod:`copilot.understanding.units` reads it. ``SYMBOLS`` are written the same in every language;
``WORDS`` are each language's names. ``DEGREES`` is the bare word for degrees, which names the temperature
scale of the tag it is said of ("5 degrees" on a degC tag is 5 degC). ``CASED`` symbols count only as written
("A" is amperes, "a" is a word; "W" is watts, Polish "w" is "in"). ``UNSURE`` are units people name for which
no one rule holds (a US or an imperial gallon): asked back, never converted.
"""

from __future__ import annotations

DEGREES = "deg"

SYMBOLS = {
    "°c": "degC", "ºc": "degC", "° c": "degC", "degc": "degC", "deg c": "degC", "celsius": "degC",
    "°f": "degF", "ºf": "degF", "° f": "degF", "degf": "degF", "deg f": "degF", "fahrenheit": "degF",
    "kelvin": "K", "°": DEGREES, "º": DEGREES,
    "bar": "bar", "bars": "bar", "mbar": "mbar", "psi": "psi", "kpa": "kPa", "mpa": "MPa", "atm": "atm",
    "m³/h": "m3/h", "m3/h": "m3/h", "m^3/h": "m3/h", "m³/min": "m3/min", "m3/min": "m3/min", "l/min": "l/min",
    "lpm": "l/min", "l/h": "l/h", "l/s": "l/s",
    "rpm": "rpm", "1/min": "rpm", "min-1": "rpm", "min⁻¹": "rpm", "u/min": "rpm", "tr/min": "rpm",
    "giri/min": "rpm", "obr/min": "rpm", "ot/min": "rpm", "dev/dk": "rpm", "rev/min": "rpm",
    "mm/s": "mm/s", "m/s": "m/s", "m/min": "m/min", "m/dk": "m/min", "mm/sn": "mm/s",
    "kw": "kW",
    "ms": "ms", "s": "s", "sec": "s", "sn": "s", "min": "min", "dk": "min", "h": "h", "hr": "h",
    "ml": "ml", "cl": "cl", "l": "l",
    "%": "%", "pcs": "pcs", "bpm": "bpm", "spm": "spm", "kn": "kN",
    "mm": "mm", "cm": "cm", "m": "m", "g": "g", "kg": "kg", "t": "t",
}
CASED = {"A": "A", "mA": "mA", "K": "K", "C": "degC", "F": "degF", "Pa": "Pa", "W": "W", "MW": "MW", "N": "N"}

_EN = {
    "degrees celsius": "degC", "degree celsius": "degC", "degrees fahrenheit": "degF", "degrees": DEGREES,
    "degree": DEGREES, "kilopascals": "kPa", "megapascals": "MPa",
    "cubic metres per hour": "m3/h", "cubic meters per hour": "m3/h", "litres per minute": "l/min",
    "liters per minute": "l/min", "litres per hour": "l/h", "liters per hour": "l/h",
    "revolutions per minute": "rpm", "revs": "rpm", "millimetres per second": "mm/s",
    "millimeters per second": "mm/s", "metres per minute": "m/min", "meters per minute": "m/min",
    "metres a minute": "m/min", "meters a minute": "m/min", "amps": "A", "amperes": "A", "amp": "A",
    "kilowatts": "kW", "watts": "W", "seconds": "s", "secs": "s", "minutes": "min", "mins": "min",
    "hours": "h", "hrs": "h", "millilitres": "ml", "milliliters": "ml", "litres": "l", "liters": "l",
    "litre": "l", "liter": "l", "percent": "%", "per cent": "%", "pieces": "pcs",
    "bottles per minute": "bpm", "bottles a minute": "bpm", "bottles/min": "bpm",
    "strokes per minute": "spm", "strokes a minute": "spm", "strokes/min": "spm", "kilonewtons": "kN",
    "millimetres": "mm", "millimeters": "mm", "centimetres": "cm", "centimeters": "cm", "metres": "m", "meters": "m",
    "grams": "g", "kilos": "kg", "kilograms": "kg", "tonnes": "t", "tonne": "t", "metric tons": "t",
}
_DE = {
    "grad celsius": "degC", "grad fahrenheit": "degF", "grad": DEGREES, "kubikmeter pro stunde": "m3/h",
    "liter pro minute": "l/min", "liter pro stunde": "l/h", "umdrehungen pro minute": "rpm",
    "millimeter pro sekunde": "mm/s", "meter pro minute": "m/min", "ampere": "A", "kilowatt": "kW",
    "sekunden": "s", "sekunde": "s", "minuten": "min", "minute": "min", "stunden": "h", "stunde": "h",
    "milliliter": "ml", "liter": "l", "prozent": "%", "stück": "pcs", "flaschen pro minute": "bpm",
    "flaschen/min": "bpm", "hübe pro minute": "spm", "hübe/min": "spm", "hub/min": "spm",
    "millimeter": "mm", "zentimeter": "cm", "meter": "m", "gramm": "g", "kilo": "kg", "kilogramm": "kg",
    "tonnen": "t", "tonne": "t",
}
_FR = {
    "degrés celsius": "degC", "degrés fahrenheit": "degF", "degrés": DEGREES, "degré": DEGREES,
    "degres": DEGREES, "mètres cubes par heure": "m3/h", "litres par minute": "l/min", "litres par heure": "l/h",
    "tours par minute": "rpm", "millimètres par seconde": "mm/s", "mètres par minute": "m/min",
    "ampères": "A", "kilowatts": "kW", "secondes": "s", "seconde": "s", "minutes": "min", "heures": "h",
    "heure": "h", "millilitres": "ml", "litres": "l", "pour cent": "%", "pourcent": "%", "pièces": "pcs",
    "bouteilles par minute": "bpm", "bouteilles/min": "bpm", "coups par minute": "spm",
    "millimètres": "mm", "centimètres": "cm", "mètres": "m", "grammes": "g", "kilos": "kg", "kilogrammes": "kg",
    "tonnes": "t", "tonne": "t",
}
_ES = {
    "grados celsius": "degC", "grados fahrenheit": "degF", "grados": DEGREES, "grado": DEGREES,
    "metros cúbicos por hora": "m3/h", "litros por minuto": "l/min", "litros por hora": "l/h",
    "revoluciones por minuto": "rpm", "milímetros por segundo": "mm/s", "metros por minuto": "m/min",
    "amperios": "A", "kilovatios": "kW", "segundos": "s", "minutos": "min", "horas": "h", "mililitros": "ml",
    "litros": "l", "por ciento": "%", "piezas": "pcs", "botellas por minuto": "bpm", "golpes por minuto": "spm",
    "milímetros": "mm", "centímetros": "cm", "metros": "m", "gramos": "g", "kilos": "kg", "kilogramos": "kg",
    "toneladas": "t", "tonelada": "t",
}
_IT = {
    "gradi celsius": "degC", "gradi fahrenheit": "degF", "gradi": DEGREES, "grado": DEGREES,
    "metri cubi all'ora": "m3/h", "litri al minuto": "l/min", "litri all'ora": "l/h", "giri al minuto": "rpm",
    "millimetri al secondo": "mm/s", "metri al minuto": "m/min", "ampere": "A", "kilowatt": "kW",
    "secondi": "s", "minuti": "min", "ore": "h", "millilitri": "ml", "litri": "l", "per cento": "%",
    "percento": "%", "pezzi": "pcs", "bottiglie al minuto": "bpm", "colpi al minuto": "spm",
    "millimetri": "mm", "centimetri": "cm", "metri": "m", "grammi": "g", "chili": "kg", "chilogrammi": "kg",
    "tonnellate": "t", "tonnellata": "t",
}
_PT = {
    "graus celsius": "degC", "graus fahrenheit": "degF", "graus": DEGREES, "grau": DEGREES,
    "metros cúbicos por hora": "m3/h", "litros por minuto": "l/min", "litros por hora": "l/h",
    "rotações por minuto": "rpm", "milímetros por segundo": "mm/s", "metros por minuto": "m/min",
    "amperes": "A", "quilowatts": "kW", "segundos": "s", "minutos": "min", "horas": "h", "mililitros": "ml",
    "litros": "l", "por cento": "%", "peças": "pcs", "garrafas por minuto": "bpm", "golpes por minuto": "spm",
    "milímetros": "mm", "centímetros": "cm", "metros": "m", "gramas": "g", "quilos": "kg", "quilogramas": "kg",
    "toneladas": "t", "tonelada": "t",
}
_NL = {
    "graden celsius": "degC", "graden fahrenheit": "degF", "graden": DEGREES, "graad": DEGREES,
    "kubieke meter per uur": "m3/h", "liter per minuut": "l/min", "liter per uur": "l/h",
    "toeren per minuut": "rpm", "millimeter per seconde": "mm/s", "meter per minuut": "m/min",
    "ampère": "A", "kilowatt": "kW", "seconden": "s", "minuten": "min", "uur": "h", "milliliter": "ml",
    "liter": "l", "procent": "%", "stuks": "pcs", "flessen per minuut": "bpm", "slagen per minuut": "spm",
    "millimeter": "mm", "centimeter": "cm", "meter": "m", "gram": "g", "kilo": "kg", "kilogram": "kg",
}
_PL = {
    "stopni celsjusza": "degC", "stopni fahrenheita": "degF", "stopni": DEGREES, "stopnie": DEGREES,
    "stopień": DEGREES, "stopnia": DEGREES, "bara": "bar", "barów": "bar", "metrów sześciennych na godzinę": "m3/h",
    "litrów na minutę": "l/min", "litrów na godzinę": "l/h", "obrotów na minutę": "rpm",
    "milimetrów na sekundę": "mm/s", "metrów na minutę": "m/min", "amperów": "A", "kilowatów": "kW",
    "sekund": "s", "sekundy": "s", "minut": "min", "minuty": "min", "godzin": "h", "godziny": "h",
    "mililitrów": "ml", "litrów": "l", "litry": "l", "procent": "%", "sztuk": "pcs",
    "butelek na minutę": "bpm", "suwów na minutę": "spm",
    "milimetrów": "mm", "centymetrów": "cm", "metrów": "m", "gramów": "g", "kilogramów": "kg", "ton": "t",
    "tony": "t",
}
_CS = {
    "stupňů celsia": "degC", "stupňů fahrenheita": "degF", "stupňů": DEGREES, "stupně": DEGREES,
    "stupeň": DEGREES, "baru": "bar", "barů": "bar", "metrů krychlových za hodinu": "m3/h", "litrů za minutu": "l/min",
    "litrů za hodinu": "l/h", "otáček za minutu": "rpm", "milimetrů za sekundu": "mm/s",
    "metrů za minutu": "m/min", "ampérů": "A", "kilowattů": "kW", "sekund": "s", "minut": "min",
    "hodin": "h", "mililitrů": "ml", "litrů": "l", "procent": "%", "procenta": "%", "kusů": "pcs",
    "kusy": "pcs", "lahví za minutu": "bpm", "zdvihů za minutu": "spm",
    "milimetrů": "mm", "centimetrů": "cm", "metrů": "m", "gramů": "g", "kilogramů": "kg", "kila": "kg", "tun": "t",
    "tuny": "t",
}
_TR = {
    "santigrat derece": "degC", "derece santigrat": "degC", "fahrenhayt": "degF", "derece": DEGREES,
    "metreküp/saat": "m3/h", "litre/dakika": "l/min", "litre/saat": "l/h", "devir/dakika": "rpm", "devir": "rpm",
    "metre/dakika": "m/min", "amper": "A", "kilovat": "kW", "saniye": "s", "dakika": "min", "saat": "h",
    "mililitre": "ml", "litre": "l", "yüzde": "%", "adet": "pcs", "şişe/dakika": "bpm", "vuruş/dakika": "spm",
    "milimetre": "mm", "santimetre": "cm", "metre": "m", "gram": "g", "kilogram": "kg", "kilo": "kg", "ton": "t",
}
_PER_MINUTE = (" per minute", " a minute", " pro minute", " par minute", " por minuto", " al minuto", " per minuut",
               " na minutę", " za minutu")


def _with_short_forms(words: dict[str, str]) -> dict[str, str]:
    """A language's words with each rate per minute also as people abbreviate it ("coups par minute" is
    "coups/min" too)."""
    short = {name.removesuffix(tail) + "/min": unit for name, unit in words.items() for tail in _PER_MINUTE
             if name.endswith(tail) and " " not in name.removesuffix(tail)}
    return short | words


WORDS = {lang: _with_short_forms(words) for lang, words in {
    "en": _EN, "de": _DE, "fr": _FR, "es": _ES, "it": _IT, "pt": _PT, "nl": _NL, "pl": _PL, "cs": _CS,
    "tr": _TR}.items()}

PREFIXED = {"tr": {"%": "%", "yüzde": "%"}}
"""Units written before their number ("%10", "yüzde 10" in Turkish)."""

UNSURE = ("gallons", "gallon", "gal", "gpm", "ounces", "oz", "tons", "ton")
"""Units people name that have no one definition (US or imperial gallon, fluid or mass ounce, short or long ton
in English)."""
