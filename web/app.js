// nodelab's web view: the lab's graph (GET /api/v1/labs/LAB/graph, the model
// `nodelab graph --format json` prints) drawn with Cytoscape.js, redrawn from
// the lab's event stream (Server-Sent Events); checks, faults and exercises
// through the same REST API as the CLI.  Same origin only: the token is a
// cookie nodelabd set when the page was opened with ?token=.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { lab: null, cy: null, catalogue: [], selected: null, redraw: null };

async function api(method, path, body) {
  const r = await fetch('/api' + path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = { error: text }; }
  if (!r.ok) throw new Error((json && json.error) || r.status + ' ' + r.statusText);
  return json;
}

// ---- the graph ----

const STYLE = [
  { selector: 'node', style: {
    label: 'data(text)', 'text-wrap': 'wrap', 'font-size': 9, 'text-valign': 'center',
    'min-zoomed-font-size': 6,
    'background-color': '#ffffff', 'border-width': 1, 'border-color': '#78909c',
    shape: 'round-rectangle', width: 'label', height: 'label', padding: 6 } },
  { selector: ':parent', style: {
    'text-valign': 'top', 'text-halign': 'center', 'background-color': '#fafafa',
    'border-color': '#90a4ae', padding: 10 } },
  { selector: 'node[kind = "node"]', style: { 'border-width': 2, 'border-color': '#37474f' } },
  { selector: 'node[kind = "daemon"]', style: { shape: 'ellipse' } },
  { selector: 'node[?down]', style: { 'background-color': '#eeeeee', color: '#757575' } },
  { selector: 'edge', style: {
    width: 1, 'curve-style': 'bezier', 'line-color': '#9e9e9e', 'font-size': 8,
    'min-zoomed-font-size': 6,
    label: 'data(text)', 'target-arrow-shape': 'none' } },
  { selector: 'edge[kind = "tunnel"]', style: {
    'line-color': '#1565c0', color: '#1565c0', 'target-arrow-shape': 'triangle',
    'target-arrow-color': '#1565c0' } },
  { selector: 'edge[kind = "cable"]', style: { width: 3, 'line-color': '#263238' } },
  { selector: 'edge[kind = "check"]', style: {
    'line-style': 'dashed', 'target-arrow-shape': 'triangle', 'font-size': 7 } },
  { selector: 'edge[state = "passed"]', style: {
    'line-color': '#2e7d32', 'target-arrow-color': '#2e7d32', color: '#2e7d32' } },
  { selector: 'edge[state = "failed"]', style: {
    'line-color': '#c62828', 'target-arrow-color': '#c62828', color: '#c62828' } },
  { selector: '[?broken]', style: {
    'border-color': '#c62828', 'border-width': 3, 'line-color': '#c62828', width: 3,
    color: '#c62828', 'background-color': '#ffcdd2' } },
  { selector: ':selected', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.3 } },
];

function text(e) {
  const lines = [e.label || ''];
  if (e.detail && e.kind !== 'port') lines.push(e.detail);
  if (e.state && !['running', 'ready', 'up', 'passed'].includes(e.state)) lines.push('(' + e.state + ')');
  for (const f of e.faults || []) lines.push('broken: ' + f);
  return lines.join('\n');
}

function elements(g) {
  const nodes = g.nodes.map((v) => ({ group: 'nodes', data: {
    id: v.id, parent: v.parent || undefined, kind: v.kind, label: v.label, detail: v.detail,
    state: v.state, faults: v.faults, broken: v.faults.length > 0,
    down: v.state != null && !['running', 'ready', 'up'].includes(v.state), text: text(v) } }));
  const edges = g.edges.filter((e) => e.source !== e.target).map((e) => ({ group: 'edges', data: {
    id: e.id, source: e.source, target: e.target, kind: e.kind, label: e.label, state: e.state,
    reason: e.reason, faults: e.faults, broken: e.faults.length > 0, text: text(e) } }));
  return nodes.concat(edges);
}

// Where each box goes: one column per lab node, its eth0 and daemons on top,
// br0's ports (vxlan0, tun0, a port per pod) below, then its pods with their
// containers; the fabric above them all.  Compound boxes (nodes, br0, pods)
// wrap their children.  Deterministic, and linear in the lab's size.
function positions(els) {
  const column = {}, slot = {}, pos = {};
  const nodes = els.filter((e) => e.group === 'nodes');
  for (const e of nodes) if (e.data.kind === 'node') column[e.data.id] = Object.keys(column).length;
  const next = (key) => (slot[key] = (slot[key] || 0) + 1) - 1;
  const nodeOf = (id) => 'node:' + id.split(':')[1];
  const podNode = {};
  for (const e of nodes) if (e.data.kind === 'pod') podNode[e.data.id] = e.data.parent;
  const width = 130, colWidth = 480;
  for (const e of nodes) {
    const d = e.data;
    let node = null, row = 0, i = 0;
    switch (d.kind) {
      case 'underlay': pos[d.id] = { x: (Object.keys(column).length - 1) * colWidth / 2 + 160, y: -220 }; continue;
      case 'nic': node = nodeOf(d.id); row = 0; i = 0; break;
      case 'daemon': node = nodeOf(d.id); row = 0; i = 1 + next(d.parent + '/d'); break;
      case 'port': node = nodeOf(d.id); row = 1; i = next(d.parent + '/p'); break;
      case 'container': {
        const pod = 'pod:' + d.id.slice(4).split('/')[0];
        node = podNode[pod]; row = 2; i = next(node + '/c');
        break;
      }
      default: continue;
    }
    const col = column[node] || 0;
    pos[d.id] = { x: col * colWidth + (i % 3) * width + (row === 0 && i > 0 ? 0 : 0), y: row * 130 + Math.floor(i / 3) * 55 };
  }
  return pos;
}

function layout(els) {
  const pos = positions(els);
  return { name: 'preset', positions: (n) => pos[n.id()] || { x: 0, y: 0 }, fit: true, padding: 20 };
}

async function drawGraph() {
  const g = await api('GET', '/v1/labs/' + state.lab + '/graph');
  const els = elements(g);
  if (!state.cy) {
    // Big labs: no text too small to read is drawn, and panning or zooming
    // moves a texture of the graph instead of drawing it again.
    state.cy = cytoscape({ container: $('graph'), elements: els, style: STYLE, layout: layout(els),
      textureOnViewport: els.length > 2000, hideEdgesOnViewport: els.length > 2000, pixelRatio: 1 });
    state.cy.on('tap', 'node, edge', (ev) => select(ev.target.data()));
    window.nodelabCy = state.cy; // for tests and the curious
    return;
  }
  // Update in place, in one batch, touching only what changed: the layout
  // stays where the user left it, and a big lab redraws what an event moved.
  const want = new Set(els.map((e) => e.data.id));
  let added = false;
  state.cy.batch(() => {
    state.cy.elements().forEach((e) => { if (!want.has(e.id())) e.remove(); });
    for (const e of els) {
      const have = state.cy.getElementById(e.data.id);
      if (have.empty()) { state.cy.add(e); added = true; continue; }
      const old = have.data();
      if (Object.keys(e.data).some((k) => JSON.stringify(old[k]) !== JSON.stringify(e.data[k])))
        have.data(e.data);
    }
  });
  if (added) state.cy.layout(layout(els)).run();
}

function scheduleRedraw() {
  clearTimeout(state.redraw);
  state.redraw = setTimeout(() => { refresh().catch(show); }, 150);
}

// ---- selecting an element, and its faults ----

// The parameters an element gives a fault aimed at it.
function paramsOf(d) {
  const [, a, b] = d.id.split(':');
  switch (d.kind) {
    case 'node': return { node: a };
    case 'nic': return { node: a, link: 'eth0' };
    case 'port': return b === 'vxlan0' || b === 'tun0' ? { node: a, link: b } : { pod: b };
    case 'daemon': return { node: a, daemon: b };
    case 'pod': return { pod: a };
    case 'container': { const [pod, ctr] = a.split('/'); return { pod, container: ctr }; }
    case 'tunnel': return { node: a, remote: b };
    case 'cable': return { node: a };
    default: return {};
  }
}

function select(d) {
  state.selected = d;
  $('sel-none').hidden = true;
  $('sel-details').hidden = false;
  $('sel-text').textContent = [d.kind + ' ' + d.id, d.detail, d.state, d.reason,
    ...(d.faults || []).map((f) => 'broken by ' + f)].filter(Boolean).join('\n');
  const have = paramsOf(d);
  const kinds = state.catalogue.filter((k) => k.implemented &&
    Object.keys(have).every((p) => k.params.includes(p) || p === 'link'));
  const node = nodeOf(d);
  $('open-terminal').hidden = node == null;
  $('open-terminal').onclick = () => openTerminal(node).catch(show);
  $('fault-kind').innerHTML = '';
  for (const k of kinds) {
    const o = document.createElement('option');
    o.value = k.name; o.textContent = k.name; o.title = k.breaks;
    $('fault-kind').appendChild(o);
  }
  showParams();
}

// Where a terminal opens for an element: its node ("node1"), or a pod's
// container ("node1/web", "node1/web/httpd"); null for the rest.
function nodeOf(d) {
  if (['node', 'nic', 'port', 'daemon', 'bridge'].includes(d.kind)) return d.id.split(':')[1];
  const podNode = (pod) => {
    const v = state.cy && state.cy.getElementById('pod:' + pod);
    return v && v.nonempty() ? v.data('parent').split(':')[1] : null;
  };
  if (d.kind === 'pod') { const n = podNode(d.label); return n && n + '/' + d.label; }
  if (d.kind === 'container') {
    const [pod, ctr] = d.id.slice(4).split('/');
    const n = podNode(pod);
    return n && n + '/' + pod + '/' + ctr;
  }
  return null;
}

async function openTerminal(node) {
  const { port } = await (await fetch('/terminal-port')).json();
  if (state.term) { state.term.ws.close(); state.term.dispose(); }
  $('terminal-box').hidden = false;
  $('term-title').textContent = node;
  $('terminal').innerHTML = '';
  const term = new Terminal({ fontSize: 13, convertEol: false });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open($('terminal'));
  fit.fit();
  const ws = new WebSocket('ws://' + location.hostname + ':' + port + '/terminal/' + state.lab + '/' +
    node + '?cols=' + term.cols + '&rows=' + term.rows);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (m) => term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data));
  ws.onclose = () => term.write('\r\n[the terminal closed]\r\n');
  term.onData((d) => { if (ws.readyState === WebSocket.OPEN) ws.send(d); });
  term.onResize(({ cols, rows }) => { if (ws.readyState === WebSocket.OPEN) ws.send('\x01resize ' + cols + ' ' + rows); });
  window.addEventListener('resize', () => fit.fit());
  term.ws = ws;
  state.term = term;
  window.nodelabTerm = term; // for tests
  term.focus();
}

function showParams() {
  const kind = state.catalogue.find((k) => k.name === $('fault-kind').value);
  const have = state.selected ? paramsOf(state.selected) : {};
  $('fault-params').innerHTML = '';
  for (const p of kind ? kind.params : []) {
    const l = document.createElement('label');
    l.textContent = p + ' ';
    const i = document.createElement('input');
    i.name = p; i.value = have[p] || ''; i.placeholder = 'default: where it bites';
    l.appendChild(i);
    $('fault-params').appendChild(l);
  }
}

async function inject() {
  const params = {};
  for (const i of $('fault-params').querySelectorAll('input')) if (i.value) params[i.name] = i.value;
  const f = await api('POST', '/v1/labs/' + state.lab + '/faults', { kind: $('fault-kind').value, params });
  log('injected ' + f.kind + ' on ' + f.target);
  await refresh();
}

async function showFaults() {
  const fs = await api('GET', '/v1/labs/' + state.lab + '/faults');
  state.catalogue = fs.catalogue;
  const ul = $('faults');
  ul.innerHTML = '';
  for (const f of fs.active.filter((a) => a.state !== 'repaired')) {
    const li = document.createElement('li');
    li.textContent = (f.name || f.kind) + ' (' + f.state + '): ' + f.target + ' ';
    const b = document.createElement('button');
    b.textContent = 'Repair';
    b.onclick = () => api('DELETE', '/v1/labs/' + state.lab + '/faults/' + f.id).then(refresh).catch(show);
    li.appendChild(b);
    ul.appendChild(li);
  }
}

// ---- checks, exercises, events ----

async function runChecks() {
  const r = await api('POST', '/v1/labs/' + state.lab + '/checks', {});
  const tb = $('checks').tBodies[0];
  tb.innerHTML = '';
  $('checks').dataset.runs = String(Number($('checks').dataset.runs || 0) + 1);
  for (const c of r.checks) {
    const tr = tb.insertRow();
    for (const v of [c.name, c.result, c.reason || '']) tr.insertCell().textContent = v;
    tr.className = c.result;
  }
  await refresh();
}

async function exercise(action) {
  const base = '/v1/labs/' + state.lab + '/exercise';
  let r;
  if (action === 'start') {
    const seed = parseInt($('exercise-seed').value, 10);
    r = await api('POST', base, { name: $('exercise-name').value || null, ...(isNaN(seed) ? {} : { seed }) });
    $('exercise-out').textContent = r.symptom;
  } else {
    r = await api('POST', base + '/' + action, {});
    $('exercise-out').textContent = action === 'hint' ? (r.hint ? 'hint ' + r.number + '/' + r.total + ': ' + r.hint : 'no hint left')
      : action === 'check' ? (r.passed ? 'passed' : (r.problems || []).join('\n'))
      : [r.cause, r.target, ...(r.commands || [])].join('\n');
  }
  await showExercise();
}

async function showExercise() {
  try {
    const s = await api('GET', '/v1/labs/' + state.lab + '/exercise');
    $('exercise-status').textContent = s.exercise + ': ' + s.state + ', ' + Math.round(s.seconds) +
      ' s, hints ' + s.hints_used + '/' + s.hints_total + ', checks tried ' + s.checks_tried;
  } catch (e) { $('exercise-status').textContent = 'none yet'; }
}

function log(msg) {
  const li = document.createElement('li');
  li.textContent = msg;
  $('events').prepend(li);
}

function show(err) { log('error: ' + err.message); }

function stream() {
  const es = new EventSource('/api/v1/labs/' + state.lab + '/stream');
  es.onopen = () => { $('live').textContent = 'live'; $('live').className = 'on'; };
  es.onerror = () => { $('live').textContent = 'offline'; $('live').className = ''; };
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    log(e.time.slice(11, 19) + ' ' + e.kind + ' ' + (e.object || '') + ': ' + e.message);
    scheduleRedraw();
  };
  es.addEventListener('lab-gone', () => { es.close(); log('the lab is gone'); });
}

async function refresh() {
  await showFaults();
  await drawGraph();
  await showExercise();
}

async function main() {
  const labs = await api('GET', '/v1/labs');
  const want = new URLSearchParams(location.search).get('lab');
  const lab = labs.labs.find((l) => l.name === want) || labs.labs[0];
  if (!lab) { $('lab').textContent = 'no lab is running'; return; }
  state.lab = lab.name;
  $('lab').textContent = 'lab ' + lab.name;
  $('run-checks').onclick = () => runChecks().catch(show);
  $('repair-all').onclick = () => api('DELETE', '/v1/labs/' + state.lab + '/faults').then(refresh).catch(show);
  $('inject').onclick = () => inject().catch(show);
  $('fault-kind').onchange = showParams;
  $('term-close').onclick = () => {
    if (state.term) { state.term.ws.close(); state.term.dispose(); state.term = null; }
    $('terminal-box').hidden = true;
  };
  for (const a of ['start', 'hint', 'check', 'solve']) $('ex-' + a).onclick = () => exercise(a).catch(show);
  await refresh();
  stream();
  setInterval(() => showExercise(), 1000); // the exercise's timer
}

main().catch(show);
