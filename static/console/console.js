// Progressive enhancement for the console. Everything works without this file: it adds
// copy buttons, moves focus to what just appeared, a styled confirmation dialog for
// hx-confirm, pending states, and failures shown where the user acted. Kept in a static
// file because our CSP allows no inline script.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (region) {
      region.textContent = "";
      // A fresh text node after clearing makes screen readers announce repeats too.
      window.setTimeout(function () { region.textContent = text; }, 50);
    }
  }

  function enhance(root) {
    if (navigator.clipboard && window.isSecureContext) {
      root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
        button.hidden = false;
      });
    }
    var target = root.matches && root.matches("[data-focus-on-load]")
      ? root
      : root.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var text = "value" in source ? source.value : source.textContent;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    navigator.clipboard.writeText(text).then(
      function () {
        button.textContent = "Copied";
        button.classList.add("is-copied");
        announce("Copied to the clipboard.");
        window.setTimeout(function () {
          button.textContent = label;
          button.classList.remove("is-copied");
        }, 2000);
      },
      function () {
        if (source.select) {
          source.select();
        }
        announce("Could not copy. The key is selected: press Control+C or Command+C.");
      }
    );
  });

  // Clicking into the key selects all of it, so a manual copy never misses a character.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input.secret-value")) {
      event.target.select();
    }
  });

  var dialog = null;

  // Cancel comes first and takes focus: Enter or a stray click never destroys anything.
  function confirmDialog(question, detail, action) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "dialog";
      dialog.setAttribute("aria-labelledby", "dialog-text");
      dialog.setAttribute("aria-describedby", "dialog-detail");
      dialog.innerHTML =
        '<form method="dialog">' +
        '<p class="dialog-text" id="dialog-text"></p>' +
        '<p class="dialog-detail" id="dialog-detail"></p>' +
        '<div class="dialog-actions">' +
        '<button type="submit" value="cancel" class="button button-quiet" autofocus>Cancel</button>' +
        '<button type="submit" value="confirm" class="button button-danger dialog-confirm"></button>' +
        "</div></form>";
      document.body.appendChild(dialog);
    }
    dialog.querySelector(".dialog-text").textContent = question;
    dialog.querySelector(".dialog-detail").textContent = detail || "";
    dialog.querySelector(".dialog-confirm").textContent = action;
    dialog.returnValue = "";
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () {
        resolve(dialog.returnValue === "confirm");
      }, { once: true });
      dialog.showModal();
    });
  }

  function newKeyShown() {
    var panel = document.getElementById("new-key");
    return panel && panel.querySelector("#new-key-value") ? panel : null;
  }

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var question = event.detail.question;
    var detail = elt.getAttribute("data-confirm-detail");
    var action = elt.getAttribute("data-confirm-action") || "Confirm";
    if (!question && elt.matches("form.create-form") && newKeyShown()) {
      question = "Your new key is still on the page. Did you store it?";
      detail = "Creating another key clears it from the page, and it is never shown again.";
      action = "Create another key";
    }
    if (!question || typeof HTMLDialogElement !== "function") {
      return; // nothing to ask, or an old browser: htmx falls back to window.confirm
    }
    event.preventDefault();
    confirmDialog(question, detail, action).then(function (confirmed) {
      if (confirmed) {
        event.detail.issueRequest(true);
      }
    });
  });

  // "Done, I've stored it": the secret leaves the page. Without JavaScript the button
  // reloads the list, which never shows a key.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss-new-key]");
    var panel = newKeyShown();
    if (!button || !panel) {
      return;
    }
    event.preventDefault();
    panel.remove();
    announce("The key was cleared from the page.");
    var name = document.querySelector(".create-form input[name=name]");
    if (name) {
      name.focus();
    }
  });

  // While a request runs, its button says so (a form's: its submit button) and the row
  // or card it changes is busy, so a slow answer never looks like no answer.
  function pendingButton(elt) {
    return elt.tagName === "FORM" ? elt.querySelector("button[type=submit]") : elt;
  }
  function busyArea(elt) {
    return elt.closest("tr") || elt.closest("section");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var pending = elt.getAttribute("data-pending-label");
    var button = pendingButton(elt);
    if (pending && button) {
      button.setAttribute("data-idle-label", button.textContent);
      button.textContent = pending;
      var area = busyArea(elt);
      if (area) {
        area.setAttribute("aria-busy", "true");
      }
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var button = pendingButton(elt);
    if (button && button.hasAttribute("data-idle-label")) {
      button.textContent = button.getAttribute("data-idle-label");
      button.removeAttribute("data-idle-label");
      var area = busyArea(elt);
      if (area) {
        area.removeAttribute("aria-busy");
      }
    }
  });

  // htmx swaps nothing on an error status or a network failure. Say so where the user
  // acted (the key's row, the create form) and move focus there; what was typed stays.
  function failureMessage(status, what) {
    if (status === 403) {
      return what + ": your session or its security token expired.";
    }
    if (status === 0) {
      return what + ": could not reach Clipia. Check your connection and try again.";
    }
    return what + ": something went wrong (HTTP " + status + ").";
  }

  function retryLink(href, text) {
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    return link;
  }

  function showInRow(row, elt, status) {
    var cell = row.querySelector(".col-actions") || row.lastElementChild;
    var note = cell.querySelector(".row-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "row-error";
      note.setAttribute("role", "alert");
      note.setAttribute("tabindex", "-1");
      cell.insertBefore(note, cell.firstChild);
    }
    note.textContent = failureMessage(status, "Not revoked") + " ";
    var form = elt.closest("form");
    if (form && status !== 0) {
      // The confirmation page: through sign-in first if the session is gone.
      note.appendChild(retryLink(form.getAttribute("action"), "Try again"));
    }
    note.focus();
  }

  // The form's failure alert (made once, reused on a second failure), focusable.
  function alertAtTopOf(form, className) {
    var note = form.querySelector("." + className);
    if (!note) {
      note = document.createElement("div");
      note.className = "form-alert " + className;
      note.setAttribute("role", "alert");
      note.setAttribute("tabindex", "-1");
      form.insertBefore(note, form.firstChild);
    }
    return note;
  }

  function showInForm(form, status) {
    var note = alertAtTopOf(form, "create-failure");
    note.textContent = failureMessage(status, "The key was not created") + " ";
    if (status !== 0) {
      // Reload with what was typed (never the CSRF or form tokens), through sign-in if needed.
      var typed = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (name === "name" || name === "environment" || name === "scopes") {
          typed.append(name, value);
        }
      });
      var base = form.getAttribute("action");
      note.appendChild(retryLink(base + "?" + typed.toString(), "Reload, keeping what you typed"));
    }
    note.focus();
  }

  // A form on the key page: the failure shows in that form, which keeps what was typed;
  // reloading the page signs in again if the session is gone and gets a fresh token.
  function showInSettingsForm(form, status) {
    var note = alertAtTopOf(form, "request-failure");
    note.textContent = failureMessage(status, form.getAttribute("data-failure") || "Not saved") + " ";
    if (status !== 0) {
      note.appendChild(retryLink(window.location.pathname, "Reload the page and try again"));
    }
    note.focus();
  }

  function showFailure(elt, status) {
    var row = elt.closest && elt.closest("tr.key-row");
    var form = elt.closest && elt.closest("form.create-form");
    var settingsForm = elt.closest && elt.closest("form[data-failure]");
    if (row) {
      showInRow(row, elt, status);
      return;
    }
    if (settingsForm) {
      showInSettingsForm(settingsForm, status);
      return;
    }
    if (form) {
      showInForm(form, status);
      return;
    }
    var shell = document.querySelector(".shell");
    if (!shell) {
      return;
    }
    var flash = document.getElementById("request-failure");
    if (!flash) {
      flash = document.createElement("p");
      flash.id = "request-failure";
      flash.className = "flash flash-error";
      flash.setAttribute("role", "alert");
      shell.insertBefore(flash, shell.querySelector(".tabs").nextSibling);
    }
    flash.textContent = failureMessage(status, "That did not work") + " Reload the page to see where things stand.";
  }

  // In DEBUG, django-htmx's script replaces the page with any 403 response (Django's CSRF
  // debug page). Ours is an expected failure, shown in place: keep it from that script.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    if (event.detail.xhr.status === 403) {
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("htmx:responseError", function (event) {
    showFailure(event.detail.elt, event.detail.xhr.status);
  });
  document.addEventListener("htmx:sendError", function (event) {
    showFailure(event.detail.elt, 0);
  });

  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
})();
