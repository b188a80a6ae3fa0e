// Shows the page in the visitor's language. Loaded in <head> before the body is parsed, after
// the catalogs script (window.otasiteI18n = {default, catalogs}). It picks the language (the
// one chosen in the picker, remembered in localStorage, else the first of
// navigator.languages the site offers), sets <html lang dir> at once, and hides the body until
// the page is translated, so that a visitor reading Japanese never sees English first. Without
// JavaScript the page stays complete in the site's default language.
(function () {
  "use strict";
  var data = window.otasiteI18n;
  if (!data || !data.catalogs) { return; }
  var STORE = "otasite-language";
  var root = document.documentElement;
  var originals = new WeakMap();

  /** The offered language that best fits a browser language tag (ja-JP -> ja, zh-TW -> zh-Hant). */
  function match(tag) {
    if (!tag) { return null; }
    var offered = Object.keys(data.catalogs);
    var lower = String(tag).toLowerCase();
    for (var i = 0; i < offered.length; i++) {
      if (offered[i].toLowerCase() === lower) { return offered[i]; }
    }
    var parts = lower.split("-");
    if (parts[0] === "zh") {
      var traditional = /hant|-tw|-hk|-mo/.test(lower);
      var wanted = traditional ? "zh-Hant" : "zh-Hans";
      return offered.indexOf(wanted) >= 0 ? wanted : null;
    }
    for (var j = 0; j < offered.length; j++) {
      if (offered[j].toLowerCase().split("-")[0] === parts[0]) { return offered[j]; }
    }
    return null;
  }

  function stored() {
    try { return window.localStorage.getItem(STORE); } catch (e) { return null; }
  }

  function choose() {
    var saved = stored();
    if (saved && data.catalogs[saved]) { return saved; }
    var tags = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < tags.length; i++) {
      var found = match(tags[i]);
      if (found) { return found; }
    }
    return data["default"];
  }

  var current = choose();

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#x27;" }[c];
    });
  }

  function formatDate(value, lang) {
    var at = Date.parse(value);
    if (isNaN(at)) { return value; }
    try {
      return new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }).format(at);
    } catch (e) { return value.slice(0, 10); }
  }

  function pick(key, args, lang) {
    var catalog = data.catalogs[lang] || {};
    var text = catalog[key];
    if (text === undefined) { text = (data.catalogs[data["default"]] || {})[key]; }
    if (text && typeof text === "object") {
      var n = Number(args && args.count);
      var category = "other";
      try { category = new Intl.PluralRules(lang).select(n); } catch (e) { category = n === 1 ? "one" : "other"; }
      text = text[category] || text.other;
    }
    return text === undefined ? key : String(text);
  }

  /** A catalog text with its parameters and markup: **bold**, `code`, [link] (with href). */
  function format(key, args, lang, html) {
    var template = pick(key, args, lang);
    args = args || {};
    var out = "", bold = false, code = false, link = false;
    for (var i = 0; i < template.length; i++) {
      var c = template.charAt(i);
      if (c === "*" && template.charAt(i + 1) === "*") {
        bold = !bold; i++;
        if (html) { out += bold ? "<strong>" : "</strong>"; }
      } else if (c === "`") {
        code = !code;
        if (html) { out += code ? "<code>" : "</code>"; }
      } else if (c === "[" && args.href && !link) {
        link = true;
        if (html) { out += "<a href=\"" + escapeHtml(args.href) + "\">"; }
      } else if (c === "]" && link) {
        link = false;
        if (html) { out += "</a>"; }
      } else if (c === "{") {
        var end = template.indexOf("}", i);
        var name = end > i ? template.slice(i + 1, end) : "";
        if (/^[A-Za-z0-9_]+$/.test(name)) {
          var value = args[name] === undefined ? "" : String(args[name]);
          value = formatParam(name, value, lang);
          out += html ? escapeHtml(value) : value;
          i = end;
        } else {
          out += c;
        }
      } else {
        out += html ? escapeHtml(c) : c;
      }
    }
    if (link && html) { out += "</a>"; }
    if (code && html) { out += "</code>"; }
    if (bold && html) { out += "</strong>"; }
    return out;
  }

  /** A parameter in the words of `lang`, by its name's ending: `_date` an RFC 3339 time,
   * `_size` a number of bytes (with an optional sign), `_keys` catalog keys joined by ", ". */
  function formatParam(name, value, lang) {
    if (/_date$/.test(name)) { return formatDate(value, lang); }
    if (/_size$/.test(name)) {
      var sign = value.charAt(0) === "+" ? "+" : value.charAt(0) === "-" ? "\u2212" : "";
      var digits = sign ? value.slice(1) : value;
      return /^\d+$/.test(digits) ? sign + formatSize(Number(digits), lang) : value;
    }
    if (/_keys$/.test(name)) {
      var catalog = data.catalogs[lang] || {};
      return value.split(", ").map(function (piece) {
        return typeof catalog[piece] === "string" ? catalog[piece] : piece;
      }).join(", ");
    }
    return value;
  }

  function argsOf(el) {
    try { return JSON.parse(el.getAttribute("data-i18n-args") || "{}"); } catch (e) { return {}; }
  }

  function formatSize(bytes, lang) {
    var units = ["format.kb", "format.mb", "format.gb", "format.tb"];
    if (bytes < 1000) { return format("format.bytes", { n: String(bytes) }, lang, false); }
    var value = bytes / 1000, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
    var number;
    try {
      number = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
    } catch (e) { number = value.toFixed(1); }
    return format(units[unit], { n: number }, lang, false);
  }

  /** Keeps what the page said in the default language, to go back to it. */
  function remember(el, what, value) {
    var saved = originals.get(el) || {};
    if (!(what in saved)) { saved[what] = value; originals.set(el, saved); }
    return saved[what];
  }

  /** Translates one element (and its marked attributes) into `lang`. */
  function render(el, lang) {
    var isDefault = lang === data["default"];
    var key = el.getAttribute("data-i18n");
    if (key && el.tagName === "TITLE") {
      // The title also names the site: only the translated part changes.
      var title = remember(el, "html", el.textContent);
      var from = format(key, argsOf(el), data["default"], false);
      el.textContent = isDefault ? title : title.replace(from, format(key, argsOf(el), lang, false));
    } else if (key) {
      var original = remember(el, "html", el.innerHTML);
      el.innerHTML = isDefault && !el.hasAttribute("data-i18n-changed") ? original : format(key, argsOf(el), lang, true);
    }
    for (var i = 0; i < el.attributes.length; i++) {
      var attr = el.attributes[i];
      var m = /^data-i18n-(.+)$/.exec(attr.name);
      if (!m || m[1] === "args" || m[1] === "changed" || m[1] === "date" || m[1] === "size") { continue; }
      var originalAttr = remember(el, "attr:" + m[1], el.getAttribute(m[1]));
      el.setAttribute(m[1], isDefault ? originalAttr : format(attr.value, argsOf(el), lang, false));
    }
    if (el.hasAttribute("data-i18n-date")) {
      var date = remember(el, "date", el.textContent);
      el.textContent = isDefault ? date : formatDate(el.getAttribute("datetime"), lang);
    }
    if (el.hasAttribute("data-i18n-size")) {
      var size = remember(el, "size", el.textContent);
      el.textContent = isDefault ? size : formatSize(Number(el.getAttribute("data-i18n-size")), lang);
    }
  }

  var MARKED = "[data-i18n],[data-i18n-date],[data-i18n-size],[data-i18n-alt],[data-i18n-aria-label],[data-i18n-title]";

  function translate(scope) {
    var lang = current;
    var title = document.querySelector("title[data-i18n]");
    if (title && (!scope || scope === document)) { render(title, lang); }
    var nodes = (scope || document).querySelectorAll(MARKED);
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].tagName !== "TITLE") { render(nodes[i], lang); }
    }
  }

  function applyDirection() {
    root.lang = current;
    root.dir = (data.catalogs[current] || {})._dir || "ltr";
  }

  /** Gives an element a new key and parameters (in every language) and shows it. */
  function set(el, key, args) {
    if (!el) { return; }
    el.setAttribute("data-i18n", key);
    el.setAttribute("data-i18n-args", JSON.stringify(args || {}));
    el.setAttribute("data-i18n-changed", "");
    el.innerHTML = format(key, args, current, true);
  }

  function setupPicker() {
    var box = document.getElementById("language");
    var picker = document.getElementById("language-picker");
    if (!box || !picker) { return; }
    picker.value = current;
    box.hidden = false;
    picker.addEventListener("change", function () {
      current = picker.value;
      try { window.localStorage.setItem(STORE, current); } catch (e) { /* private mode */ }
      applyDirection();
      translate(document);
    });
  }

  applyDirection();
  var translated = false;
  if (current !== data["default"]) { root.classList.add("i18n-pending"); }
  function start() {
    try {
      if (!translated) {
        translated = true;
        if (current !== data["default"]) { translate(document); }
        setupPicker();
      }
    } finally {
      root.classList.remove("i18n-pending");
    }
  }

  window.otasiteI18n.language = function () { return current; };
  window.otasiteI18n.text = function (key, args) { return format(key, args, current, false); };
  window.otasiteI18n.set = set;
  window.otasiteI18n.translate = function (scope) { if (current !== data["default"]) { translate(scope); } };
  window.otasiteI18n.start = start;
  document.addEventListener("DOMContentLoaded", start);
})();
