// End-to-end test of the regulator console (issue 14) in Debian's chromium, driven by
// playwright-core: sign in, search a chip, open its site's balance, open a finding's evidence,
// see the entry and the white list verified in the browser, see a new critical finding arrive
// over the findings stream, and see the verification FAIL against a tampered entry served by a
// test server. Screenshots of each page go to --out.
//
// Then the overview's witness cosignatures, verified in the browser against pinned witness keys:
// a real chipledger-witness's passes, an altered one fails, an unpinned witness is said so.
//
// node console_test.mjs --chipledgerd PATH --witness PATH --out DIR [--chromium PATH]
import assert from 'node:assert/strict';
import {mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {chromium} from 'playwright-core';

import {Ledger} from './fixture.mjs';
import {startTamperProxy} from './tamper_proxy.mjs';
import {altered, TestWitness, WitnessProcess} from './witness.mjs';

const {values: args} = parseArgs({
  options: {
    chipledgerd: {type: 'string'},
    witness: {type: 'string'},
    out: {type: 'string'},
    chromium: {type: 'string', default: '/usr/bin/chromium'}
  }
});
mkdirSync(args.out, {recursive: true});

const ledger = new Ledger(args.chipledgerd);
let browser;
let proxy;
let witness;

async function shot(page, name) {
  await page.screenshot({path: join(args.out, `${name}.png`), fullPage: true});
}

async function signIn(page, base) {
  await page.goto(`${base}/console/`);
  await page.fill('#token', ledger.token);
  await page.click('#signin');
  await page.waitForSelector('#tree-size');
  await page.goto(`${base}/console/#/settings`);
  await page.waitForSelector('h1:has-text("Log verifier key")');
  await page.fill('#logkey', ledger.logKey);
  await page.click('form button.primary');
  await page.waitForSelector('#key-status:has-text("Pinned")');
}

let current = null;  // the page a failing step leaves a screenshot of

async function step(name, run) {
  const started = Date.now();
  try {
    await run();
  } catch (e) {
    await current?.screenshot({path: join(args.out, 'failure.png'), fullPage: true})
        .catch(() => {});
    throw e;
  }
  console.log(`ok - ${name} (${Date.now() - started} ms)`);
}

async function main() {
  await ledger.start();
  const inspection = await ledger.populate();
  browser = await chromium.launch({executablePath: args.chromium, args: ['--no-sandbox']});
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  current = page;
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const base = ledger.url;

  await step('static files: CSP, content types, versioned caching', async () => {
    const index = await fetch(`${base}/console/`);
    assert.equal(
        index.headers.get('content-security-policy'),
        'default-src \'self\'; frame-ancestors \'none\'');
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const script = /src="([0-9a-f]{16}\/app\.js)"/.exec(await index.text())[1];
    const js = await fetch(`${base}/console/${script}`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.match(js.headers.get('cache-control'), /immutable/);
    assert.equal((await fetch(`${base}/console/0000000000000000/app.js`)).status, 404);
    assert.equal((await fetch(`${base}/v1/findings`)).status, 401);
  });

  await step('sign in, pin the key, overview', async () => {
    await signIn(page, base);
    await page.goto(`${base}/console/#/`);
    await page.waitForSelector('.check.pass[data-check="Checkpoint signature"]');
    await page.waitForSelector('text=D5');
    // The counts are the server's (GET /v1/findings/counts), equal to what /v1/findings pages.
    const counts = await (await fetch(`${base}/v1/findings/counts?status=open`, {
                     headers: {Authorization: `Bearer ${ledger.token}`}
                   })).json();
    assert.ok(counts.total > 0);
    assert.equal(
        await page.textContent('#open-total'),
        `${counts.total.toLocaleString('en')} open findings.`);
    await shot(page, 'overview');
  });

  await step('search a chip, open it, open its site and the balance', async () => {
    await page.goto(`${base}/console/#/search`);
    await page.fill('#search-q', 'GPU-0007');
    await page.click('button[type=submit]');
    await page.click('table a:has-text("GPU-0007")');
    await page.waitForSelector('#chip-status');
    await shot(page, 'chip');
    await page.click('dd a:has-text("helix-auh")');
    await page.waitForSelector('#balance');
    assert.equal(await page.textContent('#missing'), 'GPU-0007, GPU-0008');
    assert.equal(await page.textContent('#unexpected'), 'none');
    await page.waitForSelector('#coverage rect.on');
    await shot(page, 'site');
  });

  await step('search a shipment, open its page and one of its chips', async () => {
    await page.goto(`${base}/console/#/search?q=SHP-1`);
    await page.click('table a[href="#/shipment/SHP-1"]');
    await page.waitForSelector('#shipment-status:has-text("received")');
    assert.equal(await page.locator('#shipment-chips a').count(), 8);
    await page.waitForSelector('dd a[href="#/record/licenses/LIC-1"]');
    await shot(page, 'shipment');
    await page.click('#shipment-chips a:has-text("GPU-0003")');
    await page.waitForSelector('#chip-status');
    await page.waitForSelector('dd a:has-text("SHP-1")');
  });

  await step('a finding\'s evidence, its entry verified in the browser', async () => {
    await page.goto(`${base}/console/#/findings?status=open&rule=D5`);
    await page.click('button[data-evidence]');
    await page.click(`tr.evidence a:has-text("#${inspection.index}")`);
    await page.waitForSelector('.check.pass[data-check="Inclusion in the signed log"]');
    await page.waitForSelector('td:has-text("submitted by") + td + td a:has-text("inspector-us")');
    await shot(page, 'entry');
  });

  await step('the white list\'s signature verified in the browser', async () => {
    await page.goto(`${base}/console/#/whitelist`);
    await page.waitForSelector('.check.pass[data-check="White list signature"]');
    await page.waitForSelector('td strong:has-text("suspended")');
    await shot(page, 'whitelist');
  });

  // The three exports a regulator takes away: read back as the browser saved them.
  await step('CSV exports: findings, a site\'s chips, the white list', async () => {
    const download = async (hash, ready, label) => {
      await page.goto(`${base}/console/${hash}`);
      await page.waitForSelector(ready);
      const [file] = await Promise.all(
          [page.waitForEvent('download'), page.click(`button[data-csv="${label}"]`)]);
      const text = readFileSync(await file.path(), 'utf8');
      return text.trimEnd().split('\r\n');
    };
    const findings = await download('#/findings?status=open&rule=D5', 'button[data-evidence]',
                                    'findings');
    assert.equal(findings.length, 3, findings.join('\n'));
    assert.match(findings[1], /"D5","critical","open","chip","GPU-000[78]","helix-auh"/);
    const chips = await download('#/site/helix-auh', '#balance', 'chips of this site');
    assert.equal(chips.length, 9, chips.join('\n'));
    const whitelist = await download('#/whitelist', '.check.pass[data-check="White list signature"]',
                                     'white list');
    assert.ok(whitelist.some((line) => line.includes('"suspended"')), whitelist.join('\n'));
  });

  // "At 1280 px and on a laptop screen": no page scrolls sideways; what fits above the fold is
  // saved as <page>-<width>.png.
  await step('every page fits 1280×800 and 1366×768 without scrolling sideways', async () => {
    const pages = {
      overview: ['#/', '#open-total'],
      chip: ['#/chip/GPU-0007', '#chip-status'],
      site: ['#/site/helix-auh', '#balance'],
      shipment: ['#/shipment/SHP-1', '#shipment-status'],
      findings: ['#/findings?status=open', 'button[data-evidence]'],
      entry: [`#/entry/${inspection.index}`, '.check.pass[data-check="Inclusion in the signed log"]'],
      whitelist: ['#/whitelist', '.check.pass[data-check="White list signature"]'],
    };
    for (const [width, height] of [[1280, 800], [1366, 768]]) {
      await page.setViewportSize({width, height});
      for (const [name, [hash, ready]] of Object.entries(pages)) {
        await page.goto(`${base}/console/${hash}`);
        await page.waitForSelector(ready);
        const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, `${name} at ${width}×${height} scrolls sideways by ${overflow} px`);
        await page.screenshot({path: join(args.out, `${name}-${width}.png`)});
      }
    }
    await page.setViewportSize({width: 1280, height: 900});
  });

  await step('a new critical finding appears over the stream', async () => {
    await page.goto(`${base}/console/#/`);
    await page.waitForSelector('#live.on');
    const sent = Date.now();
    await ledger.inspect('INSP-2', ['GPU-0005']);
    await page.waitForSelector('.alert[data-rule="D5"]:has-text("GPU-0005")', {timeout: 5000});
    console.log(`# critical finding on screen ${Date.now() - sent} ms after its receipt`);
    await shot(page, 'live-alert');
  });

  await step('the same entry FAILS verification when a test server alters it', async () => {
    proxy = await startTamperProxy(base, inspection.index);
    const tampered = await browser.newPage({viewport: {width: 1280, height: 900}});
    current = tampered;
    await signIn(tampered, proxy.url);
    await tampered.goto(`${proxy.url}/console/#/entry/${inspection.index}`);
    await tampered.waitForSelector('.check.fail[data-check="Inclusion in the signed log"]');
    const reason = await tampered.textContent('.check.fail .error');
    assert.match(
        reason, /inclusion proof: yields root [0-9a-f]{64}, the checkpoint's is [0-9a-f]{64}/);
    await shot(tampered, 'entry-tampered');
  });

  await step('witness cosignatures verified in the browser', async () => {
    witness = new WitnessProcess(args.witness, ledger.dir, 'witness.gov-a.test/w1');
    await witness.start(ledger.logKey);
    const note = await (await fetch(`${base}/checkpoint`)).text();
    const body = note.slice(0, note.indexOf('\n\n') + 1);
    const forged = new TestWitness('witness.forged.test/w1');
    const unpinned = new TestWitness('witness.unpinned.test/w1');
    proxy.serveCheckpoint(
        note + (await witness.cosign(note)) + altered(forged.cosign(body)) + unpinned.cosign(body));
    const tampered = current;
    await tampered.goto(`${proxy.url}/console/#/settings`);
    await tampered.fill('#witnesskeys', `${witness.vkey}\n${forged.vkey}`);
    await tampered.click('#pin-witnesses');
    await tampered.waitForSelector('#witness-status:has-text("Pinned 2 witness keys")');
    await tampered.goto(`${proxy.url}/console/#/`);
    await tampered.waitForSelector('tr.witness.pass[data-witness="witness.gov-a.test/w1"]');
    const failed =
        await tampered.textContent('tr.witness.fail[data-witness="witness.forged.test/w1"]');
    assert.match(failed, /FAILED: cosignature: the signature does not verify/);
    const notPinned =
        await tampered.textContent('tr.witness.unpinned[data-witness="witness.unpinned.test/w1"]');
    assert.match(notPinned, /key not pinned/);
    await shot(tampered, 'overview-witnesses');
  });

  assert.deepEqual(errors, [], 'no script errors on any page');
}

try {
  await main();
  console.log('PASS');
} catch (e) {
  console.error(`FAIL: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  proxy?.server.closeAllConnections();
  proxy?.server.close();
  witness?.stop();
  ledger.stop();
}
