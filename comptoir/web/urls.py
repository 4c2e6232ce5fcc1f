from django.urls import path

from comptoir.web.views import (
    accounting,
    audit,
    customers,
    deliveries,
    home,
    invoices,
    lines,
    payments,
    products,
    returns,
    sales,
    schedules,
    stock,
)

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    # Customers
    path("clients/", customers.customer_list, name="customer_list"),
    path("clients/nouveau/", customers.customer_create, name="customer_create"),
    path("clients/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("clients/<int:pk>/modifier/", customers.customer_edit, name="customer_edit"),
    path("clients/<int:pk>/releve/", customers.customer_statement, name="customer_statement"),
    path("clients/<int:pk>/contacts/", customers.customer_add_contact, name="customer_add_contact"),
    path("clients/<int:pk>/adresses/", customers.customer_add_address, name="customer_add_address"),
    # Products and stock
    path("produits/", products.product_list, name="product_list"),
    path("produits/nouveau/", products.product_create, name="product_create"),
    path("produits/<int:pk>/", products.product_detail, name="product_detail"),
    path("produits/<int:pk>/modifier/", products.product_edit, name="product_edit"),
    path("stock/", stock.stock_levels, name="stock"),
    path("stock/receptions/nouvelle/", stock.receipt_create, name="receipt_create"),
    path("stock/receptions/ligne/", stock.receipt_row, name="receipt_row"),
    # Line editor (htmx)
    path("lignes/nouvelle/", lines.line_row, name="line_row"),
    path("lignes/totaux/", lines.line_totals, name="line_totals"),
    # Quotes
    path("devis/", sales.quote_list, name="quote_list"),
    path("devis/nouveau/", sales.quote_create, name="quote_create"),
    path("devis/<int:pk>/", sales.quote_detail, name="quote_detail"),
    path("devis/<int:pk>/modifier/", sales.quote_edit, name="quote_edit"),
    path("devis/<int:pk>/envoyer/", sales.quote_send, name="quote_send"),
    path("devis/<int:pk>/accepter/", sales.quote_accept, name="quote_accept"),
    path("devis/<int:pk>/refuser/", sales.quote_refuse, name="quote_refuse"),
    path("devis/<int:pk>/annuler/", sales.quote_cancel, name="quote_cancel"),
    # Orders
    path("commandes/", sales.order_list, name="order_list"),
    path("commandes/nouvelle/", sales.order_create, name="order_create"),
    path("commandes/<int:pk>/", sales.order_detail, name="order_detail"),
    path("commandes/<int:pk>/modifier/", sales.order_edit, name="order_edit"),
    path("commandes/<int:pk>/confirmer/", sales.order_confirm, name="order_confirm"),
    path("commandes/<int:pk>/annuler/", sales.order_cancel, name="order_cancel"),
    path("commandes/<int:pk>/livrer/", sales.order_deliver, name="order_deliver"),
    path("commandes/<int:pk>/facturer/", sales.order_invoice, name="order_invoice"),
    path("commandes/<int:pk>/echeancier/", schedules.order_schedule, name="order_schedule"),
    path(
        "commandes/<int:pk>/echeances/<int:milestone_pk>/atteinte/",
        schedules.milestone_reached,
        name="milestone_reached",
    ),
    path(
        "commandes/<int:pk>/echeances/<int:milestone_pk>/facturer/",
        schedules.milestone_invoice,
        name="milestone_invoice",
    ),
    # Deliveries
    path("livraisons/", deliveries.delivery_list, name="delivery_list"),
    path("livraisons/<int:pk>/", deliveries.delivery_detail, name="delivery_detail"),
    path("livraisons/<int:pk>/valider/", deliveries.delivery_validate, name="delivery_validate"),
    path("livraisons/<int:pk>/annuler/", deliveries.delivery_cancel, name="delivery_cancel"),
    path("livraisons/<int:pk>/ecart/", returns.return_declare, name="return_declare"),
    # Disputes (litiges) and returns
    path("litiges/", returns.return_board, name="return_board"),
    path("litiges/indicateurs/", returns.return_kpis, name="return_kpis"),
    path("litiges/<int:pk>/", returns.return_detail, name="return_detail"),
    path("litiges/<int:pk>/soumettre/", returns.return_submit, name="return_submit"),
    path("litiges/<int:pk>/approuver/", returns.return_approve, name="return_approve"),
    path("litiges/<int:pk>/rejeter/", returns.return_reject, name="return_reject"),
    path("litiges/<int:pk>/recevoir/", returns.return_receive, name="return_receive"),
    path("litiges/<int:pk>/resoudre/", returns.return_resolve, name="return_resolve"),
    path("litiges/<int:pk>/clore/", returns.return_close, name="return_close"),
    path("litiges/<int:pk>/lever-blocage/", returns.return_lift_block, name="return_lift_block"),
    # Invoices
    path("factures/", invoices.invoice_list, name="invoice_list"),
    path("factures/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("factures/<int:pk>/emettre/", invoices.invoice_issue, name="invoice_issue"),
    path("factures/<int:pk>/telecharger/<str:fmt>/", invoices.invoice_download, name="invoice_download"),
    path("factures/<int:pk>/annuler/", invoices.invoice_cancel, name="invoice_cancel"),
    # Payments
    path("reglements/", payments.payment_list, name="payment_list"),
    path("reglements/nouveau/", payments.payment_create, name="payment_create"),
    path("reglements/<int:pk>/", payments.payment_detail, name="payment_detail"),
    # Accounting
    path("comptabilite/balance/", accounting.trial_balance, name="trial_balance"),
    path("comptabilite/grand-livre/<str:code>/", accounting.general_ledger, name="general_ledger"),
    path("comptabilite/ecritures/", accounting.journal_entries, name="journal_entries"),
    path("comptabilite/tva/", accounting.vat_summary, name="vat_summary"),
    path("comptabilite/fec/", accounting.fec_export, name="fec_export"),
    path("comptabilite/fec/telecharger/", accounting.fec_download, name="fec_download"),
    # Audit
    path("audit/", audit.audit_list, name="audit_list"),
]
