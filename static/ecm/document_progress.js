// Progress of PDFs made by the document pipeline (core/documents/, includes/document_progress.html).
//
// Each block marked data-document-progress whose job has not finished asks its data-status-url
// every 2 seconds. The answer is JSON: {status, late, finished, html, ...}. When the status, or
// whether the job is late, changes the block's contents are replaced by `html` (the server's markup
// for the new state: the download link, the error and "Try again", or "taking longer than usual —
// we are retrying"); the block is an aria-live region, so the change is read
// out. Polling stops when the job has finished, after 15 minutes, or when the answer is not the
// JSON (signed out: a redirect to sign in). Without JavaScript the "Check again" link does the same.

const POLL_MS = 2000;
const MAX_POLLS = 450;

function watch(block) {
  let polls = 0;

  async function poll() {
    polls += 1;
    let answer;
    try {
      const response = await fetch(block.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
      });
      if (!response.ok) {
        return; // signed out, or no longer allowed: leave the page as it is
      }
      answer = await response.json();
    } catch {
      if (polls < MAX_POLLS) {
        window.setTimeout(poll, POLL_MS); // a network blip: ask again
      }
      return;
    }
    // The state, or whether the job is late ("taking longer than usual — we are retrying"), changed.
    const late = answer.late ? "true" : "false";
    if (answer.status !== block.dataset.status || late !== (block.dataset.late || "false")) {
      block.innerHTML = answer.html;
      block.dataset.status = answer.status;
      block.dataset.late = late;
    }
    if (answer.finished) {
      block.dataset.finished = "true";
    } else if (polls < MAX_POLLS) {
      window.setTimeout(poll, POLL_MS);
    }
  }

  window.setTimeout(poll, POLL_MS);
}

document.querySelectorAll("[data-document-progress]").forEach((block) => {
  if (block.dataset.finished !== "true") {
    watch(block);
  }
});
