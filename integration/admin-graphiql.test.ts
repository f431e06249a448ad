/**
 * GraphiQL for people (REFERENCE-SCENARIO step 8): Debian's chromium, driven by playwright-core,
 * loads GraphiQL from our PDP's admin API (GET /graphql; the self-contained page, no CDN), a person
 * puts the bearer token into GraphiQL's headers editor, types a query, runs it, and the result panel
 * shows the data: carol's active session after she authenticated through the PDP's RADIUS port.
 * Without the header the same query shows UNAUTHENTICATED. The screenshot is kept as a test
 * artifact: artifacts/admin-graphiql.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PacketCode } from '../radius/index.js';
import { RadiusUdpClient } from '../radius/client.js';
import { buildConfig } from '../pdp/config/load.js';
import { createLogger } from '../pdp/logging.js';
import { Pdp } from '../pdp/pdp.js';
import { authenticateTtls } from '../pdp/test/nas.js';
import { REPO_ROOT } from './lib/pdp.js';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'graphiql-nas-secret';
const TOKEN = 'graphiql-admin-token-0123456789';
const ARTIFACT = join(REPO_ROOT, 'artifacts', 'admin-graphiql.png');
const QUERY = '{ me { name role } activeSessions { edges { node { user nas filterGroup } } } }';

/** Replaces the content of the visible Monaco editor inside `scope` (no auto-closing brackets). */
async function setEditor(page: Page, scope: string, text: string): Promise<void> {
  const editor = page.locator(`${scope} .monaco-editor`).first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

describe('GraphiQL in headless Chromium against the admin API', { timeout: 120_000 }, () => {
  let dir: string;
  let pdp: Pdp;
  let browser: Browser;
  let url: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium)`);
    dir = mkdtempSync(join(tmpdir(), 'admin-graphiql-'));
    const config = buildConfig(
      {
        stateDir: dir,
        radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: false, clients: [{ name: 'loopback-nas', address: '127.0.0.1/32', secret: SECRET }] },
        pki: { serverName: 'pdp.test' },
        users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
        admin: { listen: { address: '127.0.0.1', port: 0 }, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] },
      },
      'test',
      dir,
    );
    pdp = new Pdp({ config, logger: createLogger('silent') });
    const bound = await pdp.start();
    url = `http://127.0.0.1:${pdp.admin!.address!.port}/graphql`;
    const client = new RadiusUdpClient({ server: bound.auth, secret: SECRET, timeoutMs: 1000, tries: 2 });
    try {
      const r = await authenticateTtls({ client, secret: SECRET, user: 'carol', password: 'Ar3etTnp', ca: pdp.tlsIdentity!.caPem, serverName: 'pdp.test', phase2: 'pap' });
      assert.equal(r.final.code, PacketCode.AccessAccept);
    } finally {
      client.close();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await pdp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a query typed into GraphiQL with the token in its headers editor shows the data', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.title(), 'tnc-pdp admin');
    const result = page.locator('.result-window, .graphiql-response').first();

    // Without the header: the API refuses.
    await setEditor(page, '.graphiql-query-editor', QUERY);
    await page.getByRole('button', { name: /Execute query/ }).click();
    await result.getByText('UNAUTHENTICATED').waitFor({ timeout: 15_000 });

    // The token in the headers editor, then run again.
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await setEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${TOKEN}` }));
    await page.getByRole('button', { name: /Execute query/ }).click();
    await result.getByText('"loopback-nas"').waitFor({ timeout: 15_000 });
    const shown = (await result.innerText()).replace(/\s+/g, ' ');
    assert.match(shown, /"name": "ops"/);
    assert.match(shown, /"role": "ADMIN"/);
    assert.match(shown, /"user": "anonymous"/);
    assert.match(shown, /"filterGroup": "allow"/);
    assert.doesNotMatch(shown, /UNAUTHENTICATED/);
    assert.deepEqual(pageErrors, []);

    mkdirSync(join(REPO_ROOT, 'artifacts'), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    assert.ok(statSync(ARTIFACT).size > 10_000, 'screenshot written');
  });
});
