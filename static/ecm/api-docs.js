// The API documentation (/api/docs/): Swagger UI draws some <select>s with no label (the media type of an
// example or an answer). Name each from the words beside it, as Swagger UI redraws them.
(function () {
  "use strict";
  function nameSelects() {
    document.querySelectorAll("#swagger-ui select:not([aria-label]):not([aria-labelledby])").forEach(function (select) {
      if (select.labels && select.labels.length) return;
      var holder = select.closest("[class*='content-type'], .response-controls, .body-param-content-type");
      var words = holder && holder.textContent.trim() ? holder.textContent.replace(select.textContent, "").trim() : "";
      select.setAttribute("aria-label", words || "Media type");
    });
  }
  new MutationObserver(nameSelects).observe(document.documentElement, { childList: true, subtree: true });
})();
