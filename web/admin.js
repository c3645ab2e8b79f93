// The admin view, for a user whose token carries `admin`: the cluster's nodes and their
// replication state, the node's stats, users, and bans in force, read over the admin API
// (docs/admin-api.md) with the session's token; a ban or unban of a user. Shown in place of the
// room; like the rest of the page it puts what the node says in the page as text only.

const $ = (id) => document.getElementById(id);

// The claims of a JWT (not checked here: the node checks the token on every API call).
export function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

async function api(token, method, path, body) {
  const res = await fetch(`/api/v1/${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`);
  return json;
}

function table(columns, rows) {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c;
    head.append(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const value of row) tr.insertCell().textContent = String(value);
  }
  return t;
}

function section(title, content) {
  const s = document.createElement('section');
  const h = document.createElement('h2');
  h.textContent = title;
  s.append(h, content);
  return s;
}

// Times are milliseconds; 0 is a ban with no expiry, null no ban.
function banText(ms) {
  if (ms === null || ms === undefined) return '';
  return ms === 0 ? 'no expiry' : new Date(ms).toLocaleString();
}

export async function drawAdmin(token) {
  const out = $('admin-content');
  const problem = $('admin-problem');
  problem.textContent = '';
  try {
    const [nodes, stats, users, bans] = await Promise.all([
      api(token, 'GET', 'nodes'),
      api(token, 'GET', 'stats'),
      api(token, 'GET', 'users?limit=200'),
      api(token, 'GET', 'bans'),
    ]);
    const nodeRows = [[nodes.node, 'this node', nodes.meshed ? (nodes.caught_up ? 'caught up' : 'catching up') : 'alone', '', '']];
    for (const p of nodes.peers || []) {
      nodeRows.push([p.node, p.address, p.state, `${p.applied_seq}/${p.head_seq}`, p.behind]);
    }
    const statRows = Object.entries(stats).map(([k, v]) => [k, v]);
    const userRows = (users.users || []).map((u) => [u.name, u.admin ? 'admin' : '', u.disabled ? 'disabled' : '', banText(u.banned_until)]);
    const banRows = (bans.bans || []).map((b) => [b.user, banText(b.until)]);
    out.replaceChildren(
      section('Nodes', table(['node', 'address', 'state', 'applied/head', 'behind'], nodeRows)),
      section('Stats', table(['counter', 'value'], statRows)),
      section('Users', table(['user', 'admin', 'disabled', 'banned until'], userRows)),
      section('Cluster bans', table(['user', 'until'], banRows)),
    );
  } catch (e) {
    problem.textContent = e.message;
  }
}

export function wireAdmin(getToken) {
  $('ban-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const user = $('ban-user').value.trim().toLowerCase();
    const unban = event.submitter && event.submitter.id === 'unban-button';
    if (!user) return;
    try {
      await api(getToken(), 'POST', unban ? 'unban' : 'ban', { user });
      $('ban-user').value = '';
      await drawAdmin(getToken());
    } catch (e) {
      $('admin-problem').textContent = e.message;
    }
  });
  $('admin-refresh').addEventListener('click', () => drawAdmin(getToken()));
}
