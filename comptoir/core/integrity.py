"""`verify-audit`: the audit chain, its checkpoints, and the documents against their events.

The chain and the checkpoints belong to core (`audit.verify_chain`, `checkpoints`); the documents belong
to their areas, each of which says what its events promised and checks it (`billing.integrity`,
`payments.integrity`, `accounting.integrity`). They are listed by dotted path in
`settings.AUDIT_DOCUMENT_CHECKS`, the way Django lists middleware, so core imports no business area.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from comptoir.core import audit, checkpoints


def verify(*, checkpoint_files=(), documents: bool = True) -> audit.ChainReport:
    """Every break found, not only the first: the chain's, then the checkpoints', then the documents'."""
    files = [checkpoints.default_path(), *checkpoint_files]
    found, unreadable = checkpoints.read(dict.fromkeys(files))
    report = audit.verify_chain(checkpoints=found)
    extra = list(unreadable)
    if documents:
        for path in settings.AUDIT_DOCUMENT_CHECKS:
            extra += import_string(path)()
    if extra:
        report.problems += extra
        if report.ok:
            report.ok = False
            report.reason = str(extra[0])
    return report
