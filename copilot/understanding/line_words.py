"""The words for what a line does, per language: "la ligne de finition" and "de afwerklijn" are the finishing line.

Data only; :mod:`copilot.understanding.machines` reads it. Each key is an English word a plant file's line names
use; each entry a regular expression (lower case, matched case-insensitively at word starts, a compound's first
part included: "Abfülllinie", "afwerklijn"). A line is named by these words where the text also says "line" in
one of the ten languages.
"""

from __future__ import annotations

LINE = (r"(?<!\w)(?:line|linie|ligne|l[ií]nea|linea|linha|lijn|lini[aeięy]|link[aouyě]|hatt\w*)"
        r"|\w(?:lijn|linie|linien|lijnen)(?!\w)")
"""The word for a line, in ten languages (alone, or the last part of a compound)."""

PURPOSES: dict[str, str] = {
    "finishing": r"veredl|ausrüst|endbearbeit|finition|finissage|acabado|finissaggio|finitura|acabamento|afwerk"
                 r"|nabehandel|wykończ|wykancz|dokončov|apretur|bitirme|terbiye",
    "dyeing": r"färbe|färbung|faerbe|teinture|teñido|tintura|tintoria|tingimento|tinturaria|verf|ververij|farbowa"
              r"|farbiar|barven|barvír|boyama|boyahane",
    "moulding": r"spritzgie|spritzguss|moulage|moldeo|stampaggio|moldagem|spuitgiet|wtrysk|vstřikov|enjeksiyon",
    "filling": r"abfüll|remplissage|llenado|riempimento|enchimento|afvul|vullijn|napełnia|rozlew|plnicí|plnění"
               r"|dolum",
    "assembly": r"montage|assemblage|montaje|ensamblaje|assemblaggio|montaggio|montagem|montaż|montáž|montaj",
    "packaging": r"verpack|emballage|conditionnement|embalaje|envasado|confezionamento|imballaggio|embalagem|verpak"
                 r"|pakowa|balení|balicí|paketleme|ambalaj",
}
