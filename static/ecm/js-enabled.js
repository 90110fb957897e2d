// Mark the page as JavaScript-enabled before it paints (GOV.UK Frontend styles depend on it).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
