// A test server in front of chipledgerd that serves one entry altered, consistently: in the entry
// bundle (the bytes the console hashes) and in /v1/entries/{i}, whose leaf_hash is that of the
// altered bytes. Only the signed checkpoint and the inclusion proof can then tell.
// serveCheckpoint(note) makes it answer GET /checkpoint with that note (a checkpoint carrying
// cosignatures the test made or altered) instead of upstream's.
import {createHash} from 'node:crypto';
import http from 'node:http';

const FIELD = '"integrated_time":"';

// Changes one digit of the entry's integrated_time (same length, still valid JSON).
function alter(entry) {
  const text = entry.toString('latin1');
  const at = text.indexOf(FIELD) + FIELD.length + 3;  // the year's last digit
  return Buffer.from(
      text.slice(0, at) + (text[at] === '9' ? '8' : '9') + text.slice(at + 1), 'latin1');
}

// The bundle's entries as [offset, length] of each entry's bytes.
function entriesOf(bundle) {
  const out = [];
  for (let at = 0; at + 2 <= bundle.length; at += 2 + bundle.readUInt16BE(at)) {
    out.push([at + 2, bundle.readUInt16BE(at)]);
  }
  return out;
}

export function startTamperProxy(upstream, index) {
  if (index >= 256) throw new Error('the tamper proxy alters entries of the first bundle only');
  let checkpoint = null;
  const server = http.createServer((req, res) => {
    if (checkpoint && req.url === '/checkpoint') {
      res.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8'});
      return res.end(checkpoint);
    }
    // An upstream that goes away (chipledgerd stopping under an open findings stream) ends the
    // client's connection too.
    forward(req, res).catch(() => res.destroy());
  });
  async function forward(req, res) {
    const headers = {...req.headers};
    delete headers.host;
    const answer = await fetch(upstream + req.url, {headers});
    let body = Buffer.from(await answer.arrayBuffer());
    if (answer.ok && req.url.startsWith('/tile/entries/000')) {
      const [at, len] = entriesOf(body)[index];
      alter(body.subarray(at, at + len)).copy(body, at);
    }
    if (answer.ok && req.url === `/v1/entries/${index}`) {
      const bundle =
          Buffer.from(await (await fetch(`${upstream}/tile/entries/000.p/${index + 1}`, {headers}))
                          .arrayBuffer());
      const [at, len] = entriesOf(bundle)[index];
      const altered = alter(bundle.subarray(at, at + len));
      const view = JSON.parse(body);
      view.integrated_time = JSON.parse(altered).integrated_time;
      view.leaf_hash =
          createHash('sha256').update(Buffer.concat([Buffer.of(0), altered])).digest('hex');
      body = Buffer.from(JSON.stringify(view));
    }
    const out = {};
    for (const [k, v] of answer.headers) {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
        out[k] = v;
    }
    res.writeHead(answer.status, out);
    res.end(body);
  }
  return new Promise(
      (resolve) => server.listen(0, '127.0.0.1', () => resolve({
                                                   server,
                                                   url: `http://127.0.0.1:${server.address().port}`,
                                                   serveCheckpoint: (note) => {
                                                     checkpoint = note;
                                                   }
                                                 })));
}
