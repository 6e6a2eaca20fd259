// Progressive enhancement for the console. Everything works without this file: it adds
// copy buttons, moves focus to what just appeared, and a styled confirmation dialog for
// hx-confirm. Kept in a static file because our CSP allows no inline script.
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

  function confirmDialog(question, action) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "dialog";
      dialog.setAttribute("aria-labelledby", "dialog-text");
      dialog.innerHTML =
        '<form method="dialog">' +
        '<p class="dialog-text" id="dialog-text"></p>' +
        '<div class="dialog-actions">' +
        '<button type="submit" value="cancel" class="button button-quiet" autofocus>Cancel</button>' +
        '<button type="submit" value="confirm" class="button button-danger dialog-confirm"></button>' +
        "</div></form>";
      document.body.appendChild(dialog);
    }
    dialog.querySelector(".dialog-text").textContent = question;
    dialog.querySelector(".dialog-confirm").textContent = action;
    dialog.returnValue = "";
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () {
        resolve(dialog.returnValue === "confirm");
      }, { once: true });
      dialog.showModal();
    });
  }

  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question || typeof HTMLDialogElement !== "function") {
      return; // no hx-confirm here, or an old browser: htmx falls back to window.confirm
    }
    event.preventDefault();
    var action = event.detail.elt.getAttribute("data-confirm-action") || "Confirm";
    confirmDialog(event.detail.question, action).then(function (confirmed) {
      if (confirmed) {
        event.detail.issueRequest(true);
      }
    });
  });

  // htmx swaps nothing on an error status or a network failure; say so rather than
  // leave a button that seems to do nothing.
  function showFailure(message) {
    var shell = document.querySelector(".shell");
    var flash = document.getElementById("request-failure");
    if (!shell) {
      return;
    }
    if (!flash) {
      flash = document.createElement("p");
      flash.id = "request-failure";
      flash.className = "flash flash-error";
      flash.setAttribute("role", "alert");
      shell.insertBefore(flash, shell.querySelector(".tabs").nextSibling);
    }
    flash.textContent = message;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showFailure(
      status === 403
        ? "Your session or its security token expired. Reload the page and try again."
        : "Something went wrong (HTTP " + status + "). Reload the page to see where things stand."
    );
  });
  document.addEventListener("htmx:sendError", function () {
    showFailure("Could not reach Clipia. Check your connection and try again.");
  });

  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
})();
