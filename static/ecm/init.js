import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

// Signing out leaves nothing typed behind in this tab: the drafts autosave keeps in sessionStorage
// (keys starting "ecm-", see autosave.js) are dropped as the Sign out button is pressed, and again on
// the page that says "You have signed out" in case the button was used before this script ran.
// A session that merely expires keeps them, so the text comes back after signing in again.
const ECM_KEY_PREFIX = "ecm-";

function forgetDrafts() {
  try {
    const keys = [];
    for (let index = 0; index < window.sessionStorage.length; index += 1) {
      const key = window.sessionStorage.key(index);
      if (key && key.startsWith(ECM_KEY_PREFIX)) keys.push(key);
    }
    keys.forEach((key) => window.sessionStorage.removeItem(key));
  } catch {
    // Storage switched off: nothing was kept.
  }
}

// A form kept in this tab (autosave.js, data-autosave-local) was submitted and this page, another
// one, says it was saved: the copy has done its job. A page without a success message (the sign-in
// page after a time-out, a refusal) keeps it, and the form puts it back when the person returns.
function forgetSavedDrafts() {
  if (!document.querySelector(".govuk-notification-banner--success")) return;
  const here = `${window.location.pathname}${window.location.search}`;
  try {
    const keys = [];
    for (let index = 0; index < window.sessionStorage.length; index += 1) {
      const key = window.sessionStorage.key(index);
      if (!key || !key.startsWith("ecm-draft:")) continue;
      const address = key.split(":").slice(2).join(":");
      const stored = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (stored && stored.submitted && address !== here) keys.push(key);
    }
    keys.forEach((key) => window.sessionStorage.removeItem(key));
  } catch {
    // Storage switched off: nothing was kept.
  }
}

document.querySelectorAll("form[data-ecm-sign-out]").forEach((form) => {
  form.addEventListener("submit", forgetDrafts);
});
if (document.querySelector("[data-ecm-signed-out]")) forgetDrafts();
forgetSavedDrafts();

initAll();
