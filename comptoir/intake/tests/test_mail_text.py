"""Reading e-mails and the orders typed in them, without a database: the sender, the attachments (not a
signature's logo), an HTML body as text with its table rows, an order's lines in free text or a table,
where each value was read, and a body that is no order."""

import datetime
from email.message import EmailMessage

import pytest

from comptoir.archive import retention
from comptoir.intake.extraction import ParseError
from comptoir.intake.mail import html_to_text, parse_message
from comptoir.intake.parsers.text import parse_text


def test_a_message_gives_its_sender_attachments_and_html_body_but_not_the_logo_it_shows():
    mail = EmailMessage()
    mail["From"] = "Jeanne Achat <Achats@Brasserie.FR>"
    mail["Subject"] = "Commande"
    mail["Message-ID"] = "<a1@b>"
    mail.set_content("texte")
    mail.add_alternative('<p>Bonjour</p><img src="cid:logo1">', subtype="html")
    mail.get_payload()[1].add_related(b"\x89PNG logo", maintype="image", subtype="png", cid="<logo1>")
    mail.add_attachment(b"<xml/>", maintype="application", subtype="xml", filename="po.xml")
    parsed = parse_message(mail.as_bytes())
    assert (parsed.sender, parsed.sender_name, parsed.message_id) == (
        "achats@brasserie.fr",
        "Jeanne Achat",
        "<a1@b>",
    )
    assert [(a.name, a.content) for a in parsed.attachments] == [("po.xml", b"<xml/>")]
    assert parsed.body == "Bonjour"


def test_html_tables_become_tab_separated_rows_and_scripts_are_dropped():
    text = html_to_text(
        "<script>alert(1)</script><table><tr><td>Réf</td><td>Qté</td></tr><tr><td>A-1</td><td>2</td></tr></table>"
    )
    assert text == "Réf\tQté\nA-1\t2"


def test_free_lines_of_an_order_are_read_with_their_source_and_a_lower_confidence():
    doc = parse_text(
        "Bonjour,\nNotre commande n° BC-118 :\n- 10 x VIS-M6-50 Vis inox\n"
        "- Réf. GANT-T9 - gants cuir - qté 24\n- 2 × PERC-18V perceuse à 149,00 € HT\n"
        "12 rue des Lilas\nLivraison souhaitée : 15/12/2026\n--\nJean\n- 99 x NE-PAS-LIRE"
    )
    assert doc.value("po_number") == "BC-118" and doc.value("requested_date") == "2026-12-15"
    lines = [
        (line.value("customer_reference"), line.value("quantity"), line.value("unit_price"))
        for line in doc.lines
    ]
    assert lines == [("VIS-M6-50", "10", ""), ("GANT-T9", "24", ""), ("PERC-18V", "2", "149.00")]
    quantity = doc.lines[0].fields["quantity"]
    assert (quantity.source, str(quantity.confidence)) == ("corps, ligne 3", "0.8")


def test_a_table_in_the_text_is_read_under_its_header():
    doc = parse_text(
        "PO : X-9\nRéférence;Désignation;Quantité;Prix unitaire\nA-100;Vis;5;1,20\nB-200;Clous;3;0,50\n"
    )
    assert [
        (line.value("customer_reference"), line.value("quantity"), line.value("unit_price"))
        for line in doc.lines
    ] == [
        ("A-100", "5", "1.20"),
        ("B-200", "3", "0.50"),
    ]


def test_a_body_with_no_order_line_is_no_order():
    with pytest.raises(ParseError) as failed:
        parse_text("Bonjour, veuillez trouver ci-joint notre commande. 12 rue des Lilas.")
    assert failed.value.code == "email_no_order"


def test_retention_runs_to_the_end_of_the_year_its_period_ends():
    assert retention.retain_until("invoice", datetime.date(2026, 3, 10)) == datetime.date(2036, 12, 31)
    assert retention.retain_until("quote", datetime.date(2026, 3, 10)) == datetime.date(2031, 12, 31)
    assert retention.kind_of("intake", "inbounddocument", subkind="invoice") == "invoice_received"
    assert retention.kind_of("sales", "quote", media_type="message/rfc822") == "email"
