// The ledger's read API with the session's reader token. The token lives in sessionStorage
// (this tab, until it closes), never in localStorage or a cookie.
const TOKEN = 'chipledger.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${message} (HTTP ${status}${code ? `, ${code}` : ''})`);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  signIn: (token) => sessionStorage.setItem(TOKEN, token.trim()),
  signOut: () => sessionStorage.removeItem(TOKEN),
};

export async function fetchOk(path, authorized = true) {
  const headers = authorized ? {Authorization: `Bearer ${session.token()}`} : {};
  const res = await fetch(path, {headers, cache: 'no-store'});
  if (res.ok) return res;
  let body = {};
  try {
    body = await res.json();
  } catch {
    // not a JSON error: the status says enough
  }
  if (res.status === 401 && authorized) window.dispatchEvent(new Event('chipledger:signed-out'));
  throw new ApiError(res.status, body.error, body.message || `${path}: ${res.statusText}`);
}

export async function getJson(path) {
  return (await fetchOk(path)).json();
}

export async function getText(path) {
  return (await fetchOk(path)).text();
}

export async function getBytes(path) {
  return new Uint8Array(await (await fetchOk(path)).arrayBuffer());
}

// Every page of a paged route (`next_cursor`, docs/api.md "Paging"), up to `max` of `key`'s items.
async function allPages(path, key, query, max) {
  const items = [];
  let cursor = null;
  do {
    const params = new URLSearchParams({...query, limit: '1000'});
    if (cursor) params.set('cursor', cursor);
    const page = await getJson(`${path}?${params}`);
    items.push(...page[key]);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return {items, truncated: Boolean(cursor)};
}

// Every page of GET /v1/events matching `query`, up to `max` events (newest last).
export async function allEvents(query, max = 5000) {
  const {items, truncated} = await allPages('/v1/events', 'events', query, max);
  return {events: items, truncated};
}

// Every finding matching `query`, following the server's cursor (up to `max`).
export async function allFindings(query, max = 20000) {
  const {items, truncated} = await allPages('/v1/findings', 'findings', query, max);
  return {findings: items, truncated};
}

// Every item of a list route (/v1/chips, /v1/sites, ...) matching `query`, up to `max`.
export function allItems(path, query, max = 20000) {
  return allPages(path, 'items', query, max);
}
