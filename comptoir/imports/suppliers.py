"""The suppliers' import: each row checked by the rules of `parties.suppliers.create_supplier` and
written a batch at a time by `create_suppliers`; a known code goes through `update_supplier`."""

from comptoir.imports.rows import UNCHANGED, UPDATED
from comptoir.parties import suppliers
from comptoir.parties.models import Supplier


class SupplierRows:
    key = "code"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.pending: list[dict] = []
        self.accounts: set[str] = set()  # the accounts of the batch's new suppliers
        self.default_days = suppliers.default_payment_days()

    def existing(self, keys):
        return Supplier.objects.in_bulk(keys, field_name="code")

    def prepare(self, record: dict) -> None:
        fields = suppliers.clean_new_supplier(default_days=self.default_days, **record)
        # An account taken by a supplier already there, or by another new one of the file.
        if fields["account"] in self.accounts:
            suppliers.refuse_taken_account(fields["account"], other=self._owner(fields["account"]))
        suppliers.refuse_taken_account(fields["account"])
        self.accounts.add(fields["account"])
        self.pending.append(fields)

    def _owner(self, account: str) -> str:
        return next((f["code"] for f in self.pending if f["account"] == account), "")

    def update(self, record: dict, found: Supplier) -> str:
        record.pop("code")
        if not record.get("account"):
            record.pop("account", None)  # blank: the account it has
        changed = suppliers.changes(found, record)
        if not changed:
            return UNCHANGED
        suppliers.update_supplier(found, by=self.by, **changed)
        return UPDATED

    def flush(self) -> None:
        suppliers.create_suppliers(self.pending, by=self.by, source=self.source)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""
