"""An optional language model that rephrases what the assistant writes (reminder e-mails), never what it
decides. Off by default; nothing in Comptoir needs it.

Configure any OpenAI-compatible endpoint with COMPTOIR_LLM_URL (e.g. http://127.0.0.1:8080/v1),
COMPTOIR_LLM_KEY and COMPTOIR_LLM_MODEL. The text comes back only if it keeps every fact of the original:
each number, amount, date and document number must still be there, word for word; otherwise, or when the
endpoint is slow, down or answers nonsense, the original text is used and the reason is logged. The
facts are the assistant's; the model only changes the wording.
"""

import json
import logging
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 8
MAX_CHARS = 6000
# Anything with a digit: amounts (1 234,56), dates (13/04/2026), numbers (FA-2026-00123), days (J+30).
_FACT = re.compile(r"[\w/.,+\-\u202f]*\d[\w/.,+\-\u202f]*")
INSTRUCTIONS = (
    "Tu es l'assistant d'une PME française. Reformule le texte suivant en français professionnel et "
    "courtois, sans ajouter ni retirer aucune information. Recopie à l'identique chaque nombre, montant, "
    "date, numéro de document, IBAN et référence légale. Réponds uniquement par le texte reformulé."
)


@dataclass(frozen=True)
class Endpoint:
    url: str
    key: str
    model: str


def endpoint() -> Endpoint | None:
    url = os.environ.get("COMPTOIR_LLM_URL", "").strip().rstrip("/")
    if not url:
        return None
    return Endpoint(
        url, os.environ.get("COMPTOIR_LLM_KEY", ""), os.environ.get("COMPTOIR_LLM_MODEL", "default")
    )


def facts_of(text: str) -> list[str]:
    return sorted(match.strip(".,") for match in _FACT.findall(text))


def keeps_the_facts(original: str, rewritten: str) -> bool:
    """Every fact of the original appears in the rewrite as often as before."""
    wanted = facts_of(original)
    found = facts_of(rewritten)
    return all(found.count(fact) >= wanted.count(fact) for fact in set(wanted))


def rephrase(text: str, *, target: Endpoint | None = None) -> tuple[str, bool]:
    """(text, rephrased): the model's wording when it is configured, answers in time and keeps every fact;
    the original otherwise."""
    target = target or endpoint()
    if target is None or not text.strip() or len(text) > MAX_CHARS:
        return text, False
    body = json.dumps(
        {
            "model": target.model,
            "temperature": 0.2,
            "messages": [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": text}],
        }
    ).encode()
    request = urllib.request.Request(
        f"{target.url}/chat/completions",
        data=body,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {target.key}"} if target.key else {}),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
            answer = json.loads(response.read(200_000))
        rewritten = answer["choices"][0]["message"]["content"].strip()
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("Modèle de langue indisponible, texte d'origine conservé : %s", exc)
        return text, False
    if not rewritten or len(rewritten) > 2 * len(text) + 500 or not keeps_the_facts(text, rewritten):
        log.warning("Reformulation écartée : elle ne reprend pas tous les faits du texte d'origine.")
        return text, False
    return rewritten, True
