/* The post editor's helpers. Without this file the editor is a plain form.
 *
 * - A formatting toolbar above the text: headings, bold, italic, link, lists,
 *   quote and picture, each writing the Markdown for her.
 * - Pasting from Word or Google Docs keeps headings, bold, italics, links and
 *   lists: the pasted HTML becomes Markdown (Turndown, static/vendor/turndown).
 * - Drafts are saved as she types (autosave); the address follows the title until
 *   she edits it herself.
 * - A save waits for an autosave still on its way, so the two never collide.
 */
(function () {
  "use strict";

  var form = document.getElementById("post-editor");
  if (!form) return;
  var body = form.querySelector("#body");
  var title = form.querySelector("#title");
  var slug = form.querySelector("#slug");
  var statusLine = document.getElementById("autosave-status");
  var csrf = form.querySelector("input[name=csrf_token]");

  function csrfHeaders() {
    return csrf ? { "X-CSRFToken": csrf.value } : {};
  }

  /* ---- Inserting text where the cursor is (undo still works) ---- */

  function insert(text, selectStart, selectEnd) {
    body.focus();
    var start = body.selectionStart;
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectStart !== undefined) {
      body.setSelectionRange(start + selectStart, start + selectEnd);
    }
  }

  function selected() {
    return body.value.slice(body.selectionStart, body.selectionEnd);
  }

  function wrap(mark, placeholder) {
    var text = selected() || placeholder;
    insert(mark + text + mark, mark.length, mark.length + text.length);
  }

  /* Start each selected line (or the current one) with `prefix`. */
  function prefixLines(prefix) {
    var value = body.value;
    var start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = value.indexOf("\n", body.selectionEnd);
    if (end === -1) end = value.length;
    body.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n");
    var number = 0;
    var done = lines.map(function (line) {
      var plain = line.replace(/^(#{1,6} |> |- |\d+\. )/, "");
      number += 1;
      return (typeof prefix === "function" ? prefix(number) : prefix) + plain;
    });
    insert(done.join("\n"));
  }

  function addLink() {
    var text = selected() || "link text";
    var address = window.prompt("Address of the link (for example https://example.org/page):", "https://");
    if (!address || address === "https://") return;
    insert("[" + text + "](" + address.trim() + ")", 1, 1 + text.length);
  }

  /* ---- Pictures: upload to /admin/media when it exists, else ask for an address ---- */

  function insertPictureByAddress(alt) {
    var address = window.prompt("Address of the picture on this site (for example /media/my-post/photo.jpg):", "/media/");
    if (!address || address === "/media/") return;
    insert("![" + (alt || "") + "](" + address.trim() + ")");
  }

  function askAlt() {
    return window.prompt("Describe the picture for people who cannot see it:", "");
  }

  function upload(file) {
    var alt = askAlt();
    if (alt === null) return;
    var data = new FormData();
    data.append("file", file);
    data.append("alt", alt);
    if (csrf) data.append("csrf_token", csrf.value);
    say("Uploading the picture…");
    fetch(form.dataset.mediaUrl, {
      method: "POST",
      body: data,
      headers: csrfHeaders(),
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (json) {
          return { ok: response.ok, status: response.status, json: json };
        }, function () {
          return { ok: false, status: response.status, json: {} };
        });
      })
      .then(function (answer) {
        if (answer.status === 404 || answer.status === 405) {
          // No upload on this site yet: the picture must already be on it.
          say("");
          form.dataset.mediaUpload = "off";
          insertPictureByAddress(alt);
        } else if (answer.ok && answer.json.markdown) {
          insert("\n" + answer.json.markdown + "\n");
          say("Picture added.");
        } else {
          say(answer.json.message || answer.json.error || "The picture could not be uploaded.", true);
        }
      })
      .catch(function () {
        say("The picture could not be uploaded. Please check the connection.", true);
      });
  }

  /* ---- The toolbar ---- */

  var picker = document.createElement("input");
  picker.type = "file";
  picker.accept = "image/jpeg,image/png,image/webp,image/heic,image/heif";
  picker.addEventListener("change", function () {
    if (picker.files.length) upload(picker.files[0]);
    picker.value = "";
  });

  var tools = [
    ["Heading", function () { prefixLines("## "); }],
    ["Subheading", function () { prefixLines("### "); }],
    ["Bold", function () { wrap("**", "bold text"); }],
    ["Italic", function () { wrap("_", "italic text"); }],
    ["Link", addLink],
    ["Bulleted list", function () { prefixLines("- "); }],
    ["Numbered list", function () { prefixLines(function (n) { return n + ". "; }); }],
    ["Quote", function () { prefixLines("> "); }],
    ["Picture", function () {
      if (form.dataset.mediaUrl && form.dataset.mediaUpload !== "off") picker.click();
      else insertPictureByAddress(askAlt());
    }],
  ];
  var toolbar = document.createElement("div");
  toolbar.className = "editor-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Formatting");
  toolbar.setAttribute("aria-controls", "body");
  tools.forEach(function (tool) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = tool[0];
    button.addEventListener("click", tool[1]);
    toolbar.appendChild(button);
  });
  toolbar.appendChild(picker);
  body.parentNode.insertBefore(toolbar, body);

  /* ---- Paste from Word or Google Docs ---- */

  function cleanWordLists(doc) {
    // Word writes list items as paragraphs with a bullet in a hidden span.
    var items = doc.querySelectorAll("p[class^=MsoListParagraph], p[style*='mso-list']");
    var list = null;
    Array.prototype.forEach.call(items, function (p) {
      var marker = p.querySelector("span[style*='mso-list:Ignore'], span[style*='mso-list: Ignore']");
      var numbered = marker && /\d|[a-z][.)]/i.test(marker.textContent);
      if (marker) marker.parentNode.removeChild(marker);
      var previous = p.previousElementSibling;
      if (!list || previous !== list) {
        list = doc.createElement(numbered ? "ol" : "ul");
        p.parentNode.insertBefore(list, p);
      }
      var li = doc.createElement("li");
      li.innerHTML = p.innerHTML;
      list.appendChild(li);
      p.parentNode.removeChild(p);
    });
  }

  function turndown() {
    var service = new window.TurndownService({
      headingStyle: "atx",
      bulletListMarker: "-",
      emDelimiter: "_",
      strongDelimiter: "**",
      codeBlockStyle: "fenced",
    });
    service.remove(["style", "script", "meta", "title", "link"]);
    // Google Docs wraps everything in <b style="font-weight:normal">.
    service.addRule("notReallyBold", {
      filter: function (node) {
        return (node.nodeName === "B" || node.nodeName === "STRONG") &&
          /font-weight:\s*(normal|400)/.test(node.getAttribute("style") || "");
      },
      replacement: function (content) { return content; },
    });
    // Google Docs marks bold and italics with styles on <span>.
    service.addRule("styledSpan", {
      filter: function (node) {
        return node.nodeName === "SPAN" &&
          /font-weight:\s*(bold|[6-9]00)|font-style:\s*italic/.test(node.getAttribute("style") || "");
      },
      replacement: function (content, node) {
        if (!content.trim()) return content;
        var style = node.getAttribute("style");
        var inHeading = node.closest && node.closest("h1, h2, h3, h4, h5, h6");
        if (/font-weight:\s*(bold|[6-9]00)/.test(style) && !inHeading) {
          content = "**" + content + "**";
        }
        if (/font-style:\s*italic/.test(style)) content = "_" + content + "_";
        return content;
      },
    });
    // "- item", not Turndown's "-   item"; a <p> inside an item adds no blank line.
    service.addRule("listItem", {
      filter: "li",
      replacement: function (content, node, options) {
        var parent = node.parentNode;
        var prefix = options.bulletListMarker + " ";
        if (parent.nodeName === "OL") {
          var start = Number(parent.getAttribute("start") || 1);
          prefix = start + Array.prototype.indexOf.call(parent.children, node) + ". ";
        }
        var indent = new Array(prefix.length + 1).join(" ");
        content = content.replace(/^\n+/, "").replace(/\n+$/, "")
          .replace(/\n\s*\n/g, "\n").replace(/\n/g, "\n" + indent);
        return prefix + content + (node.nextSibling ? "\n" : "");
      },
    });
    return service;
  }

  body.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    var html = data && data.getData("text/html");
    if (!html || !window.TurndownService) return; // plain text pastes as it is
    event.preventDefault();
    var doc = new DOMParser().parseFromString(html, "text/html");
    cleanWordLists(doc);
    var markdown = turndown().turndown(doc.body).replace(/^[ \t]+$/gm, "").trim();
    insert(markdown + "\n");
  });

  /* ---- The address follows the title until she changes it ---- */

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80).replace(/-+$/, "");
  }

  var slugFollows = slug && form.dataset.autosave === "on" &&
    (!slug.value || slug.value === slugify(title.value));
  if (slug) {
    slug.addEventListener("input", function () { slugFollows = false; });
    title.addEventListener("input", function () {
      if (slugFollows) slug.value = slugify(title.value);
    });
  }

  /* ---- Autosave of drafts ---- */

  var timer = null;
  var pending = null;
  var stopped = form.dataset.autosave !== "on";

  function say(text, isError) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.classList.toggle("is-error", !!isError);
  }

  function setHidden(name, value) {
    var input = form.querySelector("input[name=" + name + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function autosave() {
    timer = null;
    if (stopped || !title.value.trim()) return Promise.resolve();
    var data = new FormData(form);
    data.delete("action");
    pending = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      headers: csrfHeaders(),
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.ok && json.saved) {
            setHidden("version", json.version);
            setHidden("post_id", json.id);
            form.action = json.save_url;
            form.dataset.autosaveUrl = json.autosave_url;
            if (window.location.pathname !== json.edit_url) {
              window.history.replaceState(null, "", json.edit_url);
            }
            say("Draft saved " + json.saved_at + ".");
          } else {
            if (json.stale) stopped = true;
            say(json.message || "Not saved.", !!json.stale);
          }
        });
      })
      .catch(function () {
        say("Not saved: the connection dropped. Your text is still here; try Save draft.", true);
      })
      .then(function () { pending = null; });
    return pending;
  }

  form.addEventListener("input", function () {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(autosave, 1500);
  });

  form.addEventListener("submit", function (event) {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (pending) {
      // Wait for the autosave, so this save starts from the version it made.
      event.preventDefault();
      var submitter = event.submitter;
      pending.then(function () { form.requestSubmit(submitter); });
      return;
    }
    var previewing = event.submitter && event.submitter.getAttribute("formtarget") === "_blank";
    if (!previewing) stopped = true;
  });
})();
