// The web view in a real browser: Debian's headless chromium, driven by
// puppeteer-core (from the build's npm ci).  Given the URL `nodelab web`
// printed and a directory for screenshots: the page shows the lab's three
// nodes and its pods; a fault injected from the page on the tunnel node1 ->
// node2 turns that tunnel red and a check fails within 2 s; repaired from the
// page, it turns back; a terminal into node1 answers `hostname` with node1,
// one into web's container with web.  Exits non-zero, saying why, on the first failure.
import puppeteer from 'puppeteer-core';

const [url, shots] = process.argv.slice(2);
const fail = (msg) => { console.error('web-view: FAIL: ' + msg); process.exit(1); };
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-proxy-server'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(new URL(url).origin)) outside.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'load' }); // the event stream stays open: never idle
  const count = (sel) => page.evaluate((s) => window.nodelabCy ? window.nodelabCy.elements(s).length : -1, sel);
  await page.waitForFunction(() => window.nodelabCy && window.nodelabCy.nodes('[kind = "node"]').length === 3,
    { timeout: 10000 }).catch(() => fail('the page does not show three nodes'));
  if (await count('[kind = "pod"]') !== 3) fail('the page does not show three pods');
  if (await count('[kind = "tunnel"]') !== 6) fail('the page does not show six tunnels');
  await page.waitForFunction(() => document.getElementById('live').textContent === 'live',
    { timeout: 5000 }).catch(() => fail('the event stream is not live'));
  await page.screenshot({ path: shots + '/1-lab.png' });

  // Select the tunnel node1 -> node2 and inject tunnel-dst on it from the page.
  await page.evaluate(() => window.nodelabCy.getElementById('tunnel:node1:node2').emit('tap'));
  await page.select('#fault-kind', 'tunnel-dst');
  const params = await page.$$eval('#fault-params input', (is) => is.map((i) => i.name + '=' + i.value));
  if (!params.includes('node=node1') || !params.includes('remote=node2'))
    fail('the fault form is not filled from the tunnel: ' + params.join(' '));
  const t0 = Date.now();
  await page.evaluate(() => document.getElementById('inject').click());
  await page.waitForFunction(() => window.nodelabCy.getElementById('tunnel:node1:node2').data('broken') === true,
    { timeout: 2000 }).catch(() => fail('the tunnel did not turn red within 2 s'));
  const redMs = Date.now() - t0;
  // The checks, run from the page: each result is an event, and the graph
  // redraws the check's arrow red as it comes (the large-packet checks give
  // up after 1 s), before the whole run's table.
  await page.evaluate(() => document.getElementById('run-checks').click());
  await page.waitForFunction(() => window.nodelabCy.edges('[kind = "check"][state = "failed"]').length > 0,
    { timeout: 2000, polling: 50 }).catch(() => fail('no check turned red within 2 s of the inject'));
  const checkMs = Date.now() - t0;
  await page.waitForSelector('#checks tr.failed', { timeout: 5000 })
    .catch(() => fail('the checks table shows no failure after the inject'));
  await page.screenshot({ path: shots + '/2-fault.png' });

  // Repair from the page's fault list.
  // The list is redrawn as events arrive: click through the page, not a handle.
  await page.evaluate(() => document.querySelector('#faults button').click());
  await page.waitForFunction(() => window.nodelabCy.getElementById('tunnel:node1:node2').data('broken') === false,
    { timeout: 2000 }).catch(async () => fail('the tunnel is still red after the repair; the page says: ' +
      await page.$eval('#events', (e) => e.innerText.split('\n').slice(0, 5).join(' | '))));
  // Run the checks from the page until a round passes (the tunnel's flow is
  // back at once, but a first round may still see a packet lost on the way).
  let green = false;
  for (let round = 0; round < 5 && !green; round++) {
    const runs = await page.$eval('#checks', (t) => Number(t.dataset.runs || 0));
    await page.evaluate(() => document.getElementById('run-checks').click());
    await page.waitForFunction((n) => Number(document.getElementById('checks').dataset.runs || 0) > n,
      { timeout: 10000, polling: 100 }, runs).catch(() => fail('the checks did not run'));
    green = await page.$$eval('#checks tr.failed', (rows) => rows.length === 0);
  }
  if (!green) fail('checks still fail after the repair');
  await page.screenshot({ path: shots + '/3-repaired.png' });

  // A terminal into node1 (a real pty in its namespaces, over a WebSocket).
  await page.evaluate(() => window.nodelabCy.getElementById('node:node1').emit('tap'));
  await page.evaluate(() => document.getElementById('open-terminal').click());
  await page.waitForFunction(() => window.nodelabTerm && window.nodelabTerm.ws.readyState === 1,
    { timeout: 5000 }).catch(() => fail('the terminal did not connect'));
  await page.focus('.xterm-helper-textarea');
  await page.keyboard.type('hostname\n');
  const screen = () => {
    const b = window.nodelabTerm.buffer.active, lines = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
    return lines;
  };
  let lines = [];
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    lines = await page.evaluate(screen);
    if (lines.some((l) => l.trim() === 'node1')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!lines.some((l) => l.trim() === 'node1'))
    fail('the terminal did not answer node1: ' + lines.join(' | '));
  await page.screenshot({ path: shots + '/4-terminal.png' });

  // And into a container: web's httpd (its hostname is the pod's, web).
  await page.evaluate(() => window.nodelabCy.getElementById('ctr:web/httpd').emit('tap'));
  await page.evaluate(() => document.getElementById('open-terminal').click());
  await page.waitForFunction(() => window.nodelabTerm && window.nodelabTerm.ws.readyState === 1 &&
    document.getElementById('term-title').textContent === 'node1/web/httpd',
    { timeout: 5000 }).catch(() => fail('the container terminal did not connect'));
  await page.focus('.xterm-helper-textarea');
  await page.keyboard.type('hostname\n');
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    lines = await page.evaluate(screen);
    if (lines.some((l) => l.trim() === 'web')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!lines.some((l) => l.trim() === 'web'))
    fail('the container terminal did not answer web: ' + lines.join(' | '));
  await page.screenshot({ path: shots + '/5-container-terminal.png' });
  if (outside.length) fail('the page loaded from elsewhere: ' + outside.join(' '));
  if (errors.length) fail('the page threw: ' + errors.join('; '));
  console.log(`web-view: ok (the tunnel red ${redMs} ms after the inject's click, a check red ` +
    `${checkMs} ms after it; screenshots in ${shots})`);
} finally {
  await browser.close();
}
