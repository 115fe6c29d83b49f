// Markdown preview beside every Markdown field (core/templates/_macros.html, field()): the server renders the
// text through the same sanitiser as the published page (POST /markdown/preview), so what is shown is what
// will be shown. Without this script the field is a plain textarea; the button stays hidden. Each Markdown field
// brings the script tag: the first run sets up every field (data-ready), the others find nothing left to do.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const tools of document.querySelectorAll(".markdown-tools:not([data-ready])")) {
    tools.dataset.ready = "";
    const source = document.getElementById(tools.dataset.source);
    const preview = document.getElementById(`${tools.dataset.source}-preview`);
    const button = tools.querySelector(".markdown-preview-button");
    if (!source || !preview || !button) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const token = source.form && source.form.querySelector("input[name=csrf_token]");
      const body = new FormData();
      body.append("text", source.value);
      button.disabled = true;
      try {
        const response = await fetch(tools.dataset.previewUrl, {
          method: "POST", body, credentials: "same-origin",
          headers: token ? { "X-CSRFToken": token.value } : {},
        });
        if (!response.ok) throw new Error(String(response.status));
        preview.innerHTML = await response.text();  // sanitised by the server (core.markdown)
      } catch (error) {
        preview.textContent = tools.dataset.error;
      } finally {
        preview.hidden = false;
        button.disabled = false;
        button.textContent = tools.dataset.refreshLabel;
      }
    });
  }
});
