// The report's "Print" button opens the browser's print dialog; report.css lays the page out for paper.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
