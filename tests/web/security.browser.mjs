// What keeps the chat page safe, checked in a real browser and on the wire: the page's headers
// (CSP with no inline script and connect-src naming the node's own ws origin, frame-ancestors,
// nosniff, ETag revalidation); hostile message texts, names and topics shown as literal text that
// runs nothing; the WebSocket's Origin check (403 for a foreign page, --allowed-origins to let it
// in); a private room refusing a non-member with the protocol's message; --web off.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { after, before, test } from 'node:test';

import { Node, cli, connected, launch, openPage, screenshot, sendFromPage, shownTexts, waitForText } from './harness.mjs';

let node;
let browser;
const pages = [];

before(async () => {
  node = await new Node().start();
  browser = await launch();
});

after(async () => {
  for (const p of pages) {
    assert.deepEqual(p.problems, [], 'console errors or page errors');
    assert.deepEqual(p.offsite, [], 'requests outside the node');
  }
  await browser?.close();
  await node?.close();
});

async function page(path, target = node) {
  const p = await openPage(browser, target, path);
  pages.push(p);
  return p;
}

function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// A WebSocket upgrade with the given Origin: the status the node answers (101 when accepted).
function upgrade(port, origin) {
  return new Promise((resolve, reject) => {
    const headers = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    if (origin) headers.Origin = origin;
    const req = request({ host: '127.0.0.1', port, path: '/ws', headers });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the page is served with a strict CSP, nosniff, frame-ancestors and an ETag', async () => {
  const res = await get(node.port, '/', { Host: `127.0.0.1:${node.port}` });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const csp = res.headers['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self';/, 'no inline script allowed');
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${node.port} wss://127\\.0\\.0\\.1:${node.port};`));
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.doesNotMatch(res.body, /<script>|<script [^>]*>[^<]|<style>| on[a-z]+=/i, 'no inline script or style');
  const js = await get(node.port, '/app.js');
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  const again = await get(node.port, '/app.js', { 'If-None-Match': js.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal((await get(node.port, '/nothing-here.js')).status, 404);
});

test('hostile texts, names and topics render as literal text and run nothing', async () => {
  const hostile = [
    '<img src=x onerror="window.pwned=1">',
    '<a href="javascript:window.pwned=2">click me</a>',
    '<script>window.pwned=3</script>',
    'javascript:window.pwned=4',
  ];
  const alice = await page('/?user=alice#lobby');
  const bob = await page('/?user=bob#lobby');
  await Promise.all([connected(alice), connected(bob)]);
  await sendFromPage(alice, hostile[0]);
  await sendFromPage(alice, hostile[1]);
  await cli(['send', '-u', node.ws, '--as', 'carol', '-c', 'lobby', hostile[2]]);
  await cli(['send', '-u', node.ws, '--as', 'carol', '-c', 'lobby', hostile[3]]);
  await cli(['admin', 'channel', 'topic', 'lobby', '<b onmouseover="window.pwned=5">topic</b>', '-u', node.ws]);
  await waitForText(bob, hostile[3]);
  await bob.locator('#topic', { hasText: '<b onmouseover' }).waitFor();
  assert.deepEqual(await shownTexts(bob), hostile);
  for (const p of [alice, bob]) {
    assert.equal(await p.locator('#messages img, #messages a, #messages script, #topic b').count(), 0);
    await p.locator('#messages .message .text').last().click();
    await p.locator('#topic').hover();
    assert.equal(await p.evaluate(() => window.pwned), undefined);
  }
  await screenshot(bob, 'hostile-texts');
});

test('a WebSocket from a foreign origin is refused with 403 and --allowed-origins lets it in', async () => {
  assert.equal(await upgrade(node.port, null), 101, 'no Origin (the CLI) passes');
  assert.equal(await upgrade(node.port, node.origin), 101, 'the node own origin passes');
  assert.equal(await upgrade(node.port, 'http://evil.example'), 403);
  assert.equal(await upgrade(node.port, 'null'), 403);

  // A page of another origin (a plain HTTP server of this test, on loopback too: Chromium blocks
  // pages it cannot place from reaching loopback at all) tries to open this node's WebSocket, then
  // one of a node that lists its origin.
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const foreignOrigin = `http://127.0.0.1:${server.address().port}`;
  const lenient = await new Node(['--allowed-origins', foreignOrigin]).start();
  const context = await browser.newContext();
  try {
    const foreign = await context.newPage();
    await foreign.goto(`${foreignOrigin}/`);
    const tryOpen = (url) =>
      foreign.evaluate(
        (u) =>
          new Promise((resolve) => {
            const ws = new WebSocket(u, 'chatctl.v1');
            ws.onopen = () => {
              ws.close();
              resolve('open');
            };
            ws.onerror = () => resolve('refused');
          }),
        url,
      );
    assert.equal(await tryOpen(`${node.ws}/ws`), 'refused');
    assert.equal(await tryOpen(`${lenient.ws}/ws`), 'open');
    assert.equal(await upgrade(lenient.port, foreignOrigin), 101);
    assert.equal(await upgrade(lenient.port, 'http://evil.example'), 403);
    assert.equal(await upgrade(lenient.port, lenient.origin), 101, 'its own origin still passes');
  } finally {
    await context.close();
    await lenient.close();
    server.close();
  }
});

test('a private room refuses a non-member with the protocol message', async () => {
  await cli(['admin', 'channel', 'create', 'staff', '--private', '--owner', 'alice', '-u', node.ws]);
  const alice = await page('/?user=alice#staff');
  const mallory = await page('/?user=mallory#staff');
  await Promise.all([connected(alice), connected(mallory)]);
  await sendFromPage(alice, 'staff only');
  await waitForText(alice, 'staff only');
  await mallory.locator('#problem', { hasText: "forbidden: not a member of channel 'staff'" }).waitFor();
  assert.equal(await mallory.locator('text=staff only').count(), 0);
  await screenshot(mallory, 'private-room-refused');
});

test('--web off serves no page', async () => {
  const dark = await new Node(['--web', 'off']).start();
  try {
    assert.equal((await get(dark.port, '/')).status, 404);
    assert.equal((await get(dark.port, '/healthz')).status, 200);
  } finally {
    await dark.close();
  }
});
