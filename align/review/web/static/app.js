// align review editor: keyboard selection and operations. Pages are rendered by the server;
// every operation is one POST to /api/op, after which the page is reloaded at the same place,
// so what is shown is always what the corpus file holds.
"use strict";
(() => {
  const token = document.querySelector('meta[name="align-token"]').content;
  const page = document.body.dataset.page;
  const statusBox = document.getElementById("status");
  const rows = [...document.querySelectorAll("tr.bead.main")];
  let cur = 0;

  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.className = kind || "";
  }

  function select(i, scroll = true) {
    if (!rows.length) return;
    cur = Math.max(0, Math.min(i, rows.length - 1));
    rows.forEach((r, k) => r.classList.toggle("selected", k === cur));
    if (scroll) rows[cur].scrollIntoView({ block: "nearest" });
    if (page === "queue") sessionStorage.setItem("align.queueSel:" + location.search, String(cur));
  }

  function current() { return rows[cur]; }

  function lastOp() {
    try { return JSON.parse(sessionStorage.getItem("align.last") || "null"); } catch (e) { return null; }
  }

  function reloadAt(bead) {
    if (page === "document") {
      const table = document.querySelector("table.document");
      const u = new URL(location.href);
      const start = Number(u.searchParams.get("start") || rows[0]?.dataset.idx || 0);
      u.searchParams.set("sel", String(bead));
      if (!(bead >= start && bead < start + 100)) u.searchParams.delete("start");
      else u.searchParams.set("start", String(start));
      u.searchParams.set("id", table.dataset.doc);
      location.replace(u.toString());
    } else {
      location.reload();
    }
  }

  async function op(name, args = {}) {
    const row = current();
    let doc = row?.dataset.doc, bead = Number(row?.dataset.idx ?? 0), revision = Number(row?.dataset.rev);
    if ((name === "undo" || name === "redo") && page !== "document") {
      const last = lastOp();
      if (last) { doc = last.doc; revision = last.revision; }
    }
    if (!doc) { say("no bead selected", "error"); return; }
    say(name + "…");
    let res, data;
    try {
      res = await fetch("/api/op", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Align-Token": token },
        body: JSON.stringify({ op: name, doc, bead, revision, ...args }),
      });
      data = await res.json();
    } catch (e) {
      say("the server did not answer: is align serve still running?", "error");
      return;
    }
    if (!res.ok) { say(data.error || res.statusText, "error"); return; }
    sessionStorage.setItem("align.last", JSON.stringify({ doc, revision: data.revision }));
    if (!data.ok) { say(data.message, "error"); return; }
    sessionStorage.setItem("align.flash", data.message);
    reloadAt(data.bead);
  }

  // -- dialogs ------------------------------------------------------------------------------

  const chooser = document.getElementById("choose");
  let choices = [], chosen = 0, onChoose = null;

  function choose(title, options, then) {
    if (!options.length) { say("nothing to choose here", "error"); return; }
    document.getElementById("choose-title").textContent = title;
    const list = document.getElementById("choose-list");
    list.replaceChildren();
    options.forEach((o, k) => {
      const li = document.createElement("li");
      o.parts.forEach((p) => {
        if (p.block) li.append(document.createElement("br"));
        const span = document.createElement("span");
        span.textContent = p.text;
        if (p.cls) span.className = p.cls;
        li.append(span);
      });
      li.addEventListener("click", () => { chosen = k; finish(); });
      list.append(li);
    });
    choices = options; onChoose = then; chosen = 0;
    mark();
    chooser.showModal();
  }

  function mark() {
    [...document.querySelectorAll("#choose-list li")].forEach((li, k) => li.classList.toggle("chosen", k === chosen));
  }

  function finish() {
    chooser.close();
    const o = choices[chosen];
    if (o && onChoose) onChoose(o.value);
  }

  chooser.addEventListener("keydown", (e) => {
    if (e.key === "j" || e.key === "ArrowDown") { chosen = Math.min(chosen + 1, choices.length - 1); mark(); }
    else if (e.key === "k" || e.key === "ArrowUp") { chosen = Math.max(chosen - 1, 0); mark(); }
    else if (/^[1-9]$/.test(e.key) && Number(e.key) <= choices.length) { chosen = Number(e.key) - 1; mark(); finish(); }
    else if (e.key === "Enter") { finish(); }
    else return;
    e.preventDefault();
  });

  function sentences(row, side) {
    return [...row.querySelectorAll("td." + side + " .sent")].map((s) => s.textContent);
  }

  function short(text) { return text.length > 40 ? text.slice(0, 38) + "…" : text; }

  function tail(text) { return text.length > 34 ? "…" + text.slice(-32) : text; }

  function splitChoices(row) {
    // Each cut is shown by the sentences on either side of it, one line per language:
    // "ja 2 | 1   …end of the last sentence kept ✂ start of the first sentence moved…"
    const ja = sentences(row, "ja"), en = sentences(row, "en");
    const out = [];
    const line = (name, xs, at) => [
      { text: `${name} ${at} | ${xs.length - at}`, cls: "count", block: true },
      { text: at ? tail(xs[at - 1]) : "∅", cls: "before" }, { text: "✂", cls: "cut" },
      { text: at < xs.length ? short(xs[at]) : "∅", cls: "after" },
    ];
    for (let a = 0; a <= ja.length; a++) {
      for (let b = 0; b <= en.length; b++) {
        if ((a === 0 && b === 0) || (a === ja.length && b === en.length)) continue;
        out.push({
          value: { src_at: a, tgt_at: b },
          parts: [...line("ja", ja, a), ...line("en", en, b)],
          balance: Math.abs(a / Math.max(ja.length, 1) - b / Math.max(en.length, 1)),
        });
      }
    }
    return out.sort((x, y) => x.balance - y.balance);
  }

  function detachChoices(row) {
    const out = [];
    const ja = sentences(row, "ja"), en = sentences(row, "en");
    for (const [side, xs, name] of [["src", ja, "Japanese"], ["tgt", en, "English"]]) {
      if (!xs.length || (xs.length === 1 && (side === "src" ? en : ja).length === 0)) continue;
      out.push({ value: { side, end: "first" }, parts: [{ text: `first ${name} sentence: ` }, { text: short(xs[0]) }] });
      if (xs.length > 1) out.push({ value: { side, end: "last" }, parts: [{ text: `last ${name} sentence: ` }, { text: short(xs[xs.length - 1]) }] });
    }
    return out;
  }

  const editor = document.getElementById("edit");
  function openEditor(row) {
    const ja = sentences(row, "ja").join(""), en = sentences(row, "en").join(" ");
    document.getElementById("edit-which").textContent = `${row.dataset.doc} #${row.dataset.idx}`;
    const src = document.getElementById("edit-src"), tgt = document.getElementById("edit-tgt");
    src.value = ja; tgt.value = en;
    src.dataset.old = ja; tgt.dataset.old = en;
    editor.showModal();
    tgt.focus();
  }
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      const src = document.getElementById("edit-src"), tgt = document.getElementById("edit-tgt");
      const args = {};
      if (src.value !== src.dataset.old) args.src = src.value;
      if (tgt.value !== tgt.dataset.old) args.tgt = tgt.value;
      editor.close();
      if (!Object.keys(args).length) { say("nothing changed"); return; }
      op("edit", args);
    }
  });

  const help = document.getElementById("help");
  document.getElementById("help-button").addEventListener("click", () => help.showModal());

  // -- keys ---------------------------------------------------------------------------------

  function go(href) { if (href) location.href = href; }

  function move(step) {
    const next = cur + step;
    if (next >= rows.length) { const n = document.getElementById("next-page"); if (n) return go(n.href); }
    if (next < 0) { const p = document.getElementById("prev-page"); if (p) return go(p.href); }
    select(next);
  }

  // One table from keys to actions: the keyboard and the toolbar buttons (data-key) both use it.
  function act(key, ctrl) {
    const row = current();
    let handled = true;
    if (ctrl && key === "z") op("undo");
    else if (ctrl && key === "y") op("redo");
    else if (ctrl) handled = false;
    else switch (key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "y": op("confirm"); break;
      case "n": op("reject"); break;
      case "c": op("clear"); break;
      case "e": if (row) openEditor(row); break;
      case "m": op("merge", { with: "next" }); break;
      case "M": op("merge", { with: "prev" }); break;
      case "s": if (row) choose(`Split bead ${row.dataset.idx} where?`, splitChoices(row), (v) => op("split", v)); break;
      case "]": op("shift", { side: "src", to: "next" }); break;
      case "[": op("shift", { side: "src", to: "prev" }); break;
      case "}": op("shift", { side: "tgt", to: "next" }); break;
      case "{": op("shift", { side: "tgt", to: "prev" }); break;
      case "a": op("attach", { to: "prev" }); break;
      case "A": op("attach", { to: "next" }); break;
      case "x": if (row) choose(`Detach which sentence of bead ${row.dataset.idx}?`, detachChoices(row), (v) => op("detach", v)); break;
      case "u": op("undo"); break;
      case "r": op("redo"); break;
      case "R":
        if (row && confirm(`Re-align the stretch around bead ${row.dataset.idx} (between the nearest reviewed beads)?`)) op("realign");
        break;
      case "g":
        if (page === "document" && row) go(`/next?id=${encodeURIComponent(row.dataset.doc)}&after=${row.dataset.idx}`);
        else move(1);
        break;
      case "Enter": { const a = row?.querySelector("td.idx a"); if (a) go(a.href); else handled = false; break; }
      case "/": go(page === "document" && row ? `/search?doc=${encodeURIComponent(row.dataset.doc)}` : "/search"); break;
      case "q": go("/queue"); break;
      case "o": go("/overview"); break;
      case "?": help.showModal(); break;
      default: handled = false;
    }
    return handled;
  }

  document.addEventListener("keydown", (e) => {
    if (document.querySelector("dialog[open]")) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) {
      if (e.key === "Escape") t.blur();
      return;
    }
    if (e.altKey) return;
    if (act(e.key, e.ctrlKey || e.metaKey)) e.preventDefault();
  });

  document.querySelectorAll("button[data-key]").forEach((b) => b.addEventListener("click", () => act(b.dataset.key, false)));

  rows.forEach((r, k) => r.addEventListener("click", () => select(k, false)));

  // -- where to start -------------------------------------------------------------------------

  let start = 0;
  if (page === "document") {
    const sel = Number(document.querySelector("table.document").dataset.sel);
    const k = rows.findIndex((r) => Number(r.dataset.idx) === sel);
    start = k >= 0 ? k : 0;
  } else if (page === "queue") {
    start = Number(sessionStorage.getItem("align.queueSel:" + location.search) || 0);
  }
  select(start);
  const flash = sessionStorage.getItem("align.flash");
  if (flash) { say(flash, "ok"); sessionStorage.removeItem("align.flash"); }
})();
