"""What the OpenAPI document says beyond what each endpoint declares: the answers the HTTP layer gives to
any request with a body (413 too large, 415 not JSON, 400 unreadable multipart), whatever the endpoint.

`site.ComptoirAPI.get_openapi_schema` runs `complete()` over the document Ninja builds, so the published
contract matches what `errors.py`, the body parser and `comptoir.request_size` answer (checked by
`bench/api_contract.py`, schemathesis over the whole document).
"""

from django.conf import settings

# What a request that follows the published schema may be answered: 422 `validation_error` is for requests
# that break the schema; 400 for one that follows it but that a rule the schema cannot state refuses, with
# a stable code (a SIREN's checksum, a draft no longer a draft, stock that is not there, two fields that
# do not go together: `invalid_combination`). The contract checks (schemathesis: bench/api_contract.py,
# api/tests/test_contract.py) hold the API to it.
SCHEMA_VALID_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
JSON = "application/json"
MULTIPART = "multipart/form-data"


def _body_errors() -> dict:
    body, upload = settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.COMPTOIR_MAX_UPLOAD_SIZE
    return {
        "413": f"Requête trop volumineuse (`request_too_large`) : {body} octets au plus en JSON ou en "
        f"formulaire, {upload} avec des fichiers (multipart).",
    }


JSON_BODY_ERRORS = {
    "415": "Le corps n'est pas envoyé en `application/json` (`unsupported_media_type`).",
}
MULTIPART_ERRORS = {
    "400": "Requête multipart illisible (`invalid_multipart`), ou refusée par une règle (code stable).",
}


def _error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": ERROR_REF}}}


def complete(document: dict) -> dict:
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            body = operation.get("requestBody")
            if not body:
                continue
            content = body.get("content", {})
            extra = _body_errors()
            if JSON in content:
                extra |= JSON_BODY_ERRORS
            if MULTIPART in content:
                extra |= MULTIPART_ERRORS
                _files_required(content[MULTIPART]["schema"])
            for status, description in extra.items():
                operation["responses"].setdefault(status, _error(description))
    return document


def _files_required(schema: dict) -> None:
    # A multipart body cannot carry an empty list: a file field, when required, holds at least one file.
    for name in schema.get("required", ()):
        prop = schema.get("properties", {}).get(name, {})
        if prop.get("type") == "array" and prop.get("items", {}).get("format") == "binary":
            prop.setdefault("minItems", 1)


def operation_id(module: str, view: str) -> str:
    """The operation id Ninja gives the endpoint `view` of `module` (`NinjaAPI.get_openapi_operation_id`): an
    endpoint moved to another module passes it to keep its published id."""
    return f"{module}_{view}".replace(".", "_")
