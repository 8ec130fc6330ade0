/* The post editor's helpers. Without this file the editor is a plain form.
 *
 * - A formatting toolbar above the text: headings, bold, italic, link, lists,
 *   quote and picture, each writing the Markdown for her.
 * - The Link button asks for the address in a dialog in the page (<dialog>):
 *   Escape or Cancel closes it and puts the focus back on the button.
 * - The Picture button asks for a file and its description in a small form in
 *   the page, uploads it (pictures.js) and puts its Markdown at the cursor.
 * - Pasting from Word or Google Docs keeps headings, bold, italics, links and
 *   lists: the pasted HTML becomes Markdown (Turndown, static/vendor/turndown).
 *   Pictures pasted with it (files, data: addresses, other sites' addresses) are
 *   stored on this site; one that cannot be is left out, with a message.
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

  /* ---- Pictures: stored on this site through pictures.js ---- */

  var pictures = window.LeadsitePictures;
  var ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif";

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  /* The Picture button's small form: a file and its description, in the page. */
  var panel = element("div", {
    "class": "picture-panel", role: "group", "aria-labelledby": "picture-panel-title",
  });
  panel.hidden = true;
  panel.appendChild(element("p", { id: "picture-panel-title", "class": "picture-panel-title" },
    "Add a picture"));
  var fileField = element("div", { "class": "field" });
  fileField.appendChild(element("label", { "for": "picture-file" },
    "Picture (JPEG, PNG, WebP or HEIC)"));
  var fileInput = element("input", { type: "file", id: "picture-file", accept: ACCEPT });
  fileField.appendChild(fileInput);
  var altField = element("div", { "class": "field" });
  altField.appendChild(element("label", { "for": "picture-alt" }, "Description (alt text)"));
  altField.appendChild(element("p", { id: "picture-alt-hint", "class": "hint" },
    "What the picture shows, for people who cannot see it, e.g. " +
    "\u201cA parent reading a binder of school records\u201d."));
  var altInput = element("input", {
    type: "text", id: "picture-alt", "aria-describedby": "picture-alt-hint picture-panel-error",
  });
  altField.appendChild(altInput);
  var panelError = element("p", { id: "picture-panel-error", "class": "field-error", role: "alert" });
  var panelButtons = element("div", { "class": "button-row" });
  var addButton = element("button", { type: "button" }, "Add the picture");
  var cancelButton = element("button", { type: "button", "class": "button-secondary" }, "Cancel");
  panelButtons.appendChild(addButton);
  panelButtons.appendChild(cancelButton);
  [fileField, altField, panelError, panelButtons].forEach(function (part) {
    panel.appendChild(part);
  });

  var pictureButton = null;

  function panelProblem(text, input) {
    panelError.textContent = text;
    [fileInput, altInput].forEach(function (each) {
      if (each === input) each.setAttribute("aria-invalid", "true");
      else each.removeAttribute("aria-invalid");
    });
    if (input) input.focus();
  }

  function openPanel() {
    panel.hidden = false;
    pictureButton.setAttribute("aria-expanded", "true");
    panelProblem("");
    fileInput.focus();
    fileInput.click(); // the file picker; the form stays for the description
  }

  function closePanel(backToText) {
    panel.hidden = true;
    pictureButton.setAttribute("aria-expanded", "false");
    fileInput.value = "";
    altInput.value = "";
    panelProblem("");
    if (backToText) body.focus();
    else pictureButton.focus();
  }

  function addChosenPicture() {
    var file = fileInput.files[0];
    var alt = altInput.value.trim();
    if (!file) return panelProblem("Please choose a picture.", fileInput);
    if (!alt) {
      return panelProblem("Please describe the picture for people who cannot see it.", altInput);
    }
    addButton.disabled = true;
    panelProblem("");
    say("Uploading the picture\u2026");
    pictures.uploadPicture(file, alt).then(function (picture) {
      addButton.disabled = false;
      closePanel(true);
      insert("\n" + picture.markdown + "\n");
      say("Picture added.");
    }, function (error) {
      addButton.disabled = false;
      say("");
      panelProblem(error.message || "The picture could not be uploaded.", fileInput);
    });
  }

  fileInput.addEventListener("change", function () {
    if (fileInput.files.length) altInput.focus();
  });
  altInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { // not the editor's form
      event.preventDefault();
      addChosenPicture();
    }
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel(false);
  });
  addButton.addEventListener("click", addChosenPicture);
  cancelButton.addEventListener("click", function () { closePanel(false); });

  /* ---- The Link button's dialog: the address, in the page ---- */

  var linkDialog = element("dialog", {
    id: "link-dialog", "class": "link-dialog", "aria-labelledby": "link-dialog-title",
  });
  var linkForm = element("form", { method: "dialog", novalidate: "" });
  linkForm.appendChild(element("h2", { id: "link-dialog-title" },
    "Add a link"));
  var linkField = element("div", { "class": "field" });
  linkField.appendChild(element("label", { "for": "link-address" }, "Address of the link"));
  linkField.appendChild(element("p", { id: "link-address-hint", "class": "hint" },
    "For example https://example.org/page, or /contact for a page of this site."));
  var linkError = element("p", { id: "link-address-error", "class": "field-error", role: "alert" });
  linkField.appendChild(linkError);
  var linkInput = element("input", {
    type: "text", id: "link-address", inputmode: "url", autocomplete: "off",
    spellcheck: "false", autocapitalize: "none",
    "aria-describedby": "link-address-hint link-address-error",
  });
  linkField.appendChild(linkInput);
  var linkButtons = element("div", { "class": "button-row" });
  linkButtons.appendChild(element("button", { type: "submit" }, "Add the link"));
  var linkCancel = element("button", { type: "button", "class": "button-secondary" }, "Cancel");
  linkButtons.appendChild(linkCancel);
  linkForm.appendChild(linkField);
  linkForm.appendChild(linkButtons);
  linkDialog.appendChild(linkForm);
  document.body.appendChild(linkDialog); // outside the editor's form: a form of its own

  var linkButton = null;
  var linkSelection = [0, 0];
  var linkAdded = false;

  function linkProblem(text) {
    linkError.textContent = text;
    if (text) {
      linkInput.setAttribute("aria-invalid", "true");
      linkInput.focus();
    } else {
      linkInput.removeAttribute("aria-invalid");
    }
  }

  function linkMarkdown(address) {
    body.focus();
    body.setSelectionRange(linkSelection[0], linkSelection[1]);
    var text = selected() || "link text";
    insert("[" + text + "](" + address + ")", 1, 1 + text.length);
  }

  function addLink() {
    linkSelection = [body.selectionStart, body.selectionEnd];
    if (typeof linkDialog.showModal !== "function") { // a browser without <dialog>
      var asked = window.prompt("Address of the link (for example https://example.org/page):", "https://");
      if (asked && asked.trim() && asked.trim() !== "https://") linkMarkdown(asked.trim());
      return;
    }
    linkAdded = false;
    linkInput.value = "";
    linkProblem("");
    linkDialog.showModal();
    linkInput.focus();
  }

  linkForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var address = linkInput.value.trim();
    if (!address || address === "https://") {
      return linkProblem("Please write the address of the link, e.g. https://example.org/page.");
    }
    if (/\s/.test(address)) {
      return linkProblem("An address has no spaces in it: please check it, or paste it again.");
    }
    linkAdded = true;
    linkDialog.close();
    linkMarkdown(address);
  });
  linkCancel.addEventListener("click", function () { linkDialog.close(); });
  linkDialog.addEventListener("close", function () {
    if (!linkAdded) linkButton.focus(); // Cancel or Escape: back to the toolbar
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
  ];
  if (pictures) tools.push(["Picture", openPanel]);
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
    if (tool[1] === addLink) {
      linkButton = button;
      button.setAttribute("aria-haspopup", "dialog");
    }
    if (tool[1] === openPanel) {
      pictureButton = button;
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", "picture-panel");
    }
  });
  panel.id = "picture-panel";
  body.parentNode.insertBefore(toolbar, body);
  body.parentNode.insertBefore(panel, body);

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

  /* Pasted pictures are stored on this site like any other: each `<img>` (another
     site's address, a data: address, or a file copied with the text) waits as a
     marker in the text while it uploads, then becomes its Markdown; one that fails
     is left out with a message, and the rest of the paste stays. */
  var pastedCount = 0;
  var uploading = 0;
  var leftOut = false; // a picture of this paste failed: keep saying so

  function isOurs(src) {
    try {
      var address = new URL(src, window.location.href);
    } catch (error) {
      return false;
    }
    return address.origin === window.location.origin && address.pathname.indexOf("/media/") === 0;
  }

  function marker(number) {
    return "(picture " + number + " uploading\u2026)";
  }

  function replaceMarker(text, replacement) {
    var at = body.value.indexOf(text);
    if (at === -1) return;
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var shift = function (position) {
      return position > at ? Math.max(at, position + replacement.length - text.length) : position;
    };
    body.setRangeText(replacement, at, at + text.length, "preserve");
    body.setSelectionRange(shift(start), shift(end));
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function storePasted(source, alt, label) {
    uploading += 1;
    if (!leftOut) say("Uploading " + (uploading === 1 ? "a pasted picture" : uploading + " pasted pictures") +
      " to this site\u2026");
    var saving;
    try {
      saving = pictures ? pictures.savePicture(source, alt) : Promise.reject(new Error(""));
    } catch (error) {
      saving = Promise.reject(error);
    }
    return saving.then(function (picture) {
      uploading -= 1;
      replaceMarker(label, picture.markdown);
      if (!uploading && !leftOut) {
        say(picture.alt ? "Pasted picture added." : "Pasted picture added. Please write " +
          "what it shows between its [ ] before publishing.");
      }
    }, function (error) {
      uploading -= 1;
      leftOut = true;
      replaceMarker(label, "");
      say("A pasted picture was left out: " + (error.message ||
        "it could not be copied to this site") + " The rest of the text is kept; " +
        "add the picture with the Picture button.", true);
    });
  }

  /* Each <img> becomes a marker; the uploads start once the text is in. */
  function takePictures(doc, files) {
    var jobs = [];
    Array.prototype.forEach.call(doc.querySelectorAll("img"), function (img) {
      var src = img.getAttribute("src") || "";
      var alt = (img.getAttribute("alt") || "").trim();
      if (src && isOurs(src)) {
        img.setAttribute("src", new URL(src, window.location.href).pathname);
        return;
      }
      var source = /^(https?:|data:image\/)/i.test(src) ? src : files.shift();
      pastedCount += 1;
      var label = marker(pastedCount);
      var token = "LEADSITEPICTURE" + pastedCount + "X";
      img.parentNode.replaceChild(doc.createTextNode(token), img);
      jobs.push({ token: token, label: label, source: source, alt: alt });
    });
    return jobs;
  }

  function pastedFiles(data) {
    return Array.prototype.filter.call(data.files || [], function (file) {
      return /^image\//.test(file.type);
    });
  }

  body.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data) return;
    if (!uploading) leftOut = false;
    var html = data.getData("text/html");
    var files = pastedFiles(data);
    if (!html && files.length) { // a screenshot or a copied picture
      event.preventDefault();
      var jobs = files.map(function () {
        pastedCount += 1;
        return { label: marker(pastedCount) };
      });
      insert(jobs.map(function (job) { return "\n" + job.label + "\n"; }).join(""));
      jobs.forEach(function (job, i) { storePasted(files[i], "", job.label); });
      return;
    }
    if (!html || !window.TurndownService) return; // plain text pastes as it is
    event.preventDefault();
    var doc = new DOMParser().parseFromString(html, "text/html");
    cleanWordLists(doc);
    var found = takePictures(doc, files);
    var markdown = turndown().turndown(doc.body).replace(/^[ \t]+$/gm, "").trim();
    found.forEach(function (job) { markdown = markdown.replace(job.token, job.label); });
    insert(markdown + "\n");
    found.forEach(function (job) {
      if (job.source) storePasted(job.source, job.alt, job.label);
      else {
        leftOut = true;
        replaceMarker(job.label, "");
        say("A pasted picture was left out: its file did not come with the text. " +
          "The rest of the text is kept; add the picture with the Picture button.", true);
      }
    });
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

  form.addEventListener("input", function (event) {
    if (stopped || panel.contains(event.target)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(autosave, 1500);
  });

  form.addEventListener("submit", function (event) {
    if (uploading) {
      event.preventDefault();
      say("Please wait: a pasted picture is still uploading.", true);
      return;
    }
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
