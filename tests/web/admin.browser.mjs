// A node with a secret: logging in on the page with a token, the admin view for a token with
// `admin` (nodes, stats, users, bans; a ban from the page), and no Admin button for a plain user.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Node, cli, connected, launch, openPage, screenshot, sendFromPage, waitForText } from './harness.mjs';

let node;
let browser;
let secret;
const pages = [];

before(async () => {
  const probe = new Node();
  secret = join(probe.dir, 'secret');
  writeFileSync(secret, 'a test secret of more than sixteen bytes\n');
  probe.args = ['--secret-file', secret];
  node = await probe.start();
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

async function token(user, admin) {
  const args = ['admin', 'token', '--user', user, '--secret-file', secret];
  if (admin) args.push('--admin');
  return (await cli(args)).trim();
}

async function loginWithToken(t) {
  const p = await openPage(browser, node, '/#general');
  pages.push(p);
  await p.locator('#login-token').fill(t);
  await p.locator('#login-token').press('Enter');
  await connected(p);
  return p;
}

test('a token login chats, and a plain user gets no admin view', async () => {
  const bob = await loginWithToken(await token('bob', false));
  await sendFromPage(bob, 'bob with a token');
  await waitForText(bob, 'bob with a token');
  assert.equal(await bob.locator('#admin-button').isVisible(), false);
});

test('a password login keeps the returned token in sessionStorage and a reload uses it', async () => {
  const admin = await token('ops', true);
  await cli(['admin', 'user', 'add', 'hanna', '--password-stdin', '-u', node.ws, '--token', admin], 'a long enough password\n');
  const p = await openPage(browser, node, '/#general');
  pages.push(p);
  await p.locator('#login-user').fill('hanna');
  await p.locator('#login-password').fill('a long enough password');
  await p.locator('#login-password').press('Enter');
  await connected(p);
  const kept = await p.evaluate(() => sessionStorage.getItem('chatctl.token'));
  assert.match(kept, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
  await p.reload();
  await connected(p);
  assert.equal(await p.locator('#whoami').textContent(), 'hanna @ node n0');
  await sendFromPage(p, 'hanna after a reload');
  await waitForText(p, 'hanna after a reload');
});

test('an admin token opens the admin view with nodes, stats, users and bans, and bans from it', async () => {
  const ops = await loginWithToken(await token('ops', true));
  await ops.locator('#admin-button').click();
  await ops.locator('#admin-content table').first().waitFor();
  const headings = await ops.$$eval('#admin-content h2', (hs) => hs.map((h) => h.textContent));
  assert.deepEqual(headings, ['Nodes', 'Stats', 'Users', 'Cluster bans']);
  await ops.locator('#admin-content td', { hasText: 'messages_accepted' }).waitFor();
  await ops.locator('#ban-user').fill('mallory');
  await ops.locator('#ban-button').click();
  await ops.locator('#admin-content td', { hasText: 'mallory' }).first().waitFor();
  await screenshot(ops, 'admin-view');
  await ops.locator('#ban-user').fill('mallory');
  await ops.locator('#unban-button').click();
  await ops.waitForFunction(() => ![...document.querySelectorAll('#admin-content section:last-child td')].some((td) => td.textContent === 'mallory'));
  await ops.locator('#room-list button').first().click();
  assert.equal(await ops.locator('#admin-view').isVisible(), false);
});
