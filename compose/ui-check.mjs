// Drives a headless Chromium over the DevTools protocol (Node's built-in WebSocket, no npm
// packages) through Consul's UI: the services list and each service's instances page, checking
// that every expected service is listed with the expected number of instances and passing health.
// Started by compose/ui-check.sh, which starts and stops the browser.
//
//   node --experimental-websocket compose/ui-check.mjs --port DEVTOOLS_PORT --url UI_URL \
//        --screenshot FILE [--timeout SECONDS] [--expect NAME=COUNT ...]
//
// Prints PASS/FAIL lines; exit 0 when all pass, 1 on a failed check, 2 when the check could not run.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const args = parseArgs(process.argv.slice(2));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
let failures = 0;
const pass = (what) => console.log(`PASS  ${what}`);
const fail = (what) => { failures++; console.log(`FAIL  ${what}`); };

function parseArgs(argv) {
  const out = { port: null, url: null, screenshot: null, timeout: 60, expect: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--port') { out.port = Number(v); i++; }
    else if (a === '--url') { out.url = v; i++; }
    else if (a === '--screenshot') { out.screenshot = v; i++; }
    else if (a === '--timeout') { out.timeout = Number(v); i++; }
    else if (a === '--expect') {
      const m = /^([A-Za-z0-9._-]+)=(\d+)$/.exec(v ?? '');
      if (!m) usage(`--expect wants NAME=COUNT, got '${v}'`);
      out.expect.push({ name: m[1], count: Number(m[2]) });
      i++;
    } else usage(`unknown argument '${a}'`);
  }
  if (!out.port || !out.url || !out.screenshot || !(out.timeout > 0) || out.expect.length === 0) {
    usage('--port, --url, --screenshot and at least one --expect are required');
  }
  if (!out.url.endsWith('/')) out.url += '/';
  return out;
}

function usage(msg) {
  console.error(`ui-check.mjs: ${msg}`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- a minimal DevTools protocol client --------------------------------------------------
class Cdp {
  static async connect(port) {
    let targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    let page = targets.find((t) => t.type === 'page');
    if (!page) page = await (await fetch(`http://127.0.0.1:${port}/json/new?about:blank`, { method: 'PUT' })).json();
    if (typeof WebSocket !== 'function') throw new Error('this node has no WebSocket (needs Node 20+ with --experimental-websocket)');
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`cannot open ${page.webSocketDebuggerUrl}`));
    });
    return new Cdp(ws);
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 0;
    this.pending = new Map();
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      const waiter = msg.id && this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
      else waiter.resolve(msg.result);
    };
    ws.onclose = () => {
      for (const w of this.pending.values()) w.reject(new Error('the browser closed the connection'));
      this.pending.clear();
    };
  }

  send(method, params = {}, timeoutMs = 15000) {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async eval(expression) {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`page script failed: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  close() { this.ws.close(); }
}

// Polls fn (in real time: the UI never settles under a virtual-time budget) until it returns
// a truthy value; returns the last value either way.
async function pollUntil(fn, timeoutMs, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await fn();
    if (value || Date.now() >= deadline) return value;
    await sleep(everyMs);
  }
}

// ---- what the Consul 1.8 UI renders ----------------------------------------------------
// Services list: one <li> per service with <dl class="passing|warning|critical"> (the worst
// check of all its instances), a link to /ui/<dc>/services/<name>/instances and "N Instances".
const SERVICE_ROWS = `[...document.querySelectorAll('li')]
  .map(li => [li, li.querySelector('a[href]')])
  .filter(([li, a]) => a && /\\/services\\/[^/]+\\/instances$/.test(a.getAttribute('href')))
  .map(([li, a]) => {
    const m = /(\\d+)\\s+Instances?/i.exec(li.innerText);
    const dl = li.querySelector('dl');
    return { name: a.textContent.trim(), health: dl ? dl.className.trim() : '',
             instances: m ? Number(m[1]) : null };
  })`;
// Instances page: one <li> per instance with its id, "All service checks passing" (or what
// fails), "All node checks passing" and its address.
// (The virtual list also renders empty <li> spacers.)
const INSTANCE_ROWS = `[...document.querySelectorAll('.consul-service-instance-list li')]
  .filter(li => li.innerText.trim() !== '')
  .map(li => ({ text: li.innerText.trim(),
                unhealthy: li.querySelectorAll('dl.warning, dl.critical').length }))`;

const bodyText = (cdp) => cdp.eval('document.body ? document.body.innerText : ""');

async function checkServicesList(cdp) {
  const listUrl = `${args.url}dc1/services`;
  console.log(`open  ${listUrl}`);
  await cdp.send('Page.navigate', { url: listUrl });
  const names = args.expect.map((e) => e.name);
  const text = await pollUntil(async () => {
    const t = await bodyText(cdp).catch(() => '');
    return names.every((n) => t.includes(n)) ? t : null;
  }, args.timeout * 1000);
  if (!text) {
    const t = await bodyText(cdp).catch(() => '');
    fail(`the services list did not show ${names.join(', ')} within ${args.timeout} s; page text: ${JSON.stringify(t.slice(0, 300))}`);
    return [];
  }
  console.log(`      the services list shows ${names.join(', ')} after ${elapsed()}`);
  // Health and counts update from blocking queries: give the expected state a moment to appear.
  let rows = await pollUntil(async () => {
    const r = await cdp.eval(SERVICE_ROWS);
    const ok = args.expect.every((e) => r.some((s) => s.name === e.name && s.health === 'passing' && s.instances === e.count));
    return ok ? r : null;
  }, 10000);
  rows = rows || (await cdp.eval(SERVICE_ROWS));
  for (const e of args.expect) {
    const s = rows.find((r) => r.name === e.name);
    if (!s) { fail(`${e.name}: not in the services list`); continue; }
    const what = `${e.name}: ${s.instances ?? '?'} instance${s.instances === 1 ? '' : 's'}, health ${s.health || '(none)'}`;
    if (s.health === 'passing' && s.instances === e.count) pass(`${what} (services list)`);
    else fail(`${what} (services list; expected ${e.count} instances, health passing)`);
  }
  return rows;
}

async function screenshot(cdp) {
  const shot = await cdp.send('Page.captureScreenshot', { format: 'png' });
  mkdirSync(dirname(args.screenshot), { recursive: true });
  writeFileSync(args.screenshot, Buffer.from(shot.data, 'base64'));
  console.log(`      screenshot: ${args.screenshot}`);
}

async function checkInstances(cdp, e) {
  const url = `${args.url}dc1/services/${e.name}/instances`;
  await cdp.send('Page.navigate', { url });
  let rows = await pollUntil(async () => {
    const r = await cdp.eval(INSTANCE_ROWS).catch(() => []);
    return r.length === e.count && r.every((i) => /All service checks passing/.test(i.text) && i.unhealthy === 0) ? r : null;
  }, Math.min(args.timeout, 10) * 1000);
  rows = rows || (await cdp.eval(INSTANCE_ROWS).catch(() => []));
  const passing = rows.filter((i) => /All service checks passing/.test(i.text) && i.unhealthy === 0);
  const lines = rows.map((i) => {
    const t = i.text.split('\n').map((s) => s.trim()).filter(Boolean);
    const addr = t.find((s) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) ?? '?';
    return `${t[0]}  ${addr}  ${t.filter((s) => /checks? /.test(s)).join(', ')}`;
  });
  const what = `${e.name}: ${passing.length}/${rows.length} instances with all service checks passing (${url})`;
  if (rows.length === e.count && passing.length === e.count) pass(what);
  else fail(`${what}; expected ${e.count}`);
  for (const l of lines) console.log(`        ${l}`);
}

async function main() {
  let cdp;
  try {
    cdp = await Cdp.connect(args.port);
    await cdp.send('Page.enable');
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1200, height: 640, deviceScaleFactor: 1, mobile: false });
    const rows = await checkServicesList(cdp);
    await screenshot(cdp);
    if (rows.length > 0) {
      for (const e of args.expect) await checkInstances(cdp, e);
    }
  } catch (err) {
    console.log(`FAIL  the check could not run: ${err.message}`);
    if (cdp) cdp.close();
    process.exit(2);
  }
  cdp.close();
  console.log(failures === 0 ? `ui-check: all checks passed in ${elapsed()}` : `ui-check: ${failures} check(s) failed (${elapsed()})`);
  process.exit(failures === 0 ? 0 : 1);
}

await main();
