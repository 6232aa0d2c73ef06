// xstilts console: every datum comes from the /v1 API with the key from sessionStorage, as an
// Authorization header; user data is inserted with textContent only.
"use strict";
(function () {
  const KEY = "xstilts.key";
  const SVG = "http://www.w3.org/2000/svg";
  const body = document.body;
  const jobId = body.dataset.jobId;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    return node;
  }
  function say(text) { document.getElementById("status").textContent = text; }

  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    const headers = new Headers(opts.headers || {});
    const key = sessionStorage.getItem(KEY);
    if (key) headers.set("Authorization", "Bearer " + key);
    opts.headers = headers;
    const response = await fetch(path, opts);
    if (response.status === 401 && body.dataset.page !== "login") {
      window.location.assign("/ui/login");
      throw new Error("sign in first");
    }
    return response;
  }
  async function json(path, options) {
    const response = await api(path, options);
    const data = await response.json();
    if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
    return data;
  }

  function dropChart(kept, drops) {
    const rows = [["kept", kept, "kept"]].concat(Object.entries(drops).map(([r, n]) => [r, n, "dropped"]));
    const max = Math.max(1, ...rows.map((r) => r[1]));
    const chart = svg("svg", { class: "chart", viewBox: `0 0 320 ${rows.length * 22}`, role: "img" });
    chart.setAttribute("aria-label", rows.map((r) => `${r[0]}: ${r[1]}`).join(", "));
    rows.forEach(([label, count, kind], i) => {
      chart.append(svg("rect", { class: kind, x: 130, y: i * 22 + 3, height: 16, width: (150 * count) / max }));
      const name = svg("text", { x: 0, y: i * 22 + 15 }); name.textContent = label;
      const num = svg("text", { x: 134 + (150 * count) / max, y: i * 22 + 15 }); num.textContent = String(count);
      chart.append(name, num);
    });
    return chart;
  }
  function progressTable(progress) {
    const table = el("table", { class: "units" });
    table.append(el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "task × lang × method"),
      el("th", { scope: "col" }, "progress"), el("th", { scope: "col" }, "rows"), el("th", { scope: "col" }, "kept / dropped"))));
    const rows = el("tbody");
    for (const p of progress) {
      const label = `${p.task} × ${p.lang} × ${p.method}`;
      const bar = el("progress", { max: Math.max(1, p.total_rows), value: p.done_rows, "aria-label": label });
      rows.append(el("tr", { class: "unit" }, el("td", {}, label), el("td", {}, bar),
        el("td", { class: "rows" }, `${p.done_rows} / ${p.total_rows}`), el("td", {}, `${p.kept} / ${p.dropped}`)));
    }
    table.append(rows);
    return table;
  }

  async function jobsPage() {
    const box = document.getElementById("jobs");
    async function refresh() {
      try {
        const page = await json("/v1/jobs?limit=20");
        const details = await Promise.all(page.jobs.map((j) => json(`/v1/jobs/${encodeURIComponent(j.id)}`)));
        box.replaceChildren(...details.map((job) => el("article", { class: "job", "data-job": job.id },
          el("h2", {}, el("a", { href: `/ui/jobs/${encodeURIComponent(job.id)}` }, `Job ${job.id}`)),
          el("p", {}, "State: ", el("span", { class: "state" }, job.state), ` · dataset ${job.dataset_id}`),
          job.error ? el("p", { class: "error" }, job.error) : "",
          progressTable(job.progress), dropChart(job.counts.kept, job.counts.drops))));
        if (!page.jobs.length) box.replaceChildren(el("p", {}, "No jobs yet."));
        say("");
      } catch (err) { say(err.message); }
    }
    await refresh();
    setInterval(refresh, 3000);
  }

  function fact(list, name, value) { list.append(el("dt", {}, name), el("dd", {}, value)); }
  function download(label, path, filename) {
    const button = el("button", { type: "button" }, label);
    button.addEventListener("click", async () => {
      const response = await api(path);
      if (!response.ok) { say(`${label}: ${response.status}`); return; }
      const url = URL.createObjectURL(await response.blob());
      const link = el("a", { href: url, download: filename });
      document.body.append(link); link.click(); link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
    return el("li", {}, button);
  }
  async function jobPage() {
    const base = `/v1/jobs/${encodeURIComponent(jobId)}`;
    async function refresh() {
      const job = await json(base);
      const summary = document.getElementById("summary");
      summary.replaceChildren();
      fact(summary, "State", job.state); fact(summary, "Dataset", job.dataset_id);
      fact(summary, "Created", job.created_at); fact(summary, "Updated", job.updated_at);
      fact(summary, "Attempts", String(job.attempts)); fact(summary, "Error", job.error || "none");
      document.getElementById("progress").replaceChildren(progressTable(job.progress));
      document.getElementById("drops").replaceChildren(dropChart(job.counts.kept, job.counts.drops));
      document.getElementById("request").textContent = JSON.stringify(job.request, null, 2);
      return job;
    }
    try {
      const job = await refresh();
      const manifest = await api(`${base}/manifest`);
      const downloads = document.getElementById("downloads");
      if (manifest.ok) {
        const data = await manifest.json();
        document.getElementById("manifest").textContent = JSON.stringify(data, null, 2);
        downloads.append(download("manifest.json", `${base}/shards/manifest.json`, "manifest.json"));
        for (const s of data.shards) downloads.append(download(s.path, `${base}/shards/${s.path}`, s.path.split("/").join("_")));
        const card = await api(`${base}/shards/README.md`);
        document.getElementById("card").textContent = card.ok ? await card.text() : "No dataset card.";
      } else {
        document.getElementById("manifest").textContent = "No manifest yet.";
      }
      if (!["succeeded", "failed", "cancelled"].includes(job.state)) setInterval(() => refresh().catch((e) => say(e.message)), 3000);
    } catch (err) { say(err.message); }
  }

  function highlighted(text, spans) {
    const node = el("p", { class: "text" });
    let at = 0;
    for (const [start, end] of spans.filter((s) => s[0] >= 0 && s[1] <= text.length).sort((a, b) => a[0] - b[0])) {
      if (start < at) continue;
      node.append(text.slice(at, start), el("mark", {}, text.slice(start, end)));
      at = end;
    }
    node.append(text.slice(at));
    return node;
  }
  function exampleSide(ex, heading) {
    const side = el("div", { class: "side", lang: ex.lang }, el("h3", {}, heading));
    if (ex.question) side.append(el("p", { class: "question" }, el("strong", {}, "Q: "), ex.question));
    if (ex.context) side.append(highlighted(ex.context, ex.answers.map((a) => [a.start, a.start + a.text.length])));
    if (ex.tokens.length) {
      const p = el("p", { class: "text" });
      ex.tokens.forEach((tok, i) => { p.append(ex.tags[i] && ex.tags[i] !== "O" ? el("mark", { title: ex.tags[i] }, tok) : tok, " "); });
      side.append(p);
    }
    for (const t of [ex.text_a, ex.text_b]) if (t) side.append(el("p", { class: "text" }, t));
    if (ex.choices.length) side.append(el("ol", {}, ...ex.choices.map((c) => el("li", {}, c))));
    return side;
  }
  async function examplesPage() {
    const form = document.getElementById("filters");
    const state = { offset: 0, limit: 10, filled: false };
    function fill(select, values) {
      const current = select.value;
      select.replaceChildren(el("option", { value: "" }, "any"), ...values.map((v) => el("option", { value: v }, v)));
      select.value = current;
    }
    async function load() {
      const params = new URLSearchParams({ offset: state.offset, limit: state.limit });
      for (const [name, value] of new FormData(form)) if (value !== "") params.set(name, value);
      try {
        const page = await json(`/v1/jobs/${encodeURIComponent(jobId)}/examples?${params}`);
        if (!state.filled) {
          fill(document.getElementById("f-lang"), page.facets.langs);
          fill(document.getElementById("f-method"), page.facets.methods);
          fill(document.getElementById("f-projection"), page.facets.projections);
          state.filled = true;
        }
        const last = Math.min(page.total, page.offset + page.examples.length);
        document.getElementById("count").textContent = page.total
          ? `Examples ${page.offset + 1}–${last} of ${page.total}` : "No examples match.";
        document.getElementById("examples").replaceChildren(...page.examples.map((ex) => el("article", { class: "pair", "data-id": ex.id },
          el("p", { class: "meta" }, `${ex.id} · ${ex.lang} · ${ex.method} · projection ${ex.projection || "none"} · confidence ${ex.confidence.toFixed(2)}`),
          ex.english ? exampleSide(ex.english, "English") : el("p", {}, "English source not found."),
          exampleSide(ex, `${ex.lang} (${ex.method})`))));
        document.getElementById("prev").disabled = page.offset === 0;
        document.getElementById("next").disabled = last >= page.total;
        say("");
      } catch (err) { say(err.message); }
    }
    form.addEventListener("submit", (event) => { event.preventDefault(); state.offset = 0; load(); });
    document.getElementById("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.limit); load(); });
    document.getElementById("next").addEventListener("click", () => { state.offset += state.limit; load(); });
    await load();
  }

  async function newPage() {
    const [tasks, langs, profiles, datasets] = await Promise.all(
      ["/v1/tasks", "/v1/languages", "/v1/profiles", "/v1/datasets?limit=100"].map((p) => json(p)));
    document.getElementById("u-task").replaceChildren(...tasks.map((t) => el("option", { value: t.name }, `${t.name} (${t.kind})`)));
    const datasetSelect = document.getElementById("j-dataset");
    function fillDatasets(rows) {
      datasetSelect.replaceChildren(...rows.map((d) => el("option", { value: d.id }, `${d.filename} · ${d.task} · ${d.examples} examples`)));
    }
    fillDatasets(datasets.datasets);
    const installed = profiles.filter((p) => p.installed);
    document.getElementById("j-profile").replaceChildren(...installed.map((p) => {
      const option = el("option", { value: p.name }, `${p.name} (${p.backend})`);
      if (p.default) option.selected = true;
      return option;
    }));
    document.getElementById("j-langs").replaceChildren(...langs.filter((l) => l.code !== "en").map((l) =>
      el("label", { class: "inline" }, el("input", { type: "checkbox", name: "langs", value: l.code }), `${l.name} (${l.code})`)));
    document.getElementById("upload-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const made = await json("/v1/datasets", { method: "POST", body: new FormData(event.target) });
        fillDatasets((await json("/v1/datasets?limit=100")).datasets);
        datasetSelect.value = made.id;
        say(`Uploaded ${made.filename}: ${made.examples} examples.`);
      } catch (err) { say(err.message); }
    });
    document.getElementById("job-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const request = { dataset_id: data.get("dataset_id"), langs: data.getAll("langs"), methods: data.getAll("methods") };
      if (request.methods.includes("translate") && data.get("profile")) request.profile = data.get("profile");
      try {
        const job = await json("/v1/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
        window.location.assign(`/ui/jobs/${encodeURIComponent(job.id)}`);
      } catch (err) { say(err.message); }
    });
  }

  function loginPage() {
    document.getElementById("login-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const key = document.getElementById("api-key").value.trim();
      const response = await fetch("/v1/jobs?limit=1", { headers: key ? { Authorization: "Bearer " + key } : {} });
      if (!response.ok) { say(response.status === 401 ? "That key is not valid." : `Sign-in failed: ${response.status}`); return; }
      if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY);
      window.location.assign("/ui/");
    });
  }

  const signOut = document.getElementById("sign-out");
  if (sessionStorage.getItem(KEY)) signOut.hidden = false;
  signOut.addEventListener("click", () => { sessionStorage.removeItem(KEY); window.location.assign("/ui/login"); });
  const pages = { jobs: jobsPage, job: jobPage, examples: examplesPage, new: newPage, login: loginPage };
  Promise.resolve(pages[body.dataset.page]()).catch((err) => say(err.message));
})();
