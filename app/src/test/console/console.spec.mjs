// The analyst console in a real browser: Debian's Chromium, headless, driven by playwright-core.
// Usage: node console.spec.mjs URL TOKEN SCREENSHOT_DIR REPEAT_NDJSON
// Prints one JSON line with the result and exits 0 only when every step held. ConsoleBrowserTest
// runs it against a live `peregrine run --ingest` that was sent a two-agent trace.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [url, token, screenshots, repeatFile] = process.argv.slice(2);
if (!url || !token || !screenshots || !repeatFile) {
  console.error('usage: node console.spec.mjs URL TOKEN SCREENSHOT_DIR REPEAT_NDJSON');
  process.exit(2);
}
mkdirSync(screenshots, { recursive: true });
const origin = new URL(url).origin;
const steps = [];
const offsite = [];
const result = { ok: false, steps, offsite, screenshots: [] };
const TIMEOUT = 20_000;

function step(name) { steps.push(name); }

async function shot(page, name) {
  const path = join(screenshots, name + '.png');
  await page.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'] });
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // the console must work with nothing but the Peregrine server: anything else is refused and reported
  await context.route('**/*', (route) => {
    if (new URL(route.request().url()).origin === origin) return route.continue();
    offsite.push(route.request().url());
    return route.abort();
  });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  await page.goto(url);
  await page.locator('#login-form').waitFor();
  await shot(page, '01-login');
  step('opened the console');

  await page.fill('#token', 'not-a-token-anyone-configured');
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-error').filter({ hasText: 'not accepted' }).waitFor();
  step('a wrong token is refused');
  consoleErrors.length = 0; // Chromium logs the expected 401 of the wrong token as a page error

  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('#alerts tbody tr').first().waitFor();
  await page.locator('#chart svg rect').first().waitFor();
  if (await page.evaluate(() => sessionStorage.getItem('peregrine.token')) !== token) {
    throw new Error('the token is not kept in sessionStorage');
  }
  await shot(page, '02-alerts');
  step('logged in and sees the alert list and the chart');

  await page.fill('#filters input[name=agent]', 'ci-runner');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => {
    const agents = [...document.querySelectorAll('#alerts tbody td.agent')].map((cell) => cell.textContent);
    return agents.length > 0 && agents.every((agent) => agent === 'ci-runner');
  });
  await shot(page, '03-alerts-ci-runner');
  step('filtered to one agent');

  await page.locator('#alerts tbody tr', { hasText: 'agent_http_metadata_request' }).first().click();
  await page.locator('#detail-view').waitFor({ state: 'visible' });
  await page.locator('#evidence li.evidence', { hasText: '169.254.169.254' }).first().waitFor();
  await page.locator('#timeline li.before', { hasText: 'pytest -q' }).first().waitFor();
  await page.locator('#detail-mitre li', { hasText: 'T1552.005' }).waitFor();
  await page.locator('#detail-fields td', { hasText: 'http.url' }).first().waitFor();
  await shot(page, '04-alert-detail');
  step('opened an alert: output, fields, MITRE tags, evidence and timeline');

  await page.click('#rule-link');
  await page.locator('#rule-view').waitFor({ state: 'visible' });
  await page.locator('#rule-yaml', { hasText: 'id: agent_http_metadata_request' }).waitFor();
  await page.locator('#rule-file', { hasText: 'agent_events.yaml:' }).waitFor();
  await shot(page, '04-rule-source');
  await page.click('#rule-back');
  await page.locator('#detail-view').waitFor({ state: 'visible' });
  step('opened the alert\'s rule: its file, line and YAML');

  await page.click('#ack');
  await page.locator('#ack-state', { hasText: 'acknowledged by' }).waitFor();
  step('acknowledged it');

  await page.fill('#suppress-form input[name=reason]', 'metadata probe of the CI image, ticket SEC-42');
  await page.click('#suppress');
  await page.locator('#suppressed-by', { hasText: 'Suppressed by sup-' }).waitFor();
  await shot(page, '05-alert-suppressed');
  step('added a suppression from the alert');

  // the same events again, now: the suppressed alert must be dropped (and counted), the other delivered
  const now = Date.now();
  const repeat = readFileSync(repeatFile, 'utf8').trim().split('\n')
    .map((line, i) => line.replace(/"time":"[^"]*"/, '"time":"' + new Date(now + i).toISOString() + '"'))
    .join('\n') + '\n';
  const posted = await fetch(new URL('/v1/events', url), { method: 'POST', body: repeat,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/x-ndjson' } });
  if (posted.status !== 200) throw new Error('posting the repeat answered ' + posted.status + ': ' + await posted.text());
  step('posted a repeat of the alert\'s events');

  await page.click('nav button[data-view=suppressions]');
  await page.locator('#suppressions tbody td.suppressed', { hasText: /^1$/ }).waitFor();
  await shot(page, '06-suppressions');
  step('the suppressions view counts the suppressed repeat');

  await page.click('nav button[data-view=agents]');
  await page.locator('#agents tbody tr', { hasText: 'deployer' }).first().waitFor();
  await page.locator('#agents tbody tr', { hasText: 'ci-runner' }).first().waitFor();
  await shot(page, '07-agents');
  step('the agents view lists both agents');

  if (consoleErrors.length > 0) throw new Error('errors in the page: ' + consoleErrors.join(' | '));
  if (offsite.length > 0) throw new Error('the page asked for something beyond Peregrine: ' + offsite.join(', '));
  result.ok = true;
} catch (error) {
  result.error = String(error && error.message || error);
  if (page) {
    try { await shot(page, '99-failure'); } catch (ignored) { /* the page may be gone */ }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
