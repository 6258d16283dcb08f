// Witness cosignatures for the console test (SPEC §10): a real chipledger-witness cosigning the
// ledger's checkpoint over C2SP tlog-witness, and cosignatures made here with test-held keys
// (C2SP tlog-cosignature cosignature/v1), one of them altered so that it must fail to verify.
import {execFileSync, spawn} from 'node:child_process';
import {createHash, generateKeyPairSync, sign} from 'node:crypto';
import {join} from 'node:path';

const COSIGNATURE_TYPE = 0x04;

// A C2SP witness verifier key "<name>+<key hash hex>+<base64(0x04 || public key)>".
function witnessKey(name, raw) {
  const typed = Buffer.concat([Buffer.of(COSIGNATURE_TYPE), raw]);
  const keyHash = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), typed]));
  const hash = keyHash.digest().subarray(0, 4);
  return {vkey: `${name}+${hash.toString('hex')}+${typed.toString('base64')}`, hash};
}

// A witness whose key this test holds: cosign(body) returns its signature line.
export class TestWitness {
  constructor(name) {
    this.name = name;
    const {publicKey, privateKey} = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    ({vkey: this.vkey, hash: this.hash} =
         witnessKey(name, publicKey.export({format: 'der', type: 'spki'}).subarray(-32)));
  }

  cosign(body, time = Math.floor(Date.now() / 1000)) {
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(BigInt(time));
    const signature =
        sign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), this.privateKey);
    return `\u2014 ${this.name} ${
        Buffer.concat([this.hash, stamp, signature]).toString('base64')}\n`;
  }
}

// The same signature line with one bit of its Ed25519 signature flipped.
export function altered(line) {
  const [dash, name, blob] = line.trim().split(' ');
  const bytes = Buffer.from(blob, 'base64');
  bytes[bytes.length - 1] ^= 1;
  return `${dash} ${name} ${bytes.toString('base64')}\n`;
}

// A real chipledger-witness serving `logKey`, in `dir`.
export class WitnessProcess {
  constructor(bin, dir, name) {
    this.bin = bin;
    this.dir = join(dir, 'witness');
    this.vkey = execFileSync(bin, ['init', '--data', this.dir, '--name', name]).toString().trim();
  }

  async start(logKey) {
    this.proc = spawn(
        this.bin, ['serve', '--data', this.dir, '--listen', '127.0.0.1:0', '--log', logKey],
        {stdio: ['ignore', 'pipe', 'ignore']});
    this.url = await new Promise((resolve, reject) => {
      let out = '';
      this.proc.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      this.proc.on('exit', (code) => reject(new Error(`chipledger-witness exited with ${code}`)));
    });
  }

  // The witness's first checkpoint of this log (old 0: no consistency proof): its cosignature.
  async cosign(note) {
    const res =
        await fetch(`${this.url}/add-checkpoint`, {method: 'POST', body: `old 0\n\n${note}`});
    const body = await res.text();
    if (res.status !== 200) throw new Error(`add-checkpoint: HTTP ${res.status} ${body}`);
    return body;
  }

  stop() {
    this.proc?.kill('SIGKILL');  // its state is the test's to throw away
  }
}
