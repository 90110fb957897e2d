"""The one document pipeline: PDFs made by a Celery job from a row written first, with progress on the page.

Every PDF of ECM (the formulation report's three, the review record, the figures' summary, and any
later one) is made here, the same way:

- a service writes the document's row ("queued") in its own transaction and the job is sent once it
  is committed, so a lost message loses nothing (`services.documents_send_on_commit`);
- the one task `render_document(kind, document_id)` (tasks.py) claims the row, renders the kind's
  print template with WeasyPrint as a tagged PDF/UA-1 (rendering.py: only the project's static files
  are fetched) and stores the file, its pages and its SHA-256; an unexpected error is tried again
  three times, then the row is failed with the reason and the page offers "Try again";
- the one resend sweep `documents_resend_stale` (beat, every minute) sends again the rows of every
  kind whose message or worker was lost (lifecycle.py explains the lease and the timings);
- the progress block (progress.py, templates/includes/document_progress.html and
  static/ecm/document_progress.js) shows each document and puts its download link in place.

The modules: models.py (the abstract `RenderedDocument`, the one `DocumentState`), registry.py (the
kinds), rendering.py, lifecycle.py (requested → claimed → ready / failed), tasks.py, services.py
(what the apps' services call), progress.py and views.py (what the apps' views call). Nothing here
imports an app above `core`: an app plugs its kind in through the registry, and answers who may
download through the access module (cases.access) in what it registers. Never copy the lifecycle.

How to add a kind of document, in three steps:

1. Register a kind. A model subclassing `core.documents.models.RenderedDocument` (its `file_directory`
   under MEDIA_ROOT and what it is a document of; `makemigrations`), and in the app's
   AppConfig.ready()::

       register_document_kind(DocumentKindSpec(
           name="reviews.record",                   # what the job is sent: keep it once in use
           model=ReviewDocument,
           template=lambda document: "pdf/review_record.html",
           context=review_record_context,            # raises DocumentNotRenderable if it never can be made
           filename=lambda document: f"ecm-case-{document.review.case_id}-review-....pdf",  # never a name
           may_download=lambda user, document: access.may(user, Action.VIEW, document.review.case),
           related=("review",),
       ))

   The app's service writes the row and calls `documents_send_on_commit(name, [row.pk])`; asking
   again uses `document_wanted(row)` (a ready one is kept, a failed one queued afresh), "Try again"
   `document_retry(name, row, actor=...)`.
2. A print template in templates/pdf/ extending `pdf/base.html` (A4, Arial, "Page X of Y" in the
   footer, `<html lang="en-GB">`): fill `title` (the PDF's title, read out by screen readers) and
   `running_header` with what may be printed on every page, initials and the case number, never a
   child's name. Use real headings, lists and tables (the PDF is tagged from them); charts are
   inlined SVG with a text alternative (trm_stages/charts.py), tables avoid breaking rows.
3. Views through the shared helpers (views.py), each getting the record through the access module
   first: a status view answering `document_status_response(request, progress)` with the block from
   `progress.document_progress(...)`, a download view answering
   `document_download_response(request, name, row, log_download=...)` (writing an access event with
   `AccessAction.DOWNLOAD`), and a POST view answering `document_retry_response(...)`. Pages show each
   document with ``{% include "includes/document_progress.html" with progress=... %}``.
"""
