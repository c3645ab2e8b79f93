// The chat page in a real browser against a real node: two pages chat with each other and with
// `chatctl send` / `tail`; a sent line is pending, then acked; history pages in as the user
// scrolls up; a DM is seen by its two users only; the page works at phone width. Every page ends
// with no console error and no request outside the node's origin. Screenshots go to ARTIFACT_DIR.
import assert from 'node:assert/strict';
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

async function page(path, options) {
  const p = await openPage(browser, node, path, options);
  pages.push(p);
  return p;
}

test('two pages chat with each other and with chatctl send and tail', async () => {
  const alice = await page('/?user=alice#general');
  const bob = await page('/?user=bob#general');
  await connected(alice);
  await connected(bob);
  assert.equal(await alice.evaluate(() => document.activeElement.id), 'text', 'the message box has focus');

  await sendFromPage(alice, 'hello from alice');
  await waitForText(bob, 'hello from alice');
  await sendFromPage(bob, 'hi alice,\nfrom bob');
  await waitForText(alice, 'from bob');
  assert.equal(await alice.locator('#outbox .message').count(), 0, 'nothing left pending');
  assert.equal(await alice.locator('#messages .message.mine').count(), 1);

  await cli(['send', '-u', node.ws, '--as', 'carol', '-c', 'general', 'carol from the CLI']);
  await waitForText(alice, 'carol from the CLI');
  await waitForText(bob, 'carol from the CLI');
  const tail = await cli(['tail', '-u', node.ws, '--as', 'dave', '-c', 'general', '-n', '10']);
  assert.match(tail, /hello from alice/);
  assert.match(tail, /from bob/);
  assert.deepEqual(await shownTexts(bob), ['hello from alice', 'hi alice,\nfrom bob', 'carol from the CLI']);
  await alice.locator('#presence li', { hasText: 'bob' }).waitFor();
  await screenshot(alice, 'chat-desktop');
  await screenshot(bob, 'chat-desktop-bob');
});

test('a sent line shows pending until its ack and failed when refused', async () => {
  const erin = await page('/?user=erin#general');
  await connected(erin);
  // Past the node's text limit: refused with too_large, kept on the page as failed.
  await sendFromPage(erin, 'x'.repeat(5000));
  await erin.locator('#outbox .message.failed').waitFor();
  assert.match(await erin.locator('#outbox .message.failed .state').textContent(), /failed/);
  await erin.locator('#outbox .message.failed button').click();
  assert.equal(await erin.locator('#outbox .message').count(), 0);
  // A pending line is on the page at once; the ack turns it into a message of the room.
  await erin.evaluate(() => {
    window.sawPending = false;
    new MutationObserver(() => {
      if (document.querySelector('#outbox .message.pending')) window.sawPending = true;
    }).observe(document.getElementById('outbox'), { childList: true, subtree: true });
  });
  await sendFromPage(erin, 'acked soon');
  await waitForText(erin, 'acked soon');
  assert.equal(await erin.evaluate(() => window.sawPending), true);
  assert.equal(await erin.locator('#outbox .message').count(), 0);
  await screenshot(erin, 'chat-failed-and-acked');
});

test('history pages in as the user scrolls up', async () => {
  const lines = Array.from({ length: 130 }, (_, i) => `old line ${String(i).padStart(3, '0')}`);
  await cli(['send', '-u', node.ws, '--as', 'carol', '-c', 'archive'], `${lines.join('\n')}\n`);
  const alice = await page('/?user=alice#archive');
  await connected(alice);
  await waitForText(alice, 'old line 129');
  assert.equal((await shownTexts(alice)).length, 50, 'the newest 50 first');
  for (let i = 0; i < 20 && (await shownTexts(alice)).length < 130; i += 1) {
    await alice.locator('#scroller').evaluate((e) => {
      e.scrollTop = 0;
      e.dispatchEvent(new Event('scroll'));
    });
    await alice.waitForTimeout(200);
  }
  assert.deepEqual(await shownTexts(alice), lines);
  await screenshot(alice, 'history-paged');
});

test('a DM is seen by its two users only', async () => {
  const alice = await page('/?user=alice#general');
  const bob = await page('/?user=bob#general');
  const carol = await page('/?user=carol#general');
  await Promise.all([connected(alice), connected(bob), connected(carol)]);
  await alice.locator('#dm-name').fill('bob');
  await alice.locator('#dm-name').press('Enter');
  await sendFromPage(alice, 'psst, bob only');
  await waitForText(alice, 'psst, bob only');
  // Bob's list gains the DM, with its unread count, without joining anything; opening it shows
  // the line.
  await bob.locator('#dm-list button', { hasText: '@alice' }).locator('.badge', { hasText: '1' }).waitFor();
  await bob.locator('#dm-list button', { hasText: '@alice' }).click();
  await waitForText(bob, 'psst, bob only');
  await bob.waitForTimeout(300);
  assert.equal(await carol.locator('#dm-list button').count(), 0);
  // Carol asking for their DM channel is refused, and sees nothing of it.
  await carol.evaluate(() => {
    location.hash = '#dm:alice:bob';
  });
  await carol.locator('#problem', { hasText: 'forbidden' }).waitFor();
  assert.equal(await carol.locator('text=psst').count(), 0);
  await screenshot(bob, 'dm-bob');
  await screenshot(carol, 'dm-carol-refused');
});

test('edits, reactions and deletes of a message show live on the other page', async () => {
  const alice = await page('/?user=alice#changes');
  const bob = await page('/?user=bob#changes');
  await Promise.all([connected(alice), connected(bob)]);
  await sendFromPage(alice, 'first draft');
  await waitForText(bob, 'first draft');
  const mine = alice.locator('#messages .message', { hasText: 'first draft' });
  alice.once('dialog', (d) => d.accept('second draft'));
  await mine.getByRole('button', { name: 'Edit message' }).click();
  await bob.locator('#messages .message', { hasText: 'second draft' }).locator('.edited').waitFor();
  assert.equal(await bob.locator('#messages .message', { hasText: 'second draft' }).getByRole('button', { name: 'Edit message' }).count(), 0, 'no edit on the messages of others');
  await bob.locator('#messages .message', { hasText: 'second draft' }).getByRole('button', { name: 'React with 👍' }).click();
  await alice.locator('#messages .message .reactions button', { hasText: '1' }).waitFor();
  await screenshot(alice, 'changes-edited-and-reacted');
  await alice.locator('#messages .message', { hasText: 'second draft' }).getByRole('button', { name: 'Delete message' }).click();
  await bob.locator('#messages .message.deleted').waitFor();
  assert.equal(await bob.locator('text=second draft').count(), 0);
});

test('presence shows who joins and who leaves, live', async () => {
  const alice = await page('/?user=alice#lounge');
  await connected(alice);
  const gina = await page('/?user=gina#lounge');
  await connected(gina);
  await alice.locator('#presence li', { hasText: 'gina' }).waitFor();
  await gina.close();
  pages.splice(pages.indexOf(gina), 1);
  await alice.locator('#presence li', { hasText: 'gina' }).waitFor({ state: 'detached' });
});

test('a user logs in, creates a room and writes a two-line message by typing and Enter', async () => {
  const kim = await page('/');
  await kim.keyboard.type('kim'); // the user name box has focus
  await kim.keyboard.press('Enter');
  await connected(kim);
  await kim.keyboard.type('hello general from the keyboard');
  await kim.keyboard.press('Enter');
  await waitForText(kim, 'hello general from the keyboard');
  await kim.locator('#join-name').focus();
  await kim.keyboard.type('keyboard-room');
  await kim.keyboard.press('Enter');
  await kim.locator('#room-title', { hasText: '#keyboard-room' }).waitFor();
  assert.equal(await kim.evaluate(() => document.activeElement.id), 'text');
  await kim.keyboard.type('first line');
  await kim.keyboard.press('Shift+Enter');
  await kim.keyboard.type('second line');
  await kim.keyboard.press('Enter');
  await waitForText(kim, 'second line');
  assert.deepEqual(await shownTexts(kim), ['first line\nsecond line']);
  assert.equal(await kim.locator('#room-list button').count(), 2);
});

test('the page works at phone width, and in dark mode', async () => {
  const phone = await page('/?user=frank#general', { viewport: { width: 390, height: 780 } });
  await connected(phone);
  await waitForText(phone, 'hello from alice');
  assert.equal(await phone.locator('#sidebar').isVisible(), false, 'the rooms list folds away');
  await phone.locator('#menu-button').click();
  assert.equal(await phone.locator('#sidebar').isVisible(), true);
  await phone.locator('#menu-button').click();
  await sendFromPage(phone, 'from a phone');
  await waitForText(phone, 'from a phone');
  await screenshot(phone, 'chat-phone');
  const dark = await page('/?user=frank#general', { colorScheme: 'dark' });
  await connected(dark);
  await waitForText(dark, 'from a phone');
  const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(21, 23, 27)', 'the dark palette');
  await screenshot(dark, 'chat-desktop-dark');
});
