// The status page: polls /api/status every two seconds and renders it. Names come from clients (topics, client
// ids), so everything is written as text, never as HTML. An administrator who logs in (a dynamic-security client
// allowed to use the REST API) gets actions: kick a client, list and delete retained messages. The credentials stay
// in this page's memory and go to /api/v1/... as HTTP basic authentication, like any other REST API call.
"use strict";

const $ = id => document.getElementById(id);

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function row(cells) {
  const tr = el("tr");
  for (const [text, numeric] of cells) tr.append(el("td", text, numeric ? "num" : undefined));
  return tr;
}

const rate = v => v >= 100 ? v.toFixed(0) : v.toFixed(1);

function duration(seconds) {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m` : `${Math.floor(seconds)}s`;
}

function chart(history, sampleSeconds) {
  const svg = $("chart");
  svg.replaceChildren();
  const max = Math.max(1, ...history.flatMap(s => [s.received, s.sent, s.dropped]));
  const width = 600, height = 160, slots = 180;
  for (const series of ["received", "sent", "dropped"]) {
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("class", series);
    const start = slots - history.length;
    line.setAttribute("points", history
      .map((s, i) => `${((start + i) / (slots - 1)) * width},${height - (s[series] / max) * (height - 4)}`)
      .join(" "));
    svg.append(line);
  }
  $("chart-span").textContent = `last ${duration(history.length * sampleSeconds)} of ${duration(slots * sampleSeconds)}`;
  $("chart-max").textContent = `max ${rate(max)}/s`;
}

function render(status) {
  const now = Date.parse(status.now) / 1000;
  const latest = status.history.at(-1) ?? { received: 0, sent: 0, dropped: 0 };
  $("gateway-count").textContent = status.gateways.length;
  $("silo-count").textContent = status.silos.filter(s => s.state === "Active").length;
  $("connections").textContent = status.connections;
  $("subscriptions").textContent = status.subscriptions;
  $("retained").textContent = status.retainedMessages ?? "–";
  $("received-rate").textContent = rate(latest.received);
  $("sent-rate").textContent = rate(latest.sent);
  $("dropped-total").textContent = status.totals.messagesDropped;
  chart(status.history, status.sampleSeconds);

  $("gateways").replaceChildren(...status.gateways.map(g => row([
    [g.report.node], [g.report.hostName], [g.report.connections, true], [g.report.subscriptions, true],
    [rate(g.receivedPerSecond), true], [rate(g.sentPerSecond), true], [g.report.counters.messagesDropped, true],
    [duration(now - Date.parse(g.report.startedAt) / 1000)],
  ])));
  $("silos").replaceChildren(...status.silos.map(s => {
    const tr = row([[s.name], [s.address], [s.hostName], [s.state], [new Date(s.startedAt).toLocaleString()]]);
    tr.children[3].className = `state-${s.state}`;
    return tr;
  }));
  $("bridges-section").hidden = status.bridges.length === 0;
  $("bridges").replaceChildren(...status.bridges.map(b => {
    const tr = row([[b.name], [b.connected ? "connected" : "disconnected"], [b.address ?? "–"], [b.silo ?? "–"],
      [b.queued, true], [b.sent, true], [b.received, true], [b.dropped, true]]);
    tr.children[1].className = b.connected ? "state-Active" : "state-Dead";
    return tr;
  }));
  $("topics").replaceChildren(...status.topTopics.map(t => row([[t.topic], [rate(t.perSecond), true]])));
  const open = new Set([...document.querySelectorAll("#clients details[open]")].map(d => d.dataset.node));
  $("clients").replaceChildren(...status.gateways.map(g => {
    const details = el("details");
    details.dataset.node = g.report.node;
    details.open = open.has(g.report.node);
    const more = g.report.connections - g.report.clients.length;
    details.append(el("summary", `${g.report.node}: ${g.report.connections} client(s)${more > 0 ? `, first ${g.report.clients.length} shown` : ""}`));
    const list = el("ul", undefined, "clients");
    for (const c of g.report.clients) {
      const item = el("li", c.clientId, "client-id");
      item.title = `${c.endpoint} ${c.protocol}`;
      if (admin) item.append(actionButton("kick", "kick", c.clientId, () => kick(c.clientId)));
      list.append(item);
    }
    details.append(list);
    return details;
  }));
  $("updated").textContent = `updated ${new Date(status.now).toLocaleTimeString()}`;
}

async function poll() {
  try {
    const response = await fetch("api/status", { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? response.statusText);
    render(body);
    $("error").hidden = true;
  } catch (error) {
    $("error").textContent = String(error.message ?? error);
    $("error").hidden = false;
  }
  setTimeout(poll, 2000);
}

// --- Administrator actions (the REST API, /api/v1/...) ---

let admin = null;

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return "Basic " + btoa(String.fromCharCode(...bytes));
}

// X-Requested-With: the API then leaves out WWW-Authenticate, so a wrong password shows here, not a browser dialog.
async function api(method, path) {
  const response = await fetch(`api/v1/${path}`, {
    method, cache: "no-store", headers: { Authorization: admin.authorization, "X-Requested-With": "status-page" },
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(`${problem.title ?? response.statusText}${problem.detail ? `: ${problem.detail}` : ""}`);
  }
  return response.status === 204 ? null : response.json();
}

function report(text, failed) {
  $("action-result").textContent = text;
  $("action-result").className = failed ? "failed" : "";
}

function actionButton(className, text, target, action) {
  const button = el("button", text, className);
  button.type = "button";
  button.dataset.target = target;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      report(await action(), false);
    } catch (error) {
      report(String(error.message ?? error), true);
      button.disabled = false;
    }
  });
  return button;
}

async function kick(clientId) {
  await api("DELETE", `clients/${encodeURIComponent(clientId)}`);
  return `disconnected ${clientId}`;
}

async function deleteRetained(topic) {
  await api("DELETE", `retained?topic=${encodeURIComponent(topic)}`);
  await listRetained();
  return `deleted the retained message of ${topic}`;
}

// Every gateway's clients, not only the sample each gateway reports for the page.
async function findClients() {
  const body = await api("GET", `clients?count=100&prefix=${encodeURIComponent($("client-prefix").value)}`);
  $("client-count").textContent = `${body.totalCount} found${body.totalCount > body.clients.length ? `, first ${body.clients.length} shown` : ""}`;
  $("client-results").replaceChildren(...body.clients.map(c => {
    const tr = row([[c.clientId], [c.username ?? "–"], [c.node], [c.endpoint], [c.queuedMessages, true]]);
    const cell = el("td");
    cell.append(actionButton("kick", "kick", c.clientId, () => kick(c.clientId)));
    tr.append(cell);
    return tr;
  }));
}

async function listRetained() {
  const body = await api("GET", `retained?filter=${encodeURIComponent($("retained-filter").value)}`);
  $("retained-messages").replaceChildren(...body.messages.map(m => {
    const tr = row([[m.topic], [m.payload ?? `(binary, base64 ${m.payloadBase64})`]]);
    const cell = el("td");
    cell.append(actionButton("delete", "delete", m.topic, () => deleteRetained(m.topic)));
    tr.append(cell);
    return tr;
  }));
}

function showAdmin() {
  $("login").hidden = admin !== null;
  $("admin").hidden = admin === null;
  $("admin-user").textContent = admin?.user ?? "";
  $("retained-section").hidden = admin === null;
  $("client-search-section").hidden = admin === null;
}

$("login").addEventListener("submit", async event => {
  event.preventDefault();
  const candidate = { user: $("login-user").value, authorization: basic($("login-user").value, $("login-password").value) };
  const previous = admin;
  admin = candidate;
  try {
    await api("GET", "clients?count=0");
    $("login-password").value = "";
    report("", false);
    showAdmin();
    await listRetained();
  } catch (error) {
    admin = previous;
    report(`login refused: ${error.message ?? error}`, true);
  }
});

$("logout").addEventListener("click", () => {
  admin = null;
  $("retained-messages").replaceChildren();
  $("client-results").replaceChildren();
  report("", false);
  showAdmin();
});

for (const [form, action] of [["retained-form", listRetained], ["client-search", findClients]]) {
  $(form).addEventListener("submit", async event => {
    event.preventDefault();
    try {
      await action();
    } catch (error) {
      report(String(error.message ?? error), true);
    }
  });
}

poll();
