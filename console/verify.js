// What the console proves in the browser, with Web Crypto only, against a verifier key the user
// pinned (never one fetched from the server being verified). SPEC §5 (RFC 6962 hashing, C2SP
// signed notes, tiles) and §9 (DSSE). Each function returns facts or throws a VerifyError that
// says exactly what did not hold.
export class VerifyError extends Error {}

const utf8 = new TextEncoder();

export function fromBase64(text) {
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// "<name>+<key hash hex>+<base64(type || Ed25519 public key)>": a note verifier key (type 0x01)
// or a C2SP witness key (type 0x04, SPEC §10). The key hash is SHA-256(name "\n" type key)[:4].
async function parseTypedKey(text, type, what) {
  // The name and hash contain no '+'; the base64 key may.
  const m = /^([^+\s]+)\+([0-9a-fA-F]{8})\+(\S+)$/.exec(text.trim());
  if (!m) throw new VerifyError(`${what}: expected <name>+<8 hex digits>+<base64 key>`);
  const [, name, hashHex, keyB64] = m;
  let raw;
  try {
    raw = fromBase64(keyB64);
  } catch {
    throw new VerifyError(`${what}: the key part is not base64`);
  }
  if (raw.length !== 33 || raw[0] !== type) {
    throw new VerifyError(`${what}: not an Ed25519 key of type 0x0${type} (32 bytes)`);
  }
  const digest = await sha256(concat(utf8.encode(`${name}\n`), raw));
  const keyHash = toHex(digest.slice(0, 4));
  if (keyHash !== hashHex.toLowerCase()) {
    throw new VerifyError(`${what}: key hash ${hashHex} does not match the key (${keyHash})`);
  }
  const publicKey = raw.slice(1);
  const key = await crypto.subtle.importKey('raw', publicKey, {name: 'Ed25519'}, false, ['verify']);
  return {name, keyHash, publicKey, key, keyId: toHex(await sha256(publicKey))};
}

export const parseVerifierKey = (text) => parseTypedKey(text, 1, 'verifier key');
export const parseWitnessKey = (text) => parseTypedKey(text, 4, 'witness key');

const ed25519 = (vkey, signature, message) =>
    crypto.subtle.verify({name: 'Ed25519'}, vkey.key, signature, message);

// A C2SP checkpoint: its body and its signature lines, each {name, keyHash, blob}.
export function parseCheckpoint(note) {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new VerifyError('checkpoint: not a signed note');
  const body = note.slice(0, split + 1);
  const [origin, size, root] = body.split('\n');
  if (!/^[0-9]+$/.test(size ?? '')) throw new VerifyError('checkpoint: line 2 is not a tree size');
  const signatures = note.slice(split + 2).split('\n').filter(Boolean).map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new VerifyError(`checkpoint: bad signature line "${line}"`);
    const blob = fromBase64(m[2]);
    return {name: m[1], keyHash: toHex(blob.slice(0, 4)), blob};
  });
  return {body, origin, size: Number(size), rootHex: toHex(fromBase64(root)), signatures};
}

// Proves the checkpoint was signed by the pinned key: the signature line with the key's name and
// hash must verify over the note's body.
export async function verifyCheckpoint(note, vkey) {
  const cp = parseCheckpoint(note);
  if (cp.origin !== vkey.name) {
    throw new VerifyError(
        `checkpoint: origin "${cp.origin}" is not the pinned key's "${vkey.name}"`);
  }
  const line = cp.signatures.find((s) => s.name === vkey.name && s.keyHash === vkey.keyHash);
  if (!line) throw new VerifyError(`checkpoint: no signature by the pinned key ${vkey.keyHash}`);
  if (line.blob.length !== 68) throw new VerifyError('checkpoint: signature is not 64 bytes');
  if (!(await ed25519(vkey, line.blob.slice(4), utf8.encode(cp.body)))) {
    throw new VerifyError('checkpoint: the log signature does not verify with the pinned key');
  }
  return cp;
}

// C2SP tlog-cosignature cosignature/v1: the signature line's blob is key hash (4) || big-endian
// unix time (8) || Ed25519 over "cosignature/v1\ntime <t>\n" + the checkpoint's body. Returns the
// time it was cosigned (seconds) or throws what did not hold.
export async function verifyCosignature(cp, line, wkey) {
  if (line.name !== wkey.name || line.keyHash !== wkey.keyHash) {
    throw new VerifyError(`cosignature: made by ${line.name} ${line.keyHash}, not the pinned key`);
  }
  if (line.blob.length !== 76)
    throw new VerifyError('cosignature: not a cosignature/v1 (76 bytes)');
  const time = new DataView(line.blob.buffer, line.blob.byteOffset + 4, 8).getBigUint64(0);
  const message = utf8.encode(`cosignature/v1\ntime ${time}\n${cp.body}`);
  if (!(await ed25519(wkey, line.blob.slice(12), message))) {
    throw new VerifyError('cosignature: the signature does not verify with the pinned witness key');
  }
  return Number(time);
}

// RFC 9162 §2.1.3.2: the root an inclusion proof yields for `leaf` at `index` of `size`.
export async function rootFromInclusion(index, size, leaf, hashesHex) {
  if (index >= size) throw new VerifyError(`inclusion: index ${index} is not below ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const hex of hashesHex) {
    const p = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    if (sn === 0) throw new VerifyError('inclusion: the proof has more hashes than the tree');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new VerifyError('inclusion: the proof has too few hashes for the tree');
  return toHex(r);
}

// C2SP tlog-tiles: the entry bundle holding `index` in a tree of `size` entries.
export function entryBundlePath(index, size) {
  const n = Math.floor(index / 256);
  const digits = String(n).padStart(3 * Math.max(1, Math.ceil(String(n).length / 3)), '0');
  const groups = digits.match(/.../g);
  const path = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  const width = Math.min(256, size - n * 256);
  return `/tile/entries/${path}${width < 256 ? `.p/${width}` : ''}`;
}

// The entry bytes at `index` in a bundle of uint16-big-endian-length-prefixed entries.
export function entryFromBundle(bundle, index) {
  let at = 0;
  for (let i = 0; i <= index % 256; i++) {
    if (at + 2 > bundle.length) throw new VerifyError('tile: the entry bundle is too short');
    const len = (bundle[at] << 8) | bundle[at + 1];
    if (i === index % 256) return bundle.slice(at + 2, at + 2 + len);
    at += 2 + len;
  }
  throw new VerifyError('tile: entry not found in its bundle');
}

// DSSE v1 pre-authentication encoding.
function pae(type, body) {
  const t = utf8.encode(type);
  return concat(utf8.encode(`DSSEv1 ${t.length} `), t, utf8.encode(` ${body.length} `), body);
}

// Proves a DSSE envelope was signed by the pinned log key; returns the payload bytes.
export async function verifyDsse(envelope, vkey, payloadType) {
  if (envelope.payloadType !== payloadType) {
    throw new VerifyError(`envelope: payloadType is "${envelope.payloadType}", not ${payloadType}`);
  }
  const payload = fromBase64(envelope.payload);
  const sig = (envelope.signatures ?? []).find((s) => s.keyid === vkey.keyId);
  if (!sig) throw new VerifyError(`envelope: no signature with the pinned key's id ${vkey.keyId}`);
  if (!(await ed25519(vkey, fromBase64(sig.sig), pae(payloadType, payload)))) {
    throw new VerifyError('envelope: the signature does not verify with the pinned key');
  }
  return payload;
}
