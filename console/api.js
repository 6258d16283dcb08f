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

// Every page of GET /v1/events matching `query`, up to `max` events (newest last).
export async function allEvents(query, max = 5000) {
  const events = [];
  let cursor = null;
  do {
    const params = new URLSearchParams({...query, limit: '1000'});
    if (cursor) params.set('cursor', cursor);
    const page = await getJson(`/v1/events?${params}`);
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor && events.length < max);
  return {events, truncated: Boolean(cursor)};
}

// Every finding matching `query`, following the server's cursor when it pages (up to `max`).
export async function allFindings(query, max = 20000) {
  const findings = [];
  let cursor = null;
  do {
    const params = new URLSearchParams(query);
    if (cursor) params.set('cursor', cursor);
    const page = await getJson(`/v1/findings?${params}`);
    findings.push(...page.findings);
    cursor = page.next_cursor;
  } while (cursor && findings.length < max);
  return {findings, truncated: Boolean(cursor)};
}
