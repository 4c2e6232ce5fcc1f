"""The test or import of a long file, run by the task worker (`comptoir db-worker`): see imports.background."""

from django_tasks import task


@task()
def run_import_job(run_id: int) -> str:
    from comptoir.imports import background

    return background.execute(run_id)
