// Unit tests of the page's protocol code (web/protocol.js and web/client.js) with Node's own test
// runner: splitting batched frames, ids compared as 64-bit decimals, the outbox's pending/acked/
// failed states, the resume cursor, and a ChatClient driven through a fake transport.
// Run: node --test tests/web/protocol.test.mjs (ctest does).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ChatClient } from '../../web/client.js';
import { Cursor, MessageLog, Outbox, compareIds, dmChannel, dmPeer, formatCursor, parseCursor, splitFrame } from '../../web/protocol.js';

test('a batched frame splits into its objects, in order', () => {
  const frame = '{"type":"msg","id":"1"}\n{"type":"msg","id":"2"}\n{"type":"ack","ref":3}';
  const { objects, errors } = splitFrame(frame);
  assert.deepEqual(objects.map((o) => o.type), ['msg', 'msg', 'ack']);
  assert.equal(errors.length, 0);
});

test('empty lines are skipped and a line that is not an object is reported, not thrown', () => {
  const { objects, errors } = splitFrame('\n{"type":"pong"}\n\n[1,2]\nnot json\n"text"\n');
  assert.deepEqual(objects, [{ type: 'pong' }]);
  assert.deepEqual(errors, ['[1,2]', 'not json', '"text"']);
});

test('ids compare as 64-bit numbers, beyond what a JavaScript number holds exactly', () => {
  assert.equal(compareIds('9007199254740993', '9007199254740992'), 1);
  assert.equal(compareIds('7262352354123776001', '7262352354123776001'), 0);
  assert.equal(compareIds('99', '100'), -1);
});

test('a DM channel names its two users sorted, and each sees the other as its peer', () => {
  assert.equal(dmChannel('bob', 'alice'), 'dm:alice:bob');
  assert.equal(dmPeer('dm:alice:bob', 'alice'), 'bob');
  assert.equal(dmPeer('dm:alice:bob', 'bob'), 'alice');
  assert.equal(dmPeer('dm:alice:bob', 'carol'), null);
  assert.equal(dmPeer('general', 'alice'), null);
});

test('the cursor resumes after the newest id seen, and asks for the last ones before any', () => {
  const c = new Cursor();
  assert.deepEqual(c.joinFields('general', 50), { last: 50 });
  c.observe('general', '10000000000000000002');
  c.observe('general', '10000000000000000001'); // an older one arriving late moves nothing
  assert.deepEqual(c.joinFields('general'), { since: '10000000000000000002' });
  assert.deepEqual(c.joinFields('other', 20), { last: 20 });
});

test('with the node\'s cursor a join resumes per origin, whatever the ids say', () => {
  const c = new Cursor();
  c.joined('general', { cursor: '1.10,2.7' });
  c.observe('general', '10000000000000000009', 2, 8);
  c.observe('general', '10000000000000000003', 1, 11); // a lower id from a slower clock counts
  c.observe('general', '10000000000000000001', 1, 4); // an old one (history) moves nothing back
  assert.deepEqual(c.joinFields('general'), { cursor: '1.11,2.8' });
  c.joined('general', {}); // a node that gives no cursor: since the newest id from now on
  assert.deepEqual(c.joinFields('general'), { since: '10000000000000000009' });
  c.joined('other', { cursor: '3.1' });
  c.observe('other', '10000000000000000010'); // a msg without origin and seq
  assert.deepEqual(c.joinFields('other'), { since: '10000000000000000010' });
  c.forget('general');
  assert.deepEqual(c.joinFields('general', 20), { last: 20 });
  assert.equal(parseCursor('1.x'), null);
  assert.equal(formatCursor(parseCursor('')), '');
  assert.equal(formatCursor(new Map([[5, 1], [2, 9]])), '2.9,5.1');
});

test('a send is queued, pending once on the wire, and leaves the outbox when acked', () => {
  const o = new Outbox();
  const e = o.add(1, { channel: 'general' }, 'hi');
  assert.equal(e.state, 'queued');
  assert.equal(o.queued().length, 1);
  o.sent(1);
  assert.equal(e.state, 'pending');
  assert.equal(o.ack(1, '42').state, 'acked');
  assert.equal(o.forChannel('general').length, 0);
});

test('a refused send is marked failed with the node error and stays until dismissed', () => {
  const o = new Outbox();
  o.add(7, { channel: 'staff' }, 'x');
  o.sent(7);
  o.fail(7, { code: 'forbidden', message: 'not a member' });
  const [e] = o.forChannel('staff');
  assert.equal(e.state, 'failed');
  assert.equal(e.error.code, 'forbidden');
  o.remove(7);
  assert.equal(o.forChannel('staff').length, 0);
});

test('after a reconnect a pending send found in the replay is acked and one not found is sent again', () => {
  const o = new Outbox();
  o.add(1, { channel: 'g' }, 'committed before the crash');
  o.add(2, { channel: 'g' }, 'lost with the crash');
  o.sent(1);
  o.sent(2);
  o.settleAfterReconnect((e) => (e.text.startsWith('committed') ? '77' : null));
  assert.equal(o.entries.has(1), false);
  assert.deepEqual(o.queued().map((e) => e.ref), [2]);
});

test('the message log keeps id order and shows a message delivered twice once', () => {
  const log = new MessageLog();
  assert.equal(log.add({ id: '3', text: 'c' }), true);
  assert.equal(log.add({ id: '1', text: 'a' }), true);
  assert.equal(log.add({ id: '2', text: 'b' }), true);
  assert.equal(log.add({ id: '2', text: 'b' }), false);
  assert.deepEqual(log.messages().map((m) => m.text), ['a', 'b', 'c']);
  assert.equal(log.oldest(), '1');
});

// A fake transport: what the client writes, and frames the test makes the node say.
function connect(client) {
  const sent = [];
  client.connected((text) => sent.push(JSON.parse(text)));
  return sent;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a client rejoins from its cursor after a reconnect and shows nothing twice', async () => {
  const client = new ChatClient({ user: 'alice' });
  let sent = connect(client);
  assert.deepEqual(sent[0], { type: 'hello', user: 'alice' });
  client.receive('{"type":"welcome","user":"alice","node":"1","protocol":1}');
  const joining = client.join('general');
  const join = sent.find((m) => m.type === 'join');
  assert.equal(join.last, 50);
  client.receive(
    JSON.stringify({ type: 'joined', ref: join.ref, channel: 'general', messages: [{ id: '5', channel: 'general', from: 'bob', text: 'one' }] }) +
      '\n' +
      JSON.stringify({ type: 'msg', id: '6', channel: 'general', from: 'bob', text: 'two' }),
  );
  await joining;
  client.disconnected();
  sent = connect(client);
  client.receive('{"type":"welcome","user":"alice","node":"1","protocol":1}');
  await tick();
  const rejoin = sent.find((m) => m.type === 'join');
  assert.equal(rejoin.since, '6');
  client.receive(
    JSON.stringify({ type: 'joined', ref: rejoin.ref, channel: 'general', messages: [{ id: '6', channel: 'general', from: 'bob', text: 'two' }, { id: '7', channel: 'general', from: 'bob', text: 'three' }] }),
  );
  await tick();
  assert.deepEqual(client.channel('general').log.messages().map((m) => m.text), ['one', 'two', 'three']);
});

test('a line typed while offline is queued and sent once the session is back', async () => {
  const client = new ChatClient({ user: 'alice' });
  const entry = client.send({ channel: 'general' }, 'typed offline');
  assert.equal(entry.state, 'queued');
  const sent = connect(client);
  client.receive('{"type":"welcome","user":"alice","node":"1","protocol":1}');
  await tick();
  const send = sent.find((m) => m.type === 'send');
  assert.equal(send.text, 'typed offline');
  assert.equal(entry.state, 'pending');
  client.receive(JSON.stringify({ type: 'ack', ref: send.ref, id: '9', channel: 'general', ts: 1 }));
  assert.equal(entry.state, 'acked');
  assert.equal(client.channel('general').log.get('9').text, 'typed offline');
});
