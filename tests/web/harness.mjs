// What the browser tests share: a real `chatctl serve` on a free loopback port with its own data
// directory, the `chatctl` CLI, and headless Debian chromium (playwright-core) with pages that
// record console errors, page errors and every request that leaves the node's origin.
// Usage of a test file: node FILE.browser.mjs PATH/TO/chatctl ARTIFACT_DIR (ctest passes both).
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

export const chatctl = process.argv[2];
export const artifacts = process.argv[3] || join(tmpdir(), 'chatctl-web-artifacts');
if (!chatctl) {
  console.error('usage: node FILE.browser.mjs PATH/TO/chatctl [ARTIFACT_DIR]');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const kStartMs = 15000;

// A node: started on port 0 (the node picks a free port and logs it), restartable on that port.
export class Node {
  constructor(args = []) {
    this.args = args;
    this.dir = mkdtempSync(join(tmpdir(), 'chatctl-web-'));
    this.port = 0;
    this.proc = null;
    this.log = '';
  }

  async start() {
    const listen = `127.0.0.1:${this.port}`;
    this.proc = spawn(chatctl, ['serve', '--listen', listen, '--data', this.dir, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = this.proc;
    this.port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node did not start:\n${this.log}`)), kStartMs);
      const read = (chunk) => {
        this.log += chunk;
        const m = /msg=listening.* port=(\d+)/.exec(this.log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      proc.stdout.on('data', read);
      proc.stderr.on('data', read);
      proc.on('exit', (code) => reject(new Error(`node exited ${code}:\n${this.log}`)));
    });
    return this;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  get ws() {
    return `ws://127.0.0.1:${this.port}`;
  }

  // SIGTERM (a graceful drain) or SIGKILL, and wait for the process to be gone.
  async stop(signal = 'SIGTERM') {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const proc = this.proc;
    const gone = new Promise((resolve) => proc.on('exit', resolve));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    await gone;
    clearTimeout(timer);
  }

  async close() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// A loopback port free now (for a node whose address others must know before it starts).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Runs the chatctl CLI; resolves with its stdout, rejects with its stderr.
export function cli(args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(chatctl, args, { timeout: 20000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chatctl ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
}

// A page (its own browser context: its own sessionStorage) that records what a test must find
// empty: console errors, uncaught exceptions, and requests to anywhere but `node`.
// `options`: the browser context's, e.g. { viewport, colorScheme: 'dark' }.
export async function openPage(browser, node, path, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.offsite = [];
  page.allowedConsole = [];
  const own = [node.origin, node.ws];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (page.allowedConsole.some((re) => re.test(m.text()))) return;
    page.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!own.some((o) => url.startsWith(`${o}/`)) && !url.startsWith('data:')) page.offsite.push(url);
  });
  page.on('websocket', (ws) => {
    if (!own.some((o) => ws.url().startsWith(`${o}/`))) page.offsite.push(ws.url());
  });
  await page.goto(`${node.origin}${path}`);
  return page;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

// Texts of the messages a page shows for its open room, oldest first.
export async function shownTexts(page) {
  return page.$$eval('#messages .message .text', (els) => els.map((e) => e.textContent));
}

export async function waitForText(page, text, timeout = 10000) {
  await page.locator('#messages .message .text', { hasText: text }).first().waitFor({ timeout });
}

export async function sendFromPage(page, text) {
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
}

// Waits until `page` is welcomed (its status says connected).
export async function connected(page, timeout = 15000) {
  await page.locator('#status.connected').waitFor({ timeout });
}
