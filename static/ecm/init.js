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

document.querySelectorAll("form[data-ecm-sign-out]").forEach((form) => {
  form.addEventListener("submit", forgetDrafts);
});
if (document.querySelector("[data-ecm-signed-out]")) forgetDrafts();

initAll();
