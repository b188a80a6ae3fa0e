// Devices. On the registration result page: read the device's attributes from the address
// the endpoint redirected to, show them, and keep the UDID in this browser (localStorage,
// never sent anywhere). On ad hoc and development build pages: compute the keyed hash of
// that UDID with the salt of the build's devices.json (HMAC-SHA-256, WebCrypto) and say
// whether the build's profile lists the device.
(function () {
  "use strict";
  var KEY = "otasite.device";
  var UDID = /^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16})$/;
  var PRODUCT = /^[A-Za-z]{2,12}[0-9]{1,3},[0-9]{1,3}$/;
  var VERSION = /^[0-9A-Za-z.]{1,16}$/;

  function canonical(id) {
    id = (id || "").trim();
    return UDID.test(id) ? id.toUpperCase() : null;
  }

  function stored() {
    try {
      var device = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (device && canonical(device.udid)) {
        return device;
      }
    } catch (e) {
      // No storage (private browsing, blocked): nothing registered here.
    }
    return null;
  }

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function hmac(salt, message) {
    var encoder = new TextEncoder();
    return window.crypto.subtle
      .importKey("raw", encoder.encode(salt), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) {
        return window.crypto.subtle.sign("HMAC", key, encoder.encode(message));
      })
      .then(hex);
  }

  function fromAddress() {
    var text = window.location.hash.replace(/^#/, "") || window.location.search.replace(/^\?/, "");
    var params = new URLSearchParams(text);
    var udid = canonical(params.get("udid"));
    if (!udid) {
      return null;
    }
    var product = params.get("product") || "";
    var version = params.get("version") || "";
    return {
      udid: udid,
      product: PRODUCT.test(product) ? product : "",
      version: VERSION.test(version) ? version : ""
    };
  }

  function showRegistered(found) {
    var device = fromAddress();
    if (device) {
      try {
        window.localStorage.setItem(KEY, JSON.stringify(device));
      } catch (e) {
        // Shown all the same; build pages just cannot tell.
      }
      // The identifier leaves the address bar and the history entry.
      window.history.replaceState(null, "", window.location.pathname);
    } else {
      device = stored();
    }
    if (!device) {
      return;
    }
    var models = {};
    try {
      models = JSON.parse(document.getElementById("otasite-models").textContent) || {};
    } catch (e) {
      models = {};
    }
    var model = models[device.product] || device.product || "Unknown";
    document.getElementById("device-udid").textContent = device.udid;
    document.getElementById("device-model").textContent = model;
    document.getElementById("device-version").textContent = device.version || "Unknown";
    document.getElementById("device-missing").hidden = true;
    found.hidden = false;

    var mail = document.getElementById("device-mail");
    var body = "Please add my device to the test builds.\n\nUDID: " + device.udid +
      "\nModel: " + model + (device.product ? " (" + device.product + ")" : "") +
      "\niOS build: " + (device.version || "unknown") + "\n";
    mail.href = "mailto:" + encodeURIComponent(mail.getAttribute("data-email") || "").replace(/%40/g, "@") +
      "?subject=" + encodeURIComponent("Device for test builds: " + model) +
      "&body=" + encodeURIComponent(body);

    var status = document.getElementById("device-copy-status");
    document.getElementById("device-copy").addEventListener("click", function () {
      if (!navigator.clipboard) {
        status.textContent = "Select the UDID above and copy it.";
        return;
      }
      navigator.clipboard.writeText(device.udid).then(
        function () { status.textContent = "Copied."; },
        function () { status.textContent = "Select the UDID above and copy it."; }
      );
    });
    document.getElementById("device-forget").addEventListener("click", function () {
      try {
        window.localStorage.removeItem(KEY);
      } catch (e) {
        // Nothing was kept.
      }
      found.hidden = true;
      document.getElementById("device-missing").hidden = false;
    });
  }

  function showCheck(box) {
    var device = stored();
    if (!device || !window.crypto || !window.crypto.subtle || !window.fetch) {
      return;
    }
    window.fetch(box.getAttribute("data-devices"), { cache: "no-cache" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (file) {
        if (!file || file.algorithm !== "HMAC-SHA-256" || typeof file.salt !== "string" ||
            !Array.isArray(file.hashes)) {
          return null;
        }
        return hmac(file.salt, canonical(device.udid)).then(function (hash) {
          var listed = file.hashes.indexOf(hash) !== -1;
          document.getElementById(listed ? "device-listed" : "device-unlisted").hidden = false;
          box.setAttribute("data-listed", String(listed));
          box.hidden = false;
        });
      })
      .catch(function () {
        // A build without the file (kept from a deployed catalog) says nothing.
      });
  }

  function start() {
    var found = document.getElementById("device-found");
    if (found) {
      showRegistered(found);
    }
    var box = document.getElementById("device-check");
    if (box) {
      showCheck(box);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
