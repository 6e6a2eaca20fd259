// Rewrites a pasted API key in an admin search box to its public lookup id before the
// search is sent, so the secret never reaches a URL, an access log or browser history.
// The server applies the same rule (apikeys/admin_search.py) when JavaScript is off.
"use strict";
(function () {
  var PREFIXES = ["clipia_live_", "clipia_test_"];
  var LOOKUP_ID_LENGTH = 12;

  function lookupIdIn(term) {
    for (var i = 0; i < PREFIXES.length; i++) {
      var start = term.indexOf(PREFIXES[i]);
      if (start !== -1) {
        var begin = start + PREFIXES[i].length;
        return term.slice(begin, begin + LOOKUP_ID_LENGTH);
      }
    }
    return null;
  }

  function withoutPastedKeys(query) {
    return query
      .split(/\s+/)
      .map(function (term) {
        var lookupId;
        while ((lookupId = lookupIdIn(term)) !== null) {
          term = lookupId;
        }
        return term;
      })
      .filter(function (term) { return term !== ""; })
      .join(" ");
  }

  function guard(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) {
      return;
    }
    form.addEventListener("submit", function () {
      if (lookupIdIn(input.value) !== null) {
        input.value = withoutPastedKeys(input.value);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("#changelist-search");
    for (var i = 0; i < forms.length; i++) {
      guard(forms[i]);
    }
  });
})();
