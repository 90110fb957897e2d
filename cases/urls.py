from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from cases.views import (
    chronology,
    consultations,
    contact_frequency,
    contacts,
    lists,
    merges,
    network,
    record,
    rectification,
    transfers,
)

app_name = "cases"

urlpatterns = [
    path("", lists.case_list_view, name="list"),
    path("search/", lists.case_search_view, name="search"),
    path("access-log/", lists.access_log, name="access_log"),
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/<id:transfer_id>/", transfers.transfer_detail, name="transfer_detail"),
    path("<id:case_id>/", record.case_detail, name="detail"),
    # The overview's sub-pages (templates/cases/includes/case_subnav.html); contacts and chronology are below.
    path("<id:case_id>/details/", record.case_details, name="details"),
    path("<id:case_id>/network/", record.case_network, name="network"),
    path("<id:case_id>/plan/", record.case_plan, name="plan"),
    path("<id:case_id>/trm/", record.case_trm, name="trm"),
    path("<id:case_id>/meetings-and-reviews/", record.case_meetings, name="meetings"),
    path("<id:case_id>/access-log/", lists.case_access_log, name="case_access_log"),
    path("<id:case_id>/child/", record.child_change, name="child_change"),
    path("<id:case_id>/child/correct/", rectification.child_correct, name="child_correct"),
    path("<id:case_id>/child/corrections/", rectification.rectifications, name="rectifications"),
    path("<id:case_id>/case-holder/", record.case_holder_change, name="holder_change"),
    path("<id:case_id>/merge/", merges.merge_start, name="merge_start"),
    path("<id:case_id>/merge/<id:other_id>/", merges.merge_compare, name="merge_compare"),
    path("<id:case_id>/merges/<id:merge_id>/", merges.merge_detail, name="merge_detail"),
    path("<id:case_id>/close/", record.case_close, name="close"),
    path("<id:case_id>/reopen/", record.case_reopen, name="reopen"),
    path("<id:case_id>/transfer/", transfers.transfer_offer, name="transfer_offer"),
    path("<id:case_id>/transfer/withdraw/", transfers.transfer_withdraw, name="transfer_withdraw"),
    path("<id:case_id>/recorded-by-your-service/", transfers.former_records, name="former_records"),
    path(
        "<id:case_id>/contact-frequency/",
        contact_frequency.contact_frequency_change,
        name="contact_frequency",
    ),
    path("<id:case_id>/network/add/", network.network_add, name="network_add"),
    path("<id:case_id>/network/add/<id:person_id>/", network.network_add_person, name="network_add_person"),
    path("<id:case_id>/network/<id:member_id>/sharing/", network.network_sharing, name="network_sharing"),
    path("<id:case_id>/network/<id:member_id>/remove/", network.network_remove, name="network_remove"),
    path("<id:case_id>/contacts/", contacts.contact_list, name="contacts"),
    path("<id:case_id>/contacts/add/", contacts.contact_add, name="contact_add"),
    path("<id:case_id>/contacts/<id:contact_id>/", contacts.contact_detail, name="contact_detail"),
    path("<id:case_id>/contacts/<id:contact_id>/correct/", contacts.contact_correct, name="contact_correct"),
    path(
        "<id:case_id>/contacts/<id:contact_id>/significant/",
        contacts.contact_significant,
        name="contact_significant",
    ),
    path("<id:case_id>/consultations/", consultations.consultation_list, name="consultations"),
    path("<id:case_id>/consultations/add/", consultations.consultation_add, name="consultation_add"),
    path(
        "<id:case_id>/consultations/<id:consultation_id>/",
        consultations.consultation_detail,
        name="consultation_detail",
    ),
    path("<id:case_id>/chronology/", chronology.chronology, name="chronology"),
    path("<id:case_id>/chronology/significant/", chronology.chronology_significant, name="chronology_significant"),
    path("<id:case_id>/chronology/pdf/", chronology.chronology_pdf, name="chronology_pdf"),
    path(
        "<id:case_id>/chronology/pdf/<id:pdf_id>/status/",
        chronology.chronology_pdf_status,
        name="chronology_pdf_status",
    ),
    path(
        "<id:case_id>/chronology/pdf/<id:pdf_id>/download/",
        chronology.chronology_pdf_download,
        name="chronology_pdf_download",
    ),
    path(
        "<id:case_id>/chronology/pdf/<id:pdf_id>/retry/", chronology.chronology_pdf_retry, name="chronology_pdf_retry"
    ),
]
