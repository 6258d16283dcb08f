// Follows GET /v1/findings/stream (Server-Sent Events). EventSource cannot send the bearer token,
// so the stream is read with fetch; after a drop it resumes from the last id it saw.
import {session} from './api.js';

function parse(block) {
  const message = {event: 'message', data: ''};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === 0) continue;  // a comment (keep-alive)
    const [field, value] =
        colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).trimStart()];
    if (field === 'data')
      message.data += (message.data ? '\n' : '') + value;
    else
      message[field] = value;
  }
  return message;
}

// Calls onMessage({event, id, data}) for each message, onState(true/false) as it (dis)connects.
export function followFindings(from, onMessage, onState) {
  let last = from;
  let stopped = false;
  const controller = new AbortController();
  const run = async () => {
    while (!stopped && session.token()) {
      try {
        const res = await fetch(
            `/v1/findings/stream${last === null ? '' : `?from=${last}`}`,
            {headers: {Authorization: `Bearer ${session.token()}`}, signal: controller.signal});
        if (!res.ok) throw new Error(`findings stream: HTTP ${res.status}`);
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (message.id !== undefined) last = Number(message.id);
            if (message.data) onMessage({...message, data: JSON.parse(message.data)});
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      onState(false);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  run();
  return () => {
    stopped = true;
    controller.abort();
  };
}
