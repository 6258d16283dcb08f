// A real chipledgerd on 127.0.0.1 with demo-like data, fed through its public API with events
// signed here (Ed25519, DSSE, seq/prev chains as SPEC §3 says): a regulator, an exporter, one end
// user's site with 8 installed chips, heartbeats, and an inspection that finds 2 chips missing.
import {execFileSync, spawn} from 'node:child_process';
import {createHash, generateKeyPairSync, sign} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const TYPE = 'application/vnd.chipledger.event.v1+json';
const sha256hex = (bytes) => createHash('sha256').update(bytes).digest('hex');
export const isoAgo = (seconds) =>
    new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

class Signer {
  constructor(id) {
    this.id = id;
    const {publicKey, privateKey} = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.raw = publicKey.export({format: 'der', type: 'spki'}).subarray(-32);
    this.publicKey = this.raw.toString('base64');
    this.keyId = sha256hex(this.raw);
    this.seq = 0;
    this.prev = '0'.repeat(64);
  }

  envelope(type, fields) {
    const payload = Buffer.from(JSON.stringify({
      v: 1,
      type,
      agent: this.id,
      seq: this.seq + 1,
      prev: this.prev,
      time: isoAgo(5),
      ...fields
    }));
    const pae =
        Buffer.concat([Buffer.from(`DSSEv1 ${TYPE.length} ${TYPE} ${payload.length} `), payload]);
    this.seq += 1;
    this.prev = sha256hex(payload);
    return {
      payloadType: TYPE,
      payload: payload.toString('base64'),
      signatures: [{keyid: this.keyId, sig: sign(null, pae, this.privateKey).toString('base64')}]
    };
  }
}

export const SERIALS = Array.from({length: 8}, (_, i) => `GPU-${String(i + 1).padStart(4, '0')}`);
export const SITE = 'helix-auh';

export class Ledger {
  constructor(chipledgerd) {
    this.bin = chipledgerd;
    this.dir = mkdtempSync(join(tmpdir(), 'console-test-'));
    this.agents = Object.fromEntries([
      'regulator', 'exporter-1', 'op-helix', 'inspector-us', 'monitor-helix'
    ].map((id) => [id, new Signer(id)]));
  }

  async start() {
    const data = join(this.dir, 'ledger');
    this.logKey = execFileSync(
                      this.bin,
                      [
                        'init', '--data', data, '--origin', 'console.test/log', '--authority',
                        `regulator=${this.agents.regulator.publicKey}`
                      ])
                      .toString()
                      .trim();
    this.token =
        execFileSync(
            this.bin,
            ['token', 'create', '--data', data, '--role', 'regulator', '--name', 'console-test'])
            .toString()
            .trim();
    this.witnessToken =
        execFileSync(
            this.bin,
            ['token', 'create', '--data', data, '--role', 'witness', '--name', 'console-witness'])
            .toString()
            .trim();
    this.proc = spawn(
        this.bin, ['serve', '--data', data, '--listen', '127.0.0.1:0'],
        {stdio: ['ignore', 'pipe', 'ignore']});
    this.url = await new Promise((resolve, reject) => {
      let out = '';
      this.proc.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      this.proc.on('exit', (code) => reject(new Error(`chipledgerd exited with ${code}`)));
    });
  }

  // Stops chipledgerd, then removes the ledger's directory.
  stop() {
    const remove = () => rmSync(this.dir, {recursive: true, force: true});
    if (!this.proc || this.proc.exitCode !== null) return remove();
    this.proc.on('exit', remove);
    this.proc.kill('SIGTERM');
  }

  async submit(agent, type, fields) {
    const res = await fetch(`${this.url}/v1/events`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(this.agents[agent].envelope(type, fields))
    });
    const body = await res.json();
    if (res.status !== 201)
      throw new Error(`${type} by ${agent}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  enroll(agent, role, org, sites) {
    return this.submit(
        'regulator', 'agent.enrolled',
        {enroll: {agent, public_key: this.agents[agent].publicKey, role, org, sites}});
  }

  inspect(id, missing) {
    return this.submit('inspector-us', 'inspection.performed', {
      inspection: id,
      site: SITE,
      kind: 'routine',
      observed: SERIALS.filter((s) => !missing.includes(s)).map((serial) => ({serial})),
      seals: [],
      purpose_observed: 'life_sciences',
      evidence: [],
      result: missing.length ? 'fail' : 'pass'
    });
  }

  async populate() {
    const party = (id, name, country, kind) =>
        this.submit('regulator', 'party.registered', {party: {id, name, country, kind}});
    await party('acme', 'Acme Accelerators', 'US', 'exporter');
    await party('helix', 'Helix Bio', 'AE', 'end_user');
    await party('gov-us', 'US inspection body', 'US', 'inspection_body');
    await this.submit('regulator', 'site.registered', {
      site: {
        id: SITE,
        party: 'helix',
        name: 'Helix Abu Dhabi',
        country: 'AE',
        lat: 24.45,
        lon: 54.38,
        radius_m: 1000,
        power_kw: 500
      }
    });
    await this.enroll('exporter-1', 'exporter', 'acme', []);
    await this.enroll('op-helix', 'site_operator', 'helix', [SITE]);
    await this.enroll('inspector-us', 'inspector', 'gov-us', []);
    await this.enroll('monitor-helix', 'monitor', 'helix', [SITE]);
    await this.submit('regulator', 'license.issued', {
      license: {
        id: 'LIC-1',
        exporter: 'acme',
        end_user: 'helix',
        sites: [SITE],
        models: ['H100'],
        max_quantity: 100,
        purposes: ['life_sciences'],
        valid_from: isoAgo(86400),
        valid_until: isoAgo(-365 * 86400)
      }
    });
    await this.submit(
        'regulator', 'whitelist.decision',
        {party: 'helix', status: 'approved', reason: 'pre-license check passed'});
    await this.submit('exporter-1', 'shipment.dispatched', {
      shipment: 'SHP-1',
      license: 'LIC-1',
      consignee: 'helix',
      destination_site: SITE,
      chips: SERIALS.map((serial) => ({serial, model: 'H100'})),
      seals: ['SEAL-1'],
      route: ['AE']
    });
    await this.submit(
        'op-helix', 'shipment.received',
        {shipment: 'SHP-1', site: SITE, chips: SERIALS, seals: [{id: 'SEAL-1', intact: true}]});
    await this.submit(
        'op-helix', 'chip.installed',
        {site: SITE, chips: SERIALS.map((serial, i) => ({serial, host: `node-${i}`}))});
    for (const hoursAgo of [3, 2, 1]) {
      await this.submit('monitor-helix', 'monitor.heartbeat', {
        site: SITE,
        window_start: isoAgo(hoursAgo * 3600),
        window_end: isoAgo(hoursAgo * 3600 - 3000),
        online: SERIALS.slice(0, hoursAgo === 1 ? 6 : 8).map((serial) => ({serial}))
      });
    }
    return this.inspect('INSP-1', ['GPU-0007', 'GPU-0008']);
  }
}
