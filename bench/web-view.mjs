// The web view's cost on a big lab's graph, in headless chromium: the page
// and its libraries come from build/web/static, the API's answers are made
// up here (the graph a scenario of N nodes x P pods would have, from
// `nodelab graph FILE --format json`), so no lab has to run.  Prints the time
// to the first full render and the median cost of a redraw after one event
// (a fault appears on one pod: the graph is fetched again and updated in
// place), in ms, as JSON.
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [staticDir, graphFile, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 10);
const graph = JSON.parse(fs.readFileSync(graphFile, 'utf8'));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
let broken = null; // the pod the made-up fault breaks, per redraw
const answer = (url) => {
  const p = new URL(url).pathname;
  if (p === '/api/v1/labs') return { labs: [{ name: graph.lab, state: 'up' }] };
  if (p.endsWith('/graph')) {
    if (broken == null) return graph;
    return { ...graph, nodes: graph.nodes.map((v) => (v.id === broken ? { ...v, faults: ['pod-kill'] } : v)) };
  }
  if (p.endsWith('/faults')) return { catalogue: [], scenario: [], active: [] };
  return null;
};
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-proxy-server'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/' || u.pathname.startsWith('/static/')) {
      const f = path.join(staticDir, u.pathname === '/' ? 'index.html' : u.pathname.slice(8));
      return r.respond({ status: 200, contentType: types[path.extname(f)] || 'application/octet-stream',
        body: fs.readFileSync(f) });
    }
    if (u.pathname.endsWith('/stream')) return r.respond({ status: 204, body: '' });
    const a = answer(r.url());
    if (a == null) return r.respond({ status: 404, contentType: 'application/json', body: '{"error":"none"}' });
    return r.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(a) });
  });
  const want = graph.nodes.length;
  const t0 = Date.now();
  await page.goto('http://127.0.0.1:1/', { waitUntil: 'load' });
  await page.waitForFunction((n) => window.nodelabCy && window.nodelabCy.nodes().length === n,
    { timeout: 120000, polling: 50 }, want);
  // The first frame drawn with everything in it.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const first = Date.now() - t0;
  const pods = graph.nodes.filter((v) => v.kind === 'pod').map((v) => v.id);
  const times = [];
  for (let i = 0; i < runs; i++) {
    broken = pods[(i * 37) % pods.length];
    times.push(await page.evaluate(async (id) => {
      const s = performance.now();
      await refresh(); // app.js: what an event's redraw does
      await new Promise((r) => requestAnimationFrame(r));
      if (window.nodelabCy.getElementById(id).data('broken') !== true) throw new Error('not redrawn');
      return performance.now() - s;
    }, broken));
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ vertices: want, edges: graph.edges.length, first_render_ms: first,
    redraw_median_ms: Math.round(median), redraw_max_ms: Math.round(times[times.length - 1]), runs }));
} finally {
  await browser.close();
}
