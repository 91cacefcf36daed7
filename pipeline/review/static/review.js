// Corrections are sent the moment they are made; the page shows what the server stored.
"use strict";

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// --- words: pick a candidate or type the right one -------------------------------------------
const editor = document.getElementById("word-editor");
let editing = null;  // the word span being corrected

// What the restorer read and how sure it was, for the words it reported on.
function restorerNote(span) {
  if (span.dataset.original === undefined) return "";
  return `OCR: ${span.dataset.original} · tin cậy ${Math.round(Number(span.dataset.confidence) * 100)}%`;
}

function openEditor(span) {
  editing = span;
  const note = restorerNote(span);
  editor.querySelector(".info").textContent = `máy: ${span.dataset.machine}` + (note ? ` · ${note}` : "");
  const candidates = editor.querySelector(".candidates");
  candidates.replaceChildren();
  for (const candidate of JSON.parse(span.dataset.candidates)) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = candidate;
    button.addEventListener("click", () => saveWord(candidate));
    candidates.append(button);
  }
  const input = editor.querySelector("input");
  input.value = span.textContent;
  editor.hidden = false;
  // Below the word, kept inside the window on the right.
  const box = span.getBoundingClientRect();
  const left = Math.min(box.left, document.documentElement.clientWidth - editor.offsetWidth - 8);
  editor.style.left = `${window.scrollX + Math.max(8, left)}px`;
  editor.style.top = `${window.scrollY + box.bottom + 4}px`;
  input.focus();
  input.select();
}

function closeEditor() {
  editor.hidden = true;
  if (editing) editing.focus();
  editing = null;
}

async function saveWord(corrected) {
  const span = editing;
  const row = span.closest("tr");
  try {
    const answer = await post(span.closest("table").dataset.api, {
      line: Number(row.dataset.line), start: Number(span.dataset.start), corrected,
    });
    span.textContent = answer.text;
    span.classList.toggle("corrected", answer.corrected);
    span.title = answer.corrected ? `máy: ${span.dataset.machine}` : restorerNote(span);
    span.dataset.candidates = JSON.stringify(answer.candidates);
    closeEditor();
  } catch (error) {
    editor.querySelector(".info").textContent = `Không lưu được: ${error.message}`;
  }
}

if (editor) {
  const lines = document.querySelector("table.lines");
  lines.addEventListener("click", (event) => {
    const span = event.target.closest(".w[tabindex]");
    if (span) openEditor(span);
  });
  lines.addEventListener("keydown", (event) => {
    const span = event.target.closest(".w[tabindex]");
    if (span && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openEditor(span);
    }
  });
  editor.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveWord(editor.querySelector("input").value);
  });
  editor.querySelector(".revert").addEventListener("click", () => saveWord(editing.dataset.machine));
  editor.querySelector(".close").addEventListener("click", closeEditor);
  editor.addEventListener("keydown", (event) => { if (event.key === "Escape") closeEditor(); });
}

// --- task fields: saved when a field is left or a choice is made -----------------------------
function fieldValue(control) {
  if (control.name === "lead_units" || control.name === "support_units") {
    return control.value.split("\n").map((unit) => unit.trim()).filter(Boolean);
  }
  return control.value;
}

document.addEventListener("change", async (event) => {
  const control = event.target;
  const row = control.closest("tr[data-api]");
  if (!row || !control.name) return;
  const cell = control.closest("td");
  cell.classList.remove("saved", "failed");
  try {
    const answer = await post(row.dataset.api, {field: control.name, value: fieldValue(control)});
    cell.classList.toggle("corrected", answer.corrected_cell);
    cell.querySelector(".machine span").textContent = answer.machine_text;
    cell.querySelector(".machine").hidden = !answer.corrected_cell;
    cell.classList.add("saved");
  } catch (error) {
    cell.classList.add("failed");
    cell.title = `Không lưu được: ${error.message}`;
  }
});

// --- a task's lines: "#L89-L97" marks lines 89 to 97 ------------------------------------------
function markTaskLines() {
  for (const row of document.querySelectorAll("tr.in-task")) row.classList.remove("in-task");
  const range = /^#L(\d+)-L(\d+)$/.exec(window.location.hash);
  if (!range) return;
  const [first, last] = [Number(range[1]), Number(range[2])];
  let firstRow = null;
  for (const row of document.querySelectorAll("table.lines tr[data-line]")) {
    const number = Number(row.dataset.line);
    if (number >= first && number <= last) {
      row.classList.add("in-task");
      firstRow = firstRow || row;
    }
  }
  if (firstRow) firstRow.scrollIntoView({block: "center"});
}
window.addEventListener("hashchange", markTaskLines);
markTaskLines();
