// Autosave for long forms (progressive enhancement: without JavaScript the Save buttons still work).
//
// A form marked data-autosave="<key>" keeps what is typed in sessionStorage as the person types,
// and posts it to data-autosave-url every 20 seconds while there are changes. The server
// answers 204 and the new version of its copy in
// X-ECM-Saved-At; 401 or 403 when the person has been signed out, and then the local copy stays.
//
// Versions, not clocks: each local copy records the server version it was typed over
// (data-autosave-saved-at). On load the copy is put back only if the server still holds that
// version, i.e. the server copy is older than what was typed. So a session that expires mid-form
// loses nothing: after signing in again, next= brings the person back and the text returns.
//
// Optional, per form (the formulation report's editor uses them):
// - data-autosave-on-leave: also post unsaved changes when the person leaves the page or tab.
// - an input marked data-autosave-version: kept at the server's current version, so the form's own
//   Save button names the version it was typed over; a Save pressed while a background save is on
//   its way waits for it, so the two never collide.
// - an element marked data-autosave-conflict (hidden): shown when the server answers 409 (someone
//   else saved first). Autosave then stops, so nothing is ever overwritten in the background.

const INTERVAL_MS = 20000;
const PREFIX = "ecm-autosave:";

function read(key) {
  try {
    return JSON.parse(window.sessionStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage is full or switched off: the server copy still works.
  }
}

function forget(key) {
  try {
    window.sessionStorage.removeItem(key);
  } catch {
    // Nothing to do.
  }
}

function keysFor(referral) {
  const keys = [];
  try {
    for (let index = 0; index < window.sessionStorage.length; index += 1) {
      const key = window.sessionStorage.key(index);
      if (key && key.startsWith(`${PREFIX}referral-${referral}:`)) {
        keys.push(key);
      }
    }
  } catch {
    // No storage: nothing kept.
  }
  return keys;
}

function isField(element) {
  return (
    element.name &&
    element.tagName !== "BUTTON" &&
    element.type !== "hidden" &&
    element.type !== "submit" &&
    element.type !== "file"
  );
}

function snapshot(form) {
  const fields = {};
  for (const element of form.elements) {
    if (!isField(element)) continue;
    if (element.type === "checkbox" || element.type === "radio") {
      fields[element.name] = fields[element.name] || [];
      if (element.checked) fields[element.name].push(element.value);
    } else {
      fields[element.name] = element.value;
    }
  }
  return fields;
}

function restore(form, fields) {
  let changed = false;
  for (const element of form.elements) {
    if (!isField(element) || !(element.name in fields)) continue;
    const value = fields[element.name];
    if (element.type === "checkbox" || element.type === "radio") {
      const checked = Array.isArray(value) && value.includes(element.value);
      if (element.checked !== checked) {
        element.checked = checked;
        changed = true;
      }
    } else if (typeof value === "string" && element.value !== value) {
      element.value = value;
      changed = true;
    }
  }
  return changed;
}

function timeNow() {
  return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function setUp(form) {
  const key = form.dataset.autosave;
  const url = form.dataset.autosaveUrl;
  const status = form.querySelector("[data-autosave-status]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  const versionInput = form.querySelector("[data-autosave-version]");
  const conflict = document.querySelector("[data-autosave-conflict]");
  let serverVersion = Number(form.dataset.autosaveSavedAt);
  let edits = 0;
  let sentEdits = 0;
  let sending = false;
  let leaving = false;
  let stopped = false;
  let submitAfterSend = null;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const stored = read(key);
  if (stored && stored.base === serverVersion && restore(form, stored.fields || {})) {
    const banner = document.querySelector("[data-autosave-restored]");
    if (banner) banner.hidden = false;
    edits = 1; // the restored text is not on the server yet
  } else if (stored) {
    forget(key);
  }

  const remember = () => {
    edits += 1;
    write(key, { base: serverVersion, fields: snapshot(form) });
  };
  form.addEventListener("input", remember);
  form.addEventListener("change", remember);
  form.addEventListener("submit", (event) => {
    if (sending && versionInput) {
      // A background save is on its way: send this one when it is back, over the version it made.
      event.preventDefault();
      submitAfterSend = event.submitter || form;
      return;
    }
    leaving = true; // the person's own save goes now; no background save races it
    // Cleared on the next page if the save went through (see clearSaved); kept if it did not.
    const current = read(key);
    if (current) write(key, { ...current, submitted: true });
  });

  const body = () => {
    const data = new FormData(form);
    data.delete("action");
    data.set("version", String(serverVersion)); // the server saves only over the copy this was typed on
    return data;
  };

  const headers = () => ({ "X-CSRFToken": token ? token.value : "", "X-Requested-With": "XMLHttpRequest" });

  // keepalive: the request outlives the page when it is sent as the person leaves.
  async function send(keepalive = false) {
    if (sending || leaving || stopped || edits === sentEdits || !url) return;
    sending = true;
    const editsAtSend = edits;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        redirect: "manual",
        keepalive,
        headers: headers(),
      });
      // Read the answer to its end, so leaving the page later does not cut it off mid-way.
      await response.text().catch(() => "");
      if (response.status === 204) {
        sentEdits = editsAtSend;
        serverVersion = Number(response.headers.get("X-ECM-Saved-At")) || serverVersion;
        form.dataset.autosaveSavedAt = String(serverVersion);
        if (versionInput) versionInput.value = String(serverVersion);
        if (edits === editsAtSend) {
          forget(key);
        } else {
          write(key, { base: serverVersion, fields: snapshot(form) });
        }
        say(`Draft saved at ${timeNow()}.`);
      } else if (response.status === 409) {
        stopped = true; // never save over someone else's version in the background
        if (conflict) conflict.hidden = false;
        say("This draft has been saved from somewhere else. What you type is kept in this browser tab.");
      } else if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect") {
        say("You have been signed out. What you type is kept in this browser tab: sign in again, then save.");
      } else {
        say("Your draft could not be saved just now. What you type is kept in this browser tab.");
      }
    } catch {
      say("Your draft could not be saved just now. What you type is kept in this browser tab.");
    } finally {
      sending = false;
      if (submitAfterSend) {
        const submitter = submitAfterSend;
        submitAfterSend = null;
        form.requestSubmit(submitter === form ? undefined : submitter);
      }
    }
  }

  // Leaving the page (a link, closing the tab, switching to another app): send what is unsaved.
  // If that request is lost, this tab's copy is put back the next time the page opens.
  if ("autosaveOnLeave" in form.dataset) {
    window.addEventListener("pagehide", () => send(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") send(true);
    });
  }

  window.setInterval(() => send(), INTERVAL_MS);
}

// Pages about one referral drop local copies the server has caught up with: those of forms that
// were submitted (the save went through: the server version moved on), and all of them once the
// referral itself has been submitted.
function clearSaved(element) {
  const referral = element.dataset.autosaveReferral;
  const serverVersion = Number(element.dataset.autosaveSavedAt);
  const done = "autosaveDone" in element.dataset;
  for (const key of keysFor(referral)) {
    const stored = read(key);
    if (done || !stored || (stored.submitted && stored.base < serverVersion)) forget(key);
  }
}

document.querySelectorAll("[data-autosave-referral]").forEach(clearSaved);
document.querySelectorAll("form[data-autosave]").forEach(setUp);
