/* Pictures for the editor: upload a file (a chosen one, or one pasted or dropped),
   turn a pasted data: address into a file, and have the site fetch a picture from
   another site's address. Each answers a Promise of the site's JSON:
   {id, url, alt, width, height, markdown}; a refusal rejects with an Error whose
   message is the site's friendly explanation.
   Usage: uploadPicture(file, "A description").then(p => insert(p.markdown)) */
(function () {
  "use strict";

  var UPLOAD = "/admin/media";
  var IMPORT = "/admin/media/import";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var field = document.querySelector('input[name="csrf_token"]');
    return (meta && meta.content) || (field && field.value) || "";
  }

  function send(address, body) {
    return fetch(address, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "The site did not take the picture (" + response.status +
          "). If you were signed out, sign in again in another tab and retry." };
      }).then(function (data) {
        if (!response.ok || data.error) {
          throw new Error(data.error || "The picture could not be saved.");
        }
        return data;
      });
    });
  }

  function uploadPicture(file, alt) {
    var body = new FormData();
    body.append("file", file, file.name || "pasted-picture");
    body.append("alt", alt || "");
    return send(UPLOAD, body);
  }

  function importPicture(address, alt) {
    var body = new FormData();
    body.append("url", address);
    body.append("alt", alt || "");
    return send(IMPORT, body);
  }

  /* A data:image/...;base64,... address as a File, for uploadPicture. */
  function dataUriToFile(uri, name) {
    var match = /^data:([\w.+-]+\/[\w.+-]+)?(;base64)?,(.*)$/s.exec(uri);
    if (!match) {
      throw new Error("That is not a picture's data address.");
    }
    var type = match[1] || "application/octet-stream";
    var text = match[2] ? atob(match[3]) : decodeURIComponent(match[3]);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i += 1) {
      bytes[i] = text.charCodeAt(i);
    }
    return new File([bytes], name || "pasted-picture", { type: type });
  }

  /* Any picture the editor meets: a File, a data: address or another site's. */
  function savePicture(source, alt) {
    if (typeof source !== "string") {
      return uploadPicture(source, alt);
    }
    if (source.indexOf("data:") === 0) {
      return uploadPicture(dataUriToFile(source), alt);
    }
    return importPicture(source, alt);
  }

  window.uploadPicture = uploadPicture;
  window.LeadsitePictures = {
    uploadPicture: uploadPicture,
    importPicture: importPicture,
    dataUriToFile: dataUriToFile,
    savePicture: savePicture
  };
})();
