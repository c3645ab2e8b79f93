// The WebSocket under a ChatClient: connects to the first node URL, and when the connection falls
// reconnects with back-off (0.25 s doubling to 8 s, with jitter), moving to the next URL on each
// failure so a page given several nodes fails over between them. Close codes that mean "do not
// come back as you are" (4401 unauthorized, 4403 banned) stop it and are reported instead.

const kFirstDelayMs = 250;
const kMaxDelayMs = 8000;

export class Transport {
  constructor(urls, client, onStatus) {
    this.urls = urls;
    this.client = client;
    this.onStatus = onStatus; // (state, detail)
    this.index = 0;
    this.delay = kFirstDelayMs;
    this.socket = null;
    this.stopped = false;
    this.timer = null;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, 'bye');
  }

  open() {
    const url = this.urls[this.index % this.urls.length];
    this.onStatus('connecting', url);
    let socket;
    try {
      socket = new WebSocket(url, 'chatctl.v1');
    } catch (e) {
      this.retry(String(e));
      return;
    }
    this.socket = socket;
    let welcomed = false;
    socket.addEventListener('open', () => {
      this.client.connected((text) => socket.send(text));
    });
    socket.addEventListener('message', (event) => {
      if (!welcomed && String(event.data).includes('"welcome"')) {
        welcomed = true;
        this.delay = kFirstDelayMs; // a session that came up resets the back-off
      }
      this.client.receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.client.disconnected();
      if (event.code === 4401 || event.code === 4403) {
        this.stopped = true;
        this.onStatus('refused', `${event.code} ${event.reason}`);
        return;
      }
      if (!welcomed) this.index += 1; // this node did not answer: try the next one
      this.retry(`${event.code} ${event.reason}`);
    });
  }

  retry(detail) {
    if (this.stopped) return;
    const wait = Math.round(this.delay * (0.75 + Math.random() * 0.5));
    this.delay = Math.min(this.delay * 2, kMaxDelayMs);
    this.onStatus('waiting', `${detail}; again in ${(wait / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => this.open(), wait);
  }
}
