"""Run compiled Schematron XSLTs over XML files with saxonche, in a process of its own.

saxonche (GraalVM native image) crashes after fork() and in threads, so it is never imported by a
Django or task worker: `validate.py` starts `python -m comptoir.einvoice._saxon_runner` and reads
the result. Each stylesheet is compiled once and applied to every file.

Input (JSON on stdin): {"stylesheets": [path, ...], "documents": [path, ...]}
Output (JSON on stdout): {"results": [[svrl_or_null, ...] per document], "errors": [[msg_or_null, ...]]}
"""

import json
import sys


def run(stylesheets: list[str], documents: list[str]) -> dict:
    from saxonche import PySaxonProcessor

    results = [[None] * len(stylesheets) for _ in documents]
    errors = [[None] * len(stylesheets) for _ in documents]
    with PySaxonProcessor(license=False) as processor:
        xslt = processor.new_xslt30_processor()
        for s_index, stylesheet in enumerate(stylesheets):
            # Compiled from the file, so that document('…_codedb.xml') resolves next to it.
            executable = xslt.compile_stylesheet(stylesheet_file=stylesheet)
            for d_index, document in enumerate(documents):
                try:
                    results[d_index][s_index] = executable.transform_to_string(source_file=document)
                except Exception as exc:  # a broken input must not hide the other reports
                    errors[d_index][s_index] = f"{type(exc).__name__}: {exc}"
    return {"results": results, "errors": errors}


def main() -> int:
    job = json.load(sys.stdin)
    json.dump(run(job["stylesheets"], job["documents"]), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
