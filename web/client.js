// One user's chat state and the protocol conversation that keeps it: hello, joins that resume
// from the cursor after every reconnect, sends that stay pending until acked, history pages,
// presence, topics, edits, deletes and reactions. It speaks through a `send(text)` function the
// transport (web/transport.js) gives it on each connection, and tells the page what changed
// through `on(event, fn)`; it touches no DOM, so the page's rendering stays in web/app.js.

import { Cursor, MessageLog, Outbox, compareIds, dmChannel, dmPeer, splitFrame } from './protocol.js';

export class ChatClient {
  constructor(login) {
    this.login = login; // { user } | { user, password } | { token }
    this.user = null;
    this.node = null;
    this.wire = null; // the transport's send, while connected and welcomed
    this.nextRef = 1;
    this.requests = new Map(); // ref -> { resolve, reject }
    this.cursor = new Cursor();
    this.outbox = new Outbox();
    this.channels = new Map(); // name -> channel state
    this.handlers = new Map();
  }

  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(fn);
  }

  emit(event, ...args) {
    for (const fn of this.handlers.get(event) || []) fn(...args);
  }

  channel(name) {
    let c = this.channels.get(name);
    if (!c) {
      c = {
        name,
        log: new MessageLog(),
        joined: false,
        wanted: false, // joined by the user: rejoined on every reconnect
        unread: 0,
        more: true, // older history may exist
        presence: new Set(),
        topic: '',
      };
      this.channels.set(name, c);
      this.emit('channels');
    }
    return c;
  }

  // --- transport side ------------------------------------------------------------------------

  connected(send) {
    this.raw = send;
    const hello = { type: 'hello', ...this.login };
    send(JSON.stringify(hello));
  }

  disconnected() {
    this.raw = null;
    this.wire = null;
    for (const c of this.channels.values()) c.joined = false;
    for (const { reject } of this.requests.values()) reject({ code: 'unavailable', message: 'disconnected' });
    this.requests.clear();
    this.emit('state', 'disconnected');
  }

  receive(data) {
    const { objects, errors } = splitFrame(data);
    for (const line of errors) this.emit('problem', `unreadable frame: ${line.slice(0, 80)}`);
    for (const m of objects) this.handle(m);
  }

  // --- requests ------------------------------------------------------------------------------

  request(body) {
    if (!this.wire) return Promise.reject({ code: 'unavailable', message: 'not connected' });
    const ref = this.nextRef++;
    return new Promise((resolve, reject) => {
      this.requests.set(ref, { resolve, reject });
      this.wire(JSON.stringify({ ...body, ref }));
    });
  }

  // Joins `name` (once: a join already on the wire is shared) and asks for its presence and topic.
  join(name) {
    const c = this.channel(name);
    c.wanted = true;
    if (!this.wire || c.joined) return Promise.resolve();
    if (!c.joining) {
      c.joining = this.joinOnce(c).finally(() => {
        c.joining = null;
      });
    }
    return c.joining;
  }

  async joinOnce(c) {
    const name = c.name;
    const fields = this.cursor.joinFields(name);
    let reply;
    try {
      reply = await this.request({ type: 'join', channel: name, ...fields });
    } catch (e) {
      if (e.code !== 'unavailable') c.wanted = false; // refused: not rejoined on reconnect
      this.emit('channels');
      throw e;
    }
    c.joined = true;
    this.cursor.joined(name, reply);
    const messages = reply.messages || [];
    if (fields.last !== undefined && c.log.oldest() === null) c.more = messages.length >= fields.last;
    this.addMessages(c, messages, false);
    if (reply.truncated && fields.last === undefined) {
      // More was missed than one replay holds: its cursor covers exactly this page, so leave and
      // join again from it until the replay is whole.
      await this.request({ type: 'leave', channel: name });
      return this.joinOnce(c);
    }
    this.emit('joined', name);
    this.request({ type: 'presence', channel: name }).then((p) => {
      c.presence = new Set(p.users || []);
      this.emit('presence', name);
    }, () => {});
    this.request({ type: 'room', channel: name }).then((r) => {
      c.topic = r.topic || '';
      c.role = r.role || '';
      this.emit('topic', name);
    }, () => {});
  }

  async history(name, limit = 50) {
    const c = this.channel(name);
    const before = c.log.oldest();
    const body = { type: 'history', channel: name, limit };
    if (before) body.before = before;
    const reply = await this.request(body);
    c.more = Boolean(reply.more);
    this.addMessages(c, reply.messages || [], false);
    this.emit('history', name, (reply.messages || []).length);
    return reply;
  }

  // A line typed by the user: on the wire now, or queued until the connection is back.
  send(target, text) {
    const ref = this.nextRef++;
    const t = target.to ? { to: target.to, channel: dmChannel(this.user || '', target.to) } : { channel: target.channel };
    const entry = this.outbox.add(ref, t, text);
    if (this.wire) this.transmit(entry);
    this.emit('outbox', t.channel);
    return entry;
  }

  transmit(entry) {
    const body = { type: 'send', ref: entry.ref, text: entry.text };
    if (entry.to) body.to = entry.to;
    else body.channel = entry.channel;
    this.wire(JSON.stringify(body));
    this.outbox.sent(entry.ref);
  }

  edit(channel, id, text) {
    return this.request({ type: 'edit', channel, id, text });
  }

  remove(channel, id) {
    return this.request({ type: 'delete', channel, id });
  }

  react(channel, id, emoji, on) {
    return this.request({ type: on ? 'react' : 'unreact', channel, id, emoji });
  }

  setTopic(channel, topic) {
    return this.request({ type: 'topic', channel, topic });
  }

  // --- what the node says --------------------------------------------------------------------

  addMessages(c, messages, live) {
    let added = 0;
    for (const m of messages) {
      this.cursor.observe(c.name, m.id, m.origin, m.seq);
      if (c.log.add(m)) {
        added += 1;
        if (live && m.from !== this.user) c.unread += 1;
      }
    }
    if (added > 0) this.emit('messages', c.name, live);
    return added;
  }

  async welcomed(m) {
    this.user = m.user;
    this.node = m.node;
    if (m.token) this.emit('token', m.token);
    this.wire = this.raw;
    this.emit('state', 'connected');
    // Rejoin what was open, each from its cursor: nothing missed, nothing twice.
    const rejoin = [...this.channels.values()].filter((c) => c.wanted);
    await Promise.all(rejoin.map((c) => this.join(c.name).catch((e) => this.emit('problem', `${e.code}: ${e.message}`))));
    const settled = this.outbox.settleAfterReconnect((e) => {
      const c = this.channels.get(e.channel);
      if (!c) return null;
      const mine = c.log.messages().find((x) => x.from === this.user && x.text === e.text && !x.claimed);
      if (!mine) return null;
      mine.claimed = true;
      return mine.id;
    });
    for (const e of this.outbox.queued()) this.transmit(e);
    for (const e of settled) this.emit('outbox', e.channel);
    this.emit('resumed');
  }

  handle(m) {
    if (m.ref !== undefined && this.requests.has(m.ref)) {
      const { resolve, reject } = this.requests.get(m.ref);
      this.requests.delete(m.ref);
      if (m.type === 'error') reject(m);
      else resolve(m);
      return;
    }
    switch (m.type) {
      case 'welcome':
        this.welcomed(m);
        return;
      case 'ack': {
        const e = this.outbox.ack(m.ref, m.id);
        if (!e) return;
        const c = this.channel(m.channel || e.channel);
        this.addMessages(c, [{ id: m.id, channel: c.name, from: this.user, text: e.text, ts: m.ts, claimed: true }], false);
        this.emit('outbox', c.name);
        return;
      }
      case 'error':
        if (m.ref !== undefined && this.outbox.fail(m.ref, m)) {
          this.emit('outbox', this.outbox.entries.get(m.ref).channel);
          return;
        }
        this.emit('problem', `${m.code}: ${m.message}`);
        return;
      case 'msg': {
        const c = this.channel(m.channel);
        if (!c.wanted && dmPeer(m.channel, this.user)) c.wanted = true; // a DM opens itself
        this.addMessages(c, [m], true);
        return;
      }
      case 'presence': {
        const c = this.channel(m.channel);
        if (m.state === 'join') c.presence.add(m.user);
        else if (m.state === 'leave') c.presence.delete(m.user);
        this.emit('presence', m.channel);
        return;
      }
      case 'topic': {
        const c = this.channel(m.channel);
        c.topic = m.topic || '';
        this.emit('topic', m.channel);
        return;
      }
      case 'edit': {
        const c = this.channel(m.channel);
        const msg = c.log.get(m.id);
        if (msg) Object.assign(msg, { text: m.text, edited_ts: m.edited_ts });
        this.emit('changed', m.channel, m.id);
        return;
      }
      case 'delete': {
        const c = this.channel(m.channel);
        const msg = c.log.get(m.id);
        if (msg) Object.assign(msg, { deleted: true, text: '' });
        this.emit('changed', m.channel, m.id);
        return;
      }
      case 'reaction': {
        const c = this.channel(m.channel);
        const msg = c.log.get(m.id);
        if (msg) msg.reactions = m.reactions || {};
        this.emit('changed', m.channel, m.id);
        return;
      }
      case 'left': {
        const c = this.channel(m.channel);
        c.joined = false;
        c.wanted = false;
        this.emit('problem', `left ${m.channel}${m.reason ? ` (${m.reason})` : ''}`);
        this.emit('channels');
        return;
      }
      default:
        return; // member, pong, ...: nothing to show
    }
  }

  sortedChannels() {
    return [...this.channels.values()].filter((c) => c.wanted).sort((a, b) => a.name.localeCompare(b.name));
  }
}

export { compareIds };
