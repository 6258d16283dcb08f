// Key id -> agent, from every enrolment in the log (a few hundred on a large log), so that
// co-signers are named. Cached for the session's page loads.
import {allEvents} from './api.js';
import {fromBase64, sha256, toHex} from './verify.js';

let cache = null;

export function signerNames() {
  cache ??= (async () => {
    const names = new Map();
    const {events} = await allEvents({type: 'agent.enrolled'});
    for (const e of events) {
      const keyId = toHex(await sha256(fromBase64(e.event.enroll.public_key)));
      names.set(keyId, e.event.enroll.agent);
    }
    return names;
  })();
  cache.catch(() => {
    cache = null;
  });
  return cache;
}
