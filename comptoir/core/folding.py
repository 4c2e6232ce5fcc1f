"""Accent- and case-folding, the same in Python (`fold`) and in SQL (`Folded`), for searches that ignore
accents and case on both sides ("electricite" finds « Électricité Dupont »): lower-case, then the accented
letters of French and its neighbours replaced one by one, the same on SQLite and PostgreSQL without an
extension (on SQLite, French's own accented letters). Used by the global search, the pickers, and the
stored folded names of customers and products (`GeneratedField`s, so the folding is not paid per row
at each keystroke)."""

import unicodedata

from django.db.models import F, Func, Value
from django.db.models.functions import Lower, Replace

# Lower-case accented letters and what they fold to: what Lower() leaves in French, German, Spanish,
# Portuguese, Italian and the Latin Extended letters of customers' names (Polish, Czech, Romanian).
FOLDS = {
    "à": "a", "â": "a", "ä": "a", "á": "a", "ã": "a", "å": "a", "ą": "a",
    "ç": "c", "ć": "c", "č": "c",
    "é": "e", "è": "e", "ê": "e", "ë": "e", "ę": "e", "ě": "e",
    "î": "i", "ï": "i", "í": "i", "ì": "i",
    "ñ": "n", "ń": "n", "ň": "n",
    "ô": "o", "ö": "o", "ó": "o", "ò": "o", "õ": "o", "ø": "o", "ő": "o",
    "ù": "u", "û": "u", "ü": "u", "ú": "u", "ů": "u", "ű": "u",
    "ÿ": "y", "ý": "y",
    "ś": "s", "š": "s", "ș": "s", "ş": "s",
    "ț": "t", "ţ": "t", "ť": "t",
    "ź": "z", "ż": "z", "ž": "z",
    "ł": "l", "ř": "r", "ď": "d",
    "œ": "oe", "æ": "ae",
}  # fmt: skip


def fold(text: str) -> str:
    """What the SQL folding gives for `text`: lower-case, accents off."""
    text = text.lower()
    for accented, plain in FOLDS.items():
        text = text.replace(accented, plain)
    # Anything else decomposable (a letter typed with a combining accent) loses its accent too.
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# SQLite parses at most about 25 nested calls, and its lower() knows ASCII only: there the folding covers
# French's own letters, both cases, replaced before lowering. PostgreSQL's lower() knows every letter and
# translate() takes every single letter of FOLDS at once.
SQLITE_FOLDS = {"é": "e", "è": "e", "ê": "e", "ë": "e", "à": "a", "â": "a", "î": "i", "ï": "i", "ô": "o",
                "û": "u", "ù": "u", "ç": "c", "É": "e", "È": "e", "Ê": "e", "À": "a", "Ç": "c", "Ô": "o",
                "Î": "i"}  # fmt: skip


class Folded(Func):
    """The SQL side of `fold`: lower-case, accented letters replaced."""

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra):  # SQLite and any other backend
        expression = self.source_expressions[0]
        for accented, plain in SQLITE_FOLDS.items():
            expression = Replace(expression, Value(accented), Value(plain))
        return compiler.compile(Lower(expression))

    def as_postgresql(self, compiler, connection, **extra):
        singles = {accented: plain for accented, plain in FOLDS.items() if len(plain) == 1}
        expression = Func(
            Lower(self.source_expressions[0]),
            Value("".join(singles)),
            Value("".join(singles.values())),
            function="TRANSLATE",
        )
        for accented, plain in FOLDS.items():
            if len(plain) > 1:
                expression = Replace(expression, Value(accented), Value(plain))
        return compiler.compile(expression)
