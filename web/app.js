// The chat page: login, the rooms and DMs list, the open room's messages, the composer and the
// presence list, drawn from a ChatClient's state. Every text that came over the wire (messages,
// names, topics) is put in the page with textContent, never parsed as HTML.
//
// URL: /?user=NAME#ROOM logs in as NAME (open mode) and opens ROOM; #ROOM alone opens it after
// login; ?nodes=ws://a/ws,ws://b/ws lists the nodes to fail over between (default: this node).

import { drawAdmin, tokenClaims, wireAdmin } from './admin.js';
import { ChatClient } from './client.js';
import { dmChannel, dmPeer } from './protocol.js';
import { Transport } from './transport.js';

const $ = (id) => document.getElementById(id);
const kTokenKey = 'chatctl.token';
const kNamePattern = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

let client = null;
let transport = null;
let current = null; // the open channel's name

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function nodeUrls() {
  const listed = new URLSearchParams(location.search).get('nodes');
  if (listed) return listed.split(',').filter((u) => /^wss?:\/\//.test(u));
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return [`${scheme}//${location.host}/ws`];
}

function roomFromHash() {
  const name = decodeURIComponent(location.hash.slice(1));
  return name !== '' ? name : null;
}

function showProblem(text) {
  $('problem').textContent = text || '';
}

// --- login -------------------------------------------------------------------------------------

function start(login) {
  client = new ChatClient(login);
  client.on('token', (t) => sessionStorage.setItem(kTokenKey, t));
  client.on('state', (s) => {
    if (s === 'connected') {
      $('login-view').hidden = true;
      $('chat-view').hidden = false;
      $('whoami').textContent = `${client.user} @ node ${client.node}`;
      // Next time, the session's token rather than the password.
      if (client.login.password) client.login = { token: sessionStorage.getItem(kTokenKey) || '' };
      $('admin-button').hidden = !tokenClaims(adminToken()).admin;
      if (!current) open(roomFromHash() || 'general');
    }
    drawComposer();
  });
  client.on('channels', drawChannels);
  client.on('joined', (name) => name === current && drawMessages(false));
  client.on('messages', (name, live) => {
    if (name === current) {
      client.channel(name).unread = 0;
      drawMessages(live);
    }
    drawChannels();
  });
  client.on('history', (name) => name === current && drawMessages(false, true));
  client.on('changed', (name) => name === current && drawMessages(false));
  client.on('outbox', (name) => name === current && drawOutbox());
  client.on('presence', (name) => name === current && drawPresence());
  client.on('topic', (name) => name === current && drawTopic());
  client.on('problem', showProblem);
  transport = new Transport(nodeUrls(), client, (state, detail) => {
    const s = $('status');
    s.textContent = state === 'connecting' ? 'connecting…' : state === 'waiting' ? 'reconnecting…' : state;
    s.title = detail || '';
    s.className = `status ${state}`;
    if (state === 'refused') {
      sessionStorage.removeItem(kTokenKey);
      $('chat-view').hidden = true;
      $('login-view').hidden = false;
      $('login-error').textContent = `refused: ${detail}`;
    }
  });
  client.on('state', (s) => {
    if (s !== 'connected') return;
    $('status').textContent = 'connected';
    $('status').className = 'status connected';
  });
  transport.start();
}

// The token the admin API gets: the one logged in with, or the one a password login returned.
function adminToken() {
  return (client && client.login.token) || sessionStorage.getItem(kTokenKey) || '';
}

function toggleAdmin(show) {
  $('admin-view').hidden = !show;
  $('chat-view').classList.toggle('admin-open', show);
  $('admin-button').setAttribute('aria-expanded', String(show));
  if (show) drawAdmin(adminToken());
}

function loginFromForm(event) {
  event.preventDefault();
  const user = $('login-user').value.trim().toLowerCase();
  const password = $('login-password').value;
  const token = $('login-token').value.trim();
  $('login-error').textContent = '';
  if (token) start({ token });
  else if (user && password) start({ user, password });
  else if (user) start({ user });
  else $('login-error').textContent = 'a user name, or a token';
}

// --- rooms -------------------------------------------------------------------------------------

function label(name) {
  const peer = client ? dmPeer(name, client.user) : null;
  return peer ? `@${peer}` : `#${name}`;
}

function open(name) {
  toggleAdmin(false);
  current = name;
  const c = client.channel(name);
  c.unread = 0;
  if (!dmPeer(name, client.user)) history.replaceState(null, '', `#${encodeURIComponent(name)}`);
  $('room-title').textContent = label(name);
  $('sidebar').classList.remove('open');
  $('menu-button').setAttribute('aria-expanded', 'false');
  showProblem('');
  client.join(name).catch((e) => showProblem(`${e.code}: ${e.message}`));
  drawChannels();
  drawMessages(false);
  drawOutbox();
  drawPresence();
  drawTopic();
  drawComposer();
  $('text').focus();
}

function drawChannels() {
  if (!client) return;
  const rooms = $('room-list');
  const dms = $('dm-list');
  rooms.replaceChildren();
  dms.replaceChildren();
  for (const c of client.sortedChannels()) {
    const button = el('button');
    button.type = 'button';
    button.dataset.channel = c.name;
    button.append(el('span', 'name', label(c.name)));
    if (c.unread > 0 && c.name !== current) {
      const badge = el('span', 'badge', String(c.unread));
      badge.setAttribute('aria-label', `${c.unread} unread`);
      button.append(badge);
    }
    if (c.name === current) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => open(c.name));
    const li = el('li');
    li.append(button);
    (dmPeer(c.name, client.user) ? dms : rooms).append(li);
  }
}

// --- messages ----------------------------------------------------------------------------------

function time(ts) {
  return ts ? new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

function messageItem(m) {
  const mine = m.from === client.user;
  const li = el('li', `message${mine ? ' mine' : ''}${m.deleted ? ' deleted' : ''}`);
  li.dataset.id = m.id;
  const meta = el('div', 'meta');
  meta.append(el('span', 'from', m.from), el('time', 'ts', time(m.ts)));
  if (m.edited_ts) meta.append(el('span', 'edited', '(edited)'));
  if (!m.deleted) {
    const role = client.channel(current).role;
    const actions = el('span', 'actions');
    const thumbs = (m.reactions || {})['👍'] || [];
    actions.append(action('👍', thumbs.includes(client.user) ? 'Take back your 👍' : 'React with 👍', () => toggleReaction(m, '👍')));
    if (mine) actions.append(action('edit', 'Edit message', () => editMessage(m)));
    if (mine || role === 'owner' || role === 'admin') {
      actions.append(action('delete', 'Delete message', () => client.remove(current, m.id).catch((e) => showProblem(e.message))));
    }
    meta.append(actions);
  }
  li.append(meta, el('div', 'text', m.deleted ? 'message deleted' : m.text));
  const reactions = Object.entries(m.reactions || {}).filter(([, users]) => users.length > 0);
  if (reactions.length > 0) {
    const row = el('div', 'reactions');
    for (const [emoji, users] of reactions) {
      const b = action(`${emoji} ${users.length}`, users.join(', '), () => toggleReaction(m, emoji));
      row.append(b);
    }
    li.append(row);
  }
  return li;
}

function action(text, title, fn) {
  const b = el('button', '', text);
  b.type = 'button';
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', fn);
  return b;
}

function toggleReaction(m, emoji) {
  const on = !((m.reactions || {})[emoji] || []).includes(client.user);
  client.react(current, m.id, emoji, on).catch((e) => showProblem(e.message));
}

function editMessage(m) {
  const text = prompt('Edit message', m.text);
  if (text !== null && text !== m.text) client.edit(current, m.id, text).catch((e) => showProblem(e.message));
}

function drawMessages(live, keepTop) {
  if (!client || !current) return;
  const scroller = $('scroller');
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  const fromBottom = scroller.scrollHeight - scroller.scrollTop;
  const c = client.channel(current);
  $('messages').replaceChildren(...c.log.messages().map(messageItem));
  $('older').hidden = !c.more || c.log.oldest() === null;
  if (keepTop) scroller.scrollTop = scroller.scrollHeight - fromBottom; // stay where the user was
  else if (atBottom || !live) scroller.scrollTop = scroller.scrollHeight;
}

function drawOutbox() {
  if (!client || !current) return;
  const items = client.outbox.forChannel(current).map((e) => {
    const li = el('li', `message mine ${e.state}`);
    li.dataset.ref = String(e.ref);
    const meta = el('div', 'meta');
    const state =
      e.state === 'failed' ? `failed: ${e.error.message}` : e.state === 'queued' ? 'waiting for the connection…' : 'sending…';
    meta.append(el('span', 'from', client.user), el('span', 'state', state));
    if (e.state === 'failed') {
      meta.append(action('dismiss', 'Dismiss this failed message', () => {
        client.outbox.remove(e.ref);
        drawOutbox();
      }));
    }
    li.append(meta, el('div', 'text', e.text));
    return li;
  });
  $('outbox').replaceChildren(...items);
  $('scroller').scrollTop = $('scroller').scrollHeight;
}

function drawPresence() {
  if (!client || !current) return;
  const users = [...client.channel(current).presence].sort();
  $('presence').replaceChildren(...users.map((u) => el('li', '', u)));
}

function drawTopic() {
  if (!client || !current) return;
  $('topic').textContent = client.channel(current).topic || '';
}

function drawComposer() {
  const ready = Boolean(client && current);
  $('text').disabled = !ready;
  $('send-button').disabled = !ready;
}

function sendFromComposer(event) {
  event.preventDefault();
  const box = $('text');
  const text = box.value;
  if (text.trim() === '' || !current) return;
  const peer = dmPeer(current, client.user);
  client.send(peer ? { to: peer } : { channel: current }, text);
  box.value = '';
  box.focus();
}

// --- wiring ------------------------------------------------------------------------------------

function wire() {
  $('login-form').addEventListener('submit', loginFromForm);
  $('composer').addEventListener('submit', sendFromComposer);
  $('text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) sendFromComposer(event);
  });
  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('join-name').value.trim().toLowerCase();
    if (!kNamePattern.test(name)) {
      showProblem('a room name is lower-case letters, digits, _ . -');
      return;
    }
    $('join-name').value = '';
    open(name);
  });
  $('dm-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const user = $('dm-name').value.trim().toLowerCase();
    if (!user || user === client.user) return;
    $('dm-name').value = '';
    open(dmChannel(client.user, user));
  });
  $('older').addEventListener('click', () => loadOlder());
  $('admin-button').addEventListener('click', () => toggleAdmin($('admin-view').hidden));
  wireAdmin(adminToken);
  $('scroller').addEventListener('scroll', () => {
    if ($('scroller').scrollTop < 30) loadOlder();
  });
  $('menu-button').addEventListener('click', () => {
    const open_ = $('sidebar').classList.toggle('open');
    $('menu-button').setAttribute('aria-expanded', String(open_));
  });
  window.addEventListener('hashchange', () => {
    const name = roomFromHash();
    if (client && client.user && name && name !== current) open(name);
  });
}

let loadingOlder = false;
function loadOlder() {
  if (!client || !current || loadingOlder) return;
  const c = client.channel(current);
  if (!c.more || !c.joined) return;
  loadingOlder = true;
  client.history(current).catch((e) => showProblem(e.message)).finally(() => {
    loadingOlder = false;
  });
}

wire();
const params = new URLSearchParams(location.search);
const saved = sessionStorage.getItem(kTokenKey);
if (params.get('user')) start({ user: params.get('user').toLowerCase() });
else if (saved) start({ token: saved });
else $('login-user').focus();
