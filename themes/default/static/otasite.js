// Adapts the install block (#install) to the visitor's device: which blocks show, in which
// order, and what they say. Without JavaScript, or if anything here fails, the page keeps its
// general blocks: the install link, the address with the Safari advice, and the QR code.
// The user-agent patterns are the theme's data/browsers.json, inlined as #otasite-browsers.
(function () {
  "use strict";

  // ---- Pure functions (exposed as window.otasite for tests) --------------------------------

  /** Compares dotted versions numerically: 16.10 > 16.2, 16 == 16.0. Returns -1, 0 or 1. */
  function compareVersions(a, b) {
    var pa = String(a).split(/\D+/).filter(Boolean).map(Number);
    var pb = String(b).split(/\D+/).filter(Boolean).map(Number);
    for (var i = 0; i < Math.max(pa.length, pb.length); i++) {
      var x = pa[i] || 0, y = pb[i] || 0;
      if (x !== y) { return x < y ? -1 : 1; }
    }
    return 0;
  }

  function firstMatch(entries, ua) {
    for (var i = 0; i < (entries || []).length; i++) {
      var entry = entries[i];
      try {
        if (new RegExp(entry.pattern).test(ua)) { return entry; }
      } catch (e) {
        if (window.console) { console.warn("otasite: bad pattern for " + entry.id + ": " + e); }
      }
    }
    return null;
  }

  function matches(pattern, ua) {
    try { return Boolean(pattern) && new RegExp(pattern).test(ua); } catch (e) { return false; }
  }

  /**
   * The iOS version a user agent reports, as "major.minor[.patch]", or null. `lowerBound` is
   * true when the real version may be newer: since iOS 26 the OS token is frozen at 18_6 (Safari
   * then states the real version as Version/26.x, which wins when it is newer).
   */
  function iosVersion(ua, touchMac) {
    var os = /\bOS (\d+)_(\d+)(?:_(\d+))? like Mac OS X/.exec(ua);
    var safari = /\bVersion\/(\d+(?:\.\d+)*)/.exec(ua);
    var fromOs = os ? os.slice(1).filter(Boolean).join(".") : null;
    var fromSafari = safari ? safari[1] : null;
    // An iPad asking for desktop sites reports macOS 10.15 in its OS token: only Version/ counts.
    if (touchMac) { return { version: fromSafari, lowerBound: false }; }
    if (fromOs && fromSafari && compareVersions(fromSafari, fromOs) > 0) {
      return { version: fromSafari, lowerBound: false };
    }
    return { version: fromOs, lowerBound: fromOs === "18.6" && !fromSafari };
  }

  /**
   * Who is visiting: platform ("iphone", "ipad", "android", "computer"), whether it runs iOS,
   * the in-app browser or other iOS browser it uses (entries of browsers.json), the iOS version.
   */
  function classify(ua, maxTouchPoints, data) {
    var platforms = data.platforms || {};
    var touchMac = matches(platforms.mac, ua) && maxTouchPoints > 1;
    var platform = "computer";
    if (matches(platforms.iphone, ua)) { platform = "iphone"; }
    else if (matches(platforms.ipad, ua) || touchMac) { platform = "ipad"; }
    else if (matches(platforms.android, ua)) { platform = "android"; }
    var ios = platform === "iphone" || platform === "ipad";
    var inApp = ios ? firstMatch(data.in_app, ua) : null;
    var browser = ios && !inApp ? firstMatch(data.ios_browsers, ua) : null;
    var version = ios ? iosVersion(ua, touchMac) : { version: null, lowerBound: false };
    var mode = !ios ? platform : inApp ? "inapp" : browser ? "other-browser" : "safari";
    return {
      platform: platform,
      ios: ios,
      touchMac: touchMac,
      mode: mode,
      inApp: inApp,
      browser: browser,
      iosVersion: version.version,
      versionLowerBound: version.lowerBound
    };
  }

  /**
   * Reasons this build may not install on the visitor's iPhone or iPad (empty when fine), as
   * catalog keys with their parameters (static/i18n.js words them in the visitor's language).
   */
  function compatWarnings(build, visitor) {
    var warnings = [];
    var device = visitor.platform === "ipad" ? "iPad" : "iPhone";
    var system = visitor.platform === "ipad" ? "iPadOS" : "iOS";
    var families = build.families;
    if (families.length > 0) {
      var fits = visitor.platform === "iphone"
        ? families.indexOf("iphone") >= 0
        // iPads also run iPhone apps.
        : families.indexOf("ipad") >= 0 || families.indexOf("iphone") >= 0;
      if (!fits) {
        warnings.push(families.indexOf("ipad") >= 0
          ? { key: "install.compat_ipad_only", args: {} }
          : { key: "install.compat_not_for_device", args: { device: device } });
      }
    }
    if (build.minOs && visitor.iosVersion && !visitor.versionLowerBound &&
        compareVersions(visitor.iosVersion, build.minOs) < 0) {
      warnings.push({
        key: "install.compat_old_os",
        args: { system: system, min: build.minOs, device: device, version: visitor.iosVersion }
      });
    }
    return warnings;
  }

  /**
   * Whether "Open in Safari" (the x-safari-https: scheme) can hand the page over: only in an
   * in-app browser on iOS 17.5 or later, and not in the apps where the scheme is known to fail
   * (browsers.json: "handoff": false). A frozen OS token (18_6 since iOS 26) is a lower bound,
   * which is enough here.
   */
  function canHandOff(visitor) {
    return visitor.mode === "inapp" && Boolean(visitor.iosVersion) &&
      compareVersions(visitor.iosVersion, "17.5") >= 0 &&
      !(visitor.inApp && visitor.inApp.handoff === false);
  }

  /** Whether the profile has expired by now (the visitor's clock). */
  function isExpired(expires, now) {
    var at = expires ? Date.parse(expires) : NaN;
    return !isNaN(at) && at <= now;
  }

  // ---- Copying the page address -------------------------------------------------------------

  /** Copies with a hidden text area and execCommand, for browsers without navigator.clipboard. */
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.focus();
    area.select();
    area.setSelectionRange(0, text.length); // iOS selects nothing with select() alone
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () {
        if (!legacyCopy(text)) { throw new Error("copy failed"); }
      });
    }
    return legacyCopy(text) ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  /** Selects the address on the page so that the visitor can copy it by hand. */
  function selectAddress() {
    var code = document.getElementById("page-url");
    if (!code || !window.getSelection) { return; }
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function setupCopy(visitor) {
    var button = document.getElementById("copy-link");
    var status = document.getElementById("copy-status");
    if (!button || !status) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(button.getAttribute("data-url")).then(function () {
        say(status, visitor.ios ? "install.copied_ios" : "install.copied", {});
      }, function () {
        selectAddress();
        say(status, "install.copy_failed", {});
      });
    });
  }

  // ---- The page --------------------------------------------------------------------------------

  function byId(id) { return document.getElementById(id); }

  function show(id, visible) {
    var el = byId(id);
    if (el) { el.hidden = !visible; }
  }

  function capitalize(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  /** Shows a catalog text in an element, in the visitor's language (static/i18n.js). */
  function say(el, key, args) {
    var i18n = window.otasiteI18n;
    if (el && i18n && i18n.set) { i18n.set(el, key, args); }
  }

  /** Moves these blocks of #install to its end, in this order (absent ones are skipped). */
  function arrange(install, ids) {
    ids.forEach(function (id) {
      var el = byId(id);
      if (el && el.parentNode === install) { install.appendChild(el); }
    });
  }

  function setup() {
    var install = byId("install");
    var dataEl = byId("otasite-browsers");
    if (!install || !dataEl) { return; }
    var data = JSON.parse(dataEl.textContent);
    // Without the platform patterns nothing can be told apart: keep the page as it is.
    if (!data.platforms || !data.platforms.iphone || !data.platforms.ipad) { return; }
    var visitor = classify(navigator.userAgent, navigator.maxTouchPoints || 0, data);
    var build = {
      installable: install.getAttribute("data-installable") === "true",
      minOs: install.getAttribute("data-min-os"),
      families: (install.getAttribute("data-families") || "").split(" ").filter(Boolean),
      expires: install.getAttribute("data-expires")
    };
    var expired = build.installable && isExpired(build.expires, Date.now());
    var installable = build.installable && !expired;
    var warnings = installable && visitor.ios ? compatWarnings(build, visitor) : [];

    // What each block says.
    // An app's `how` is a catalog key (`_keys`), worded in the visitor's language.
    if (visitor.inApp && visitor.inApp.name) {
      say(byId("inapp-name"), "install.inapp_text", { app: capitalize(visitor.inApp.name) });
      if (visitor.inApp.how) { say(byId("inapp-how"), "install.inapp_how", { app: visitor.inApp.name, how_keys: visitor.inApp.how }); }
    }
    if (visitor.browser) { say(byId("other-browser"), "install.other_browser", { browser: visitor.browser.name }); }
    var list = byId("compat-list");
    warnings.forEach(function (warning) {
      var item = document.createElement("li");
      list.appendChild(item);
      say(item, warning.key, warning.args);
    });

    // Which blocks show.
    var mode = visitor.mode;
    var onIos = visitor.ios;
    show("inapp", installable && mode === "inapp");
    show("inapp-how", Boolean(visitor.inApp && visitor.inApp.name && visitor.inApp.how));
    show("safari-handoff", installable && canHandOff(visitor));
    show("android", mode === "android");
    show("compat", warnings.length > 0);
    show("install-action", installable && onIos);
    show("other-browser", mode === "other-browser");
    show("expired-note", expired);
    show("fallback-intro", installable && onIos && mode !== "inapp");
    show("desktop", !onIos);
    show("desktop-text", mode === "computer"); // the Android notice says it for phones
    show("help", build.installable && !expired); // no "after you tap Install" without a button
    setupCopy(visitor);

    // In which order: what the visitor should do first comes first. Blocks left out of the
    // list are hidden for this visitor and stay where they are.
    var verdict = ["expired-note", "blocked"];
    var order = {
      "inapp": ["inapp", "safari-fallback", "compat", "install-action"],
      "safari": ["compat", "install-action", "safari-fallback"],
      "other-browser": ["compat", "install-action", "safari-fallback"],
      "android": ["android", "desktop", "safari-fallback"],
      "computer": ["desktop", "safari-fallback"]
    }[mode];
    arrange(install, verdict.concat(order));
    install.setAttribute("data-visitor", mode);
  }

  // ---- When builds stop launching, on any page -------------------------------------------------

  /** Days ahead that count as soon: as the build's warning (EXPIRY_WARNING in src/facts.rs). */
  var EXPIRY_SOON_DAYS = 14;
  var DAY_MS = 86400000;

  /** What an expiry says by `now`, as a catalog key and its parameters: "Expires in 3 days
   *  (2026-01-06)" (`expiry.in_days`, plural forms by `count`), or "Expired on …". */
  function expiryText(expires, day, now) {
    var at = expires ? Date.parse(expires) : NaN;
    if (isNaN(at)) { return null; }
    if (at <= now) { return { key: "expiry.expired", args: { day: day }, state: "expired" }; }
    var days = Math.floor((at - now) / DAY_MS);
    return {
      key: days === 0 ? "expiry.within_a_day" : "expiry.in_days",
      args: days === 0 ? { day: day } : { count: days, day: day },
      state: days < EXPIRY_SOON_DAYS ? "soon" : "later"
    };
  }

  /** Rewrites each `[data-expiry]` (partials/expiry.html), which says the day without
   *  JavaScript, by the visitor's clock: the page may be older than the news. */
  function showExpiries() {
    var items = document.querySelectorAll("[data-expiry]");
    var now = Date.now();
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var said = expiryText(item.getAttribute("data-expiry"), item.getAttribute("data-expiry-day"), now);
      if (!said || !window.otasiteI18n || !window.otasiteI18n.set) { continue; }
      say(item, said.key, said.args);
      item.setAttribute("data-expiry-state", said.state);
    }
  }

  // ---- The install doctor (help/index.html) ---------------------------------------------------

  /**
   * The cause of a failed install that fits this visitor best, from what the browser knows and
   * what the install page's link told about the build (kind, min, expires).
   */
  function doctorCause(visitor, build, now, secure) {
    if (!visitor.ios) { return "not-ios"; }
    if (visitor.mode === "inapp") { return "inapp"; }
    if (visitor.mode === "other-browser") { return "other-browser"; }
    if (visitor.touchMac) { return "ipad-desktop"; }
    if (build.minOs && visitor.iosVersion && !visitor.versionLowerBound &&
        compareVersions(visitor.iosVersion, build.minOs) < 0) { return "old-ios"; }
    if (isExpired(build.expires, now)) { return "expired"; }
    if (build.kind === "ad-hoc" || build.kind === "development") { return "unregistered"; }
    if (build.kind === "enterprise") { return "enterprise-trust"; }
    return secure ? "unable-to-install" : "untrusted-certificate";
  }

  function setupDoctor() {
    var doctor = byId("doctor");
    var dataEl = byId("otasite-browsers");
    if (!doctor || !dataEl) { return; }
    var data = JSON.parse(dataEl.textContent);
    if (!data.platforms || !data.platforms.iphone || !data.platforms.ipad) { return; }
    var visitor = classify(navigator.userAgent, navigator.maxTouchPoints || 0, data);
    var query = new URLSearchParams(window.location.search);
    var build = {
      kind: query.get("kind") || "",
      minOs: query.get("min") || "",
      expires: query.get("expires") || ""
    };
    var cause = doctorCause(visitor, build, Date.now(), window.location.protocol === "https:");
    var section = byId("cause-" + cause);
    if (!section) { return; }
    var note = document.createElement("p");
    note.className = "tag";
    var heading = section.querySelector("h2");
    if (heading) { heading.insertAdjacentElement("afterend", note); } else { section.appendChild(note); }
    say(note, "doctor.most_likely", {});
    section.classList.add("cause-first");
    doctor.insertBefore(section, doctor.firstChild);
    doctor.setAttribute("data-first", cause);
  }

  window.otasite = {
    expiryText: expiryText,
    compareVersions: compareVersions,
    iosVersion: iosVersion,
    classify: classify,
    compatWarnings: compatWarnings,
    canHandOff: canHandOff,
    doctorCause: doctorCause,
    isExpired: isExpired
  };

  function start() {
    try {
      // The page in the visitor's language first: setup then words its blocks in it too.
      if (window.otasiteI18n && window.otasiteI18n.start) { window.otasiteI18n.start(); }
      if (window.otasiteI18n && window.otasiteI18n.translate) { window.otasiteI18n.translate(document.body); }
      showExpiries();
      setup();
      setupDoctor();
    } catch (e) {
      if (window.console) { console.error("otasite: " + e); }
    }
  }
  // Run again by unlock.js once a locked page's content is in place.
  window.otasite.setup = start;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Android builds (#android-install): the visitor's Android version against the build's
// minimum, iPhone and iPad visitors told it is an Android app, and on an app page with both
// systems the visitor's own system first.
(function () {
  "use strict";

  // The API level of each Android release a user agent names ("Android 13" -> 33).
  var API_LEVELS = {
    "16": 36, "15": 35, "14": 34, "13": 33, "12": 31, "11": 30, "10": 29, "9": 28,
    "8.1": 27, "8": 26, "7.1": 25, "7": 24, "6": 23, "5.1": 22, "5": 21, "4.4": 19
  };

  /**
   * The API level a user agent's Android version stands for, or null when it does not say.
   * Chrome's reduced user agent always says "Android 10; K": that is a floor, not a version,
   * so it is read as unknown.
   */
  function androidApiLevel(ua) {
    var found = /\bAndroid (\d+)(?:\.(\d+))?/.exec(ua);
    if (!found || /\bAndroid 10; K\b/.test(ua)) { return null; }
    var major = found[1], minor = found[2];
    if (minor && API_LEVELS[major + "." + minor]) { return API_LEVELS[major + "." + minor]; }
    return API_LEVELS[major] || null;
  }

  function platformOf(ua, maxTouchPoints) {
    if (/Android/.test(ua)) { return "android"; }
    if (/iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && maxTouchPoints > 1)) { return "ios"; }
    return "computer";
  }

  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !visible; }
  }

  function setup() {
    var ua = navigator.userAgent;
    var platform = platformOf(ua, navigator.maxTouchPoints || 0);
    var sections = document.getElementById("platforms");
    var android = document.getElementById("platform-android");
    var ios = document.getElementById("platform-ios");
    if (sections && android && ios) {
      // The visitor's own system first; a computer keeps the page's order.
      if (platform === "android") { sections.insertBefore(android, ios); }
      // The iOS block's "this is an iOS app" notice is beside the Android build here.
      show("android", false);
      sections.setAttribute("data-visitor", platform);
    }
    var install = document.getElementById("android-install");
    if (!install) { return; }
    show("ios-visitor", platform === "ios" && !ios);
    var minSdk = Number(install.getAttribute("data-min-sdk")) || 0;
    var level = platform === "android" ? androidApiLevel(ua) : null;
    var tooOld = Boolean(level && minSdk && level < minSdk);
    if (tooOld) {
      var version = /\bAndroid (\d+(?:\.\d+)?)/.exec(ua);
      var text = document.getElementById("android-visitor-version");
      var i18n = window.otasiteI18n;
      if (text && version && i18n && i18n.set) {
        i18n.set(text, "android.visitor_version", { version: version[1], level: level });
      }
    }
    show("android-old", tooOld);
    show("android-desktop", platform !== "android");
    install.setAttribute("data-visitor", platform);
  }

  window.otasiteAndroid = { androidApiLevel: androidApiLevel, platformOf: platformOf, setup: setup };
  function start() {
    try { setup(); } catch (e) {
      if (window.console) { console.error("otasite: " + e); }
    }
  }
  // unlock.js runs window.otasite.setup once a locked page's content is in place: this too.
  if (window.otasite && window.otasite.setup) {
    var iosSetup = window.otasite.setup;
    window.otasite.setup = function () { iosSetup(); start(); };
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
