from django.urls import path

from cases.views import chronology, consultations, contacts, lists, network, record

app_name = "cases"

urlpatterns = [
    path("", lists.case_list_view, name="list"),
    path("search/", lists.case_search_view, name="search"),
    path("access-log/", lists.access_log, name="access_log"),
    path("<int:case_id>/", record.case_detail, name="detail"),
    path("<int:case_id>/access-log/", lists.case_access_log, name="case_access_log"),
    path("<int:case_id>/child/", record.child_change, name="child_change"),
    path("<int:case_id>/case-holder/", record.case_holder_change, name="holder_change"),
    path("<int:case_id>/close/", record.case_close, name="close"),
    path("<int:case_id>/reopen/", record.case_reopen, name="reopen"),
    path("<int:case_id>/network/add/", network.network_add, name="network_add"),
    path("<int:case_id>/network/add/<int:person_id>/", network.network_add_person, name="network_add_person"),
    path("<int:case_id>/network/<int:member_id>/sharing/", network.network_sharing, name="network_sharing"),
    path("<int:case_id>/network/<int:member_id>/remove/", network.network_remove, name="network_remove"),
    path("<int:case_id>/contacts/", contacts.contact_list, name="contacts"),
    path("<int:case_id>/contacts/add/", contacts.contact_add, name="contact_add"),
    path("<int:case_id>/contacts/<int:contact_id>/", contacts.contact_detail, name="contact_detail"),
    path("<int:case_id>/contacts/<int:contact_id>/correct/", contacts.contact_correct, name="contact_correct"),
    path("<int:case_id>/consultations/", consultations.consultation_list, name="consultations"),
    path("<int:case_id>/consultations/add/", consultations.consultation_add, name="consultation_add"),
    path(
        "<int:case_id>/consultations/<int:consultation_id>/",
        consultations.consultation_detail,
        name="consultation_detail",
    ),
    path("<int:case_id>/chronology/", chronology.chronology, name="chronology"),
]
