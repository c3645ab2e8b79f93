// The page's protocol code, with no DOM and no WebSocket in it (so `node --test` can drive it):
// splitting batched frames, ids compared as the decimal strings they are, the resume cursor, and
// the outbox of sends that are pending until their ack. web/client.js puts these together.

// A frame holds one or more compact JSON objects separated by "\n" (PROTOCOL.md, Transport).
// Lines that are empty are skipped; a line that is not a JSON object is reported, not thrown.
export function splitFrame(data) {
  const objects = [];
  const errors = [];
  for (const line of String(data).split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        objects.push(value);
      } else {
        errors.push(line);
      }
    } catch {
      errors.push(line);
    }
  }
  return { objects, errors };
}

// Message ids are 64-bit decimal strings: JavaScript numbers cannot hold them, BigInt can.
export function compareIds(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// The DM channel of two users: "dm:A:B", A and B sorted.
export function dmChannel(a, b) {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

// The other user of a DM channel, or null when `channel` is not a DM of `me`.
export function dmPeer(channel, me) {
  if (!channel.startsWith('dm:')) return null;
  const [, a, b] = channel.split(':');
  if (a === me) return b;
  if (b === me) return a;
  return null;
}

// Where to resume each channel after a reconnect. Exactly, on any node and whatever the clocks
// say, with the node's resume cursor: per origin node, the last seq given (from `joined`,
// advanced by each `msg`'s origin and seq). Against a node that gives none, `since` the newest id
// seen. The join that resumes is built here and only here.
export class Cursor {
  constructor() {
    this.last = new Map(); // channel -> newest id seen
    this.server = new Map(); // channel -> Map(origin -> seq)
  }

  // A `joined` reply: its cursor becomes the channel's, or without one the channel has none.
  joined(channel, reply) {
    const positions = typeof reply?.cursor === 'string' ? parseCursor(reply.cursor) : null;
    if (positions) this.server.set(channel, positions);
    else this.server.delete(channel);
  }

  // A message given for the channel; `origin` and `seq` when the node sent them.
  observe(channel, id, origin, seq) {
    if (!channel || !id) return;
    const seen = this.last.get(channel);
    if (seen === undefined || compareIds(id, seen) > 0) this.last.set(channel, id);
    const positions = this.server.get(channel);
    if (!positions) return;
    if (!Number.isSafeInteger(origin) || !Number.isSafeInteger(seq) || seq <= 0) {
      this.server.delete(channel); // a node that does not number its messages: since from now on
      return;
    }
    if ((positions.get(origin) ?? 0) < seq) positions.set(origin, seq);
  }

  // The fields of a `join`: the cursor, else everything after the newest id seen, else the newest
  // `initial` ones.
  joinFields(channel, initial = 50) {
    const positions = this.server.get(channel);
    if (positions) return { cursor: formatCursor(positions) };
    const seen = this.last.get(channel);
    return seen === undefined ? { last: initial } : { since: seen };
  }

  forget(channel) {
    this.last.delete(channel);
    this.server.delete(channel);
  }
}

// "1.1207,2.988" (origins ascending; "" is nothing seen) <-> Map(origin -> seq); null if malformed.
export function parseCursor(text) {
  const positions = new Map();
  if (text === '') return positions;
  for (const part of text.split(',')) {
    const m = /^(\d+)\.(\d+)$/.exec(part);
    if (!m) return null;
    positions.set(Number(m[1]), Number(m[2]));
  }
  return positions;
}

export function formatCursor(positions) {
  return [...positions.entries()]
    .filter(([, seq]) => seq > 0)
    .sort(([a], [b]) => a - b)
    .map(([origin, seq]) => `${origin}.${seq}`)
    .join(',');
}

// Sends the user made, from the moment they are typed until the node acks or refuses them.
// States: queued (not on the wire: no connection), pending (sent, no answer), acked, failed.
export class Outbox {
  constructor() {
    this.entries = new Map(); // by ref
  }

  add(ref, target, text) {
    const entry = { ref, ...target, text, state: 'queued', id: null, error: null };
    this.entries.set(ref, entry);
    return entry;
  }

  sent(ref) {
    const e = this.entries.get(ref);
    if (e && e.state === 'queued') e.state = 'pending';
    return e;
  }

  // The node's `ack`: the entry leaves the outbox; its message is in the channel's log now.
  ack(ref, id) {
    const e = this.entries.get(ref);
    if (!e) return null;
    e.state = 'acked';
    e.id = id;
    this.entries.delete(ref);
    return e;
  }

  fail(ref, error) {
    const e = this.entries.get(ref);
    if (!e) return null;
    e.state = 'failed';
    e.error = error;
    return e;
  }

  // Dropped by the user (a failed line dismissed).
  remove(ref) {
    this.entries.delete(ref);
  }

  // After a reconnect and its replay: a send that was on the wire when the connection fell may
  // have been committed (its ack lost) or not. `replayed(entry)` finds it among what the node
  // replayed; found, it is acked; not found, it goes back to queued and is sent again.
  settleAfterReconnect(replayed) {
    const settled = [];
    for (const e of this.entries.values()) {
      if (e.state !== 'pending') continue;
      const id = replayed(e);
      if (id) {
        e.state = 'acked';
        e.id = id;
        this.entries.delete(e.ref);
      } else {
        e.state = 'queued';
      }
      settled.push(e);
    }
    return settled;
  }

  queued() {
    return [...this.entries.values()].filter((e) => e.state === 'queued');
  }

  forChannel(channel) {
    return [...this.entries.values()].filter((e) => e.channel === channel);
  }
}

// A channel's messages by id, kept in id order: whatever arrives twice (a replay overlapping
// what was live, a DM both joined and delivered to the user) is shown once.
export class MessageLog {
  constructor() {
    this.byId = new Map();
    this.order = []; // ids, oldest first
  }

  // True when the message is new to the log.
  add(msg) {
    if (this.byId.has(msg.id)) {
      Object.assign(this.byId.get(msg.id), msg);
      return false;
    }
    this.byId.set(msg.id, { ...msg });
    let i = this.order.length;
    while (i > 0 && compareIds(this.order[i - 1], msg.id) > 0) i -= 1;
    this.order.splice(i, 0, msg.id);
    return true;
  }

  get(id) {
    return this.byId.get(id);
  }

  oldest() {
    return this.order.length > 0 ? this.order[0] : null;
  }

  messages() {
    return this.order.map((id) => this.byId.get(id));
  }
}
