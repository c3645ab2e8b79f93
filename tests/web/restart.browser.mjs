// The node restarted under two chatting pages: the pages reconnect by themselves (back-off),
// resume each room from the newest id they saw, and send what was typed while the node was down;
// afterwards every line is on both pages exactly once, nothing lost, nothing doubled. Once with a
// graceful stop (SIGTERM) and once with SIGKILL. And a page given two nodes (?nodes=) that moves
// to the second when the first goes away.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Node, cli, connected, freePort, launch, openPage, screenshot, sendFromPage, shownTexts, waitForText } from './harness.mjs';

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

async function page(path) {
  const p = await openPage(browser, node, path);
  // Chromium logs a failed reconnect to the console; that one is what this test provokes.
  p.allowedConsole.push(/WebSocket connection to .* failed/);
  pages.push(p);
  return p;
}

async function restartAround(signal, room) {
  const alice = await page(`/?user=alice#${room}`);
  const bob = await page(`/?user=bob#${room}`);
  await Promise.all([connected(alice), connected(bob)]);
  const expected = [];
  for (let i = 0; i < 3; i += 1) {
    const text = `before ${i}`;
    await sendFromPage(i % 2 === 0 ? alice : bob, text);
    expected.push(text);
    await waitForText(alice, text);
    await waitForText(bob, text);
  }

  await node.stop(signal);
  await alice.locator('#status:not(.connected)').waitFor();
  // Typed while the node is down: queued on the page, sent once it is back.
  await sendFromPage(alice, 'typed while down');
  await alice.locator('#outbox .message', { hasText: 'typed while down' }).waitFor();
  await node.start(); // same port, same data
  // Sent by someone else while the pages are still away: the resume must bring it.
  await cli(['send', '-u', node.ws, '--as', 'carol', '-c', room, 'while they were away']);
  await Promise.all([connected(alice, 30000), connected(bob, 30000)]);
  expected.push('typed while down', 'while they were away');
  await sendFromPage(bob, 'after the restart');
  expected.push('after the restart');
  for (const p of [alice, bob]) {
    await waitForText(p, 'after the restart', 15000);
    await waitForText(p, 'typed while down', 15000);
    await waitForText(p, 'while they were away', 15000);
  }
  for (const p of [alice, bob]) {
    const texts = await shownTexts(p);
    assert.deepEqual([...texts].sort(), [...expected].sort(), 'every line once');
    assert.equal(await p.locator('#outbox .message').count(), 0, 'nothing left pending');
  }
  return alice;
}

test('a node stopped and restarted mid-chat loses nothing and doubles nothing on the pages', async () => {
  const alice = await restartAround('SIGTERM', 'general');
  await screenshot(alice, 'restart-sigterm');
});

test('a node killed with SIGKILL mid-chat loses nothing and doubles nothing on the pages', async () => {
  const alice = await restartAround('SIGKILL', 'crashy');
  await screenshot(alice, 'restart-sigkill');
});

test('a page given two nodes fails over to the second when the first goes away', async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  const a = new Node(['--allowed-origins', `http://127.0.0.1:${portB}`]);
  const b = new Node(['--allowed-origins', `http://127.0.0.1:${portA}`]);
  a.port = portA;
  b.port = portB;
  await a.start();
  await b.start();
  try {
    const p = await openPage(browser, a, `/?user=ivan&nodes=${a.ws}/ws,${b.ws}/ws#general`);
    p.allowedConsole.push(/WebSocket connection to .* failed/);
    p.offsite.length = 0;
    await connected(p);
    await sendFromPage(p, 'on the first node');
    await waitForText(p, 'on the first node');
    await a.stop('SIGKILL');
    await p.locator('#status:not(.connected)').waitFor();
    await connected(p, 30000);
    await cli(['send', '-u', b.ws, '--as', 'judy', '-c', 'general', 'judy on the second node']);
    await waitForText(p, 'judy on the second node');
    await sendFromPage(p, 'ivan on the second node');
    await waitForText(p, 'ivan on the second node');
    assert.equal(await p.locator('#outbox .message').count(), 0);
    assert.deepEqual(p.problems, []);
    // Its connections went to the two nodes it was given and nowhere else.
    assert.deepEqual(p.offsite.filter((u) => !u.startsWith(`${b.ws}/`)), []);
    await screenshot(p, 'failover');
  } finally {
    await a.close();
    await b.close();
  }
});
