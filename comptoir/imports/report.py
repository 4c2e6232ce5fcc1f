"""The report of an import as people read it (French): a summary, then a line per refusal."""

from django.utils.translation import gettext as _

from comptoir.imports.rows import CREATED, REFUSED, UNCHANGED, UPDATED, Report


def headline(report: Report) -> str:
    counts = report.counts
    numbers = _(
        "%(created)s créé(s), %(updated)s mis à jour, %(unchanged)s inchangé(s), %(refused)s refusé(s)"
    ) % {
        "created": counts[CREATED],
        "updated": counts[UPDATED],
        "unchanged": counts[UNCHANGED],
        "refused": counts[REFUSED],
    }
    if report.dry_run:
        return _("Test de « %(file)s » : %(numbers)s. Rien n'a été enregistré.") % {
            "file": report.file_name,
            "numbers": numbers,
        }
    if report.imported:
        return _("Import de « %(file)s » : %(numbers)s.") % {"file": report.file_name, "numbers": numbers}
    return _("Import de « %(file)s » annulé, rien n'a été enregistré : %(numbers)s.") % {
        "file": report.file_name,
        "numbers": numbers,
    }


def refusal_line(refusal) -> str:
    if refusal.column:
        return _("Ligne %(row)s, colonne « %(column)s », valeur « %(value)s » : %(reason)s") % {
            "row": refusal.row,
            "column": refusal.column,
            "value": refusal.value,
            "reason": refusal.message,
        }
    return _("Ligne %(row)s : %(reason)s") % {"row": refusal.row, "reason": refusal.message}


def summary_lines(report: Report) -> list[str]:
    lines = [headline(report)]
    lines += [refusal_line(r) for r in report.refusals]
    if report.counts[REFUSED] and not report.imported and not report.dry_run:
        lines.append(
            _("Lignes refusées : %(count)s. Corrigez-les, ou importez les lignes valides seulement.")
            % {"count": report.counts[REFUSED]}
        )
    return lines
