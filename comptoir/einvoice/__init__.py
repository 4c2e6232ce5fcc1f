"""Electronic invoices: Factur-X (CII EN 16931), UBL 2.1 and the readable PDF, from plain dataclasses.

A pure library, no Django: the billing adapter turns an issued invoice into `document.Invoice`, then
    cii.to_cii(invoice) -> bytes              UN/CEFACT CII D16B, Factur-X profile EN 16931
    ubl.to_ubl(invoice) -> bytes              UBL 2.1 Invoice / CreditNote
    pdf.render_pdf(invoice, legal) -> bytes   A4 French invoice, deterministic
    facturx.make_facturx(invoice, legal)      PDF/A-3 with factur-x.xml embedded
    validate.validate_many([xml, ...])        XSD + Factur-X EN 16931 + BR-FR Schematron, offline
    validate.read_back(pdf)                   extract and parse the XML as a receiver would
Nothing is imported here, so that the Schematron runner subprocess starts light.
"""
