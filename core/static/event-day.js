// The event day's small helpers (events/templates/events/checkin.html, ticket.html). Everything works without
// this script: the code is typed and sent as a form, the count is right as of the page load, and a ticket is
// printed from the browser's menu. With it: a print button, a live count, and a QR scanner where the browser has
// the BarcodeDetector API (Chrome on Android, Safari 17+); the QR code holds the ticket's check-in address, of
// which the server reads the last part, so the scanner fills the code field with what it read and sends it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  const page = document.querySelector(".checkin-page[data-count-url]");
  if (!page) return;

  const present = page.querySelector("[data-present]");
  const confirmed = page.querySelector("[data-confirmed]");
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(page.dataset.countUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const counts = await response.json();
      present.textContent = counts.present;
      confirmed.textContent = counts.confirmed;
    } catch (error) {
      // offline for a moment: the next round tries again
    }
  };
  window.setInterval(refresh, 5000);

  const scan = page.querySelector("[data-scan]");
  const scanner = page.querySelector("[data-scanner]");
  const form = page.querySelector(".checkin-form");
  if (!scan || !scanner || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  const video = scanner.querySelector("[data-video]");
  const status = scanner.querySelector("[data-scan-status]");
  const input = form.querySelector("input[name=code]");
  let stream = null;

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    scanner.hidden = true;
    scan.hidden = false;
  };

  scan.hidden = false;
  scan.addEventListener("click", async () => {
    let detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      status.textContent = scan.dataset.denied || status.textContent;
      scanner.hidden = false;
      return;
    }
    video.srcObject = stream;
    await video.play();
    scanner.hidden = false;
    scan.hidden = true;
    const look = async () => {
      if (!stream) return;
      try {
        const codes = await detector.detect(video);
        if (codes.length) {
          input.value = codes[0].rawValue;
          stop();
          form.requestSubmit();
          return;
        }
      } catch (error) {
        // a frame that could not be read: try the next one
      }
      window.requestAnimationFrame(look);
    };
    look();
  });
  scanner.querySelector("[data-scan-stop]").addEventListener("click", stop);
});
