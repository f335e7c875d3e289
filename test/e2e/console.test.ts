/**
 * The staff console in a real browser: Debian's Chromium (/usr/bin/chromium,
 * installed by .ci/run) driven by playwright-core, against local mode started
 * as `npm start` would, with the console built by `npm run console:build`
 * (npm test builds it first). One browser for the file; each test a page.
 * axe-core checks every page for serious or critical violations; the tests
 * use the keyboard where staff would. Screenshots go to /tmp/console-*.png.
 * The file ends with the patients' email survey page (issue 13), in the same
 * browser and local mode (a child and a browser of its own cost ~15 s of the
 * suite) but a context with JavaScript disabled: /tmp/survey-page-*.png.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { DateTime } from 'luxon';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../local/console-files';
import { freePort } from '../../local/dynamodb-local';
import { type Spawned, spawnScript } from './support/processes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let local: Spawned;
let url: string;
let consoleUrl: string;
let token: string;
let browser: Browser;
let page: Page;
/**
 * What the callbacks run in the page touch: this file is type-checked with the Node program, without the
 * DOM library, so the few browser globals they use are declared here, for this module only.
 */
declare const document: {
  activeElement: unknown;
  documentElement: { scrollWidth: number; clientWidth: number };
};
declare function getComputedStyle(element: unknown): { backgroundColor: string };

/** The stylesheet's --warn-bg (#fdf0c8), as getComputedStyle reports it. */
const WARNING_BACKGROUND = 'rgb(253, 240, 200)';
/** Errors the page threw or logged: each test ends with none. */
const pageErrors: string[] = [];
/** Requests the page made that the server refused (4xx, 5xx), by path: each test ends with none. */
const refusedRequests: string[] = [];

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Waits (up to 10 s) for a value the page shows after its next refresh. */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 10_000, interval: 100 });

/** No serious or critical axe violation on the page as it is now. */
async function expectAccessible(name: string) {
  // Legacy mode runs axe in the page itself (no second page per check; the console has no frames).
  const result = await new AxeBuilder({ page }).setLegacyMode().analyze();
  const bad = result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  expect(bad, `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: `/tmp/console-${name}.png`, fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  }
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
    throw new Error('the console is not built: npm run console:build (npm test does this)');
  }
  const port = await freePort();
  // Wednesday 25 November 2026, moved to 09:00 New York on 1 December below; from there the clock
  // follows real time, as in `npm start`, so the pipeline plans and sends while the browser looks.
  local = spawnScript('local/start.ts', ['--in-memory', '--start', '2026-11-25T14:00:00Z'], {
    PORT: String(port),
  });
  [, url] = (await local.waitForOutput(/Staff API:\s+(http:\/\/\S+)/, 60_000)) as [string, string];
  [, consoleUrl] = (await local.waitForOutput(/Console:\s+(http:\/\/\S+)/, 10_000)) as [string, string];
  [, token] = (await local.waitForOutput(/Staff token \(demo-clinic\): (\S+)/, 10_000)) as [string, string];
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'Asia/Tokyo',
  });
  page.setDefaultTimeout(10_000);
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    // The pages' own API refusals are what some tests provoke; the files the page loads must all be there.
    if (response.status() >= 400 && !pathname.startsWith('/v1/'))
      refusedRequests.push(`${response.status()} ${pathname}`);
  });

  const patient = await call('PUT', '/v1/clinics/demo-clinic/patients/p-ana', {
    firstName: 'Ana',
    phone: '+14155552671',
    email: 'ana@example.com',
    channels: ['sms', 'email'],
    language: 'en',
  });
  expect(patient.status).toBe(201);
  // Ben has no other visit, so no frequency cap holds back the reminders of the one booked in the browser.
  const ben = await call('PUT', '/v1/clinics/demo-clinic/patients/p-ben', {
    firstName: 'Ben',
    phone: '+14155552672',
    channels: ['sms'],
    language: 'en',
  });
  expect(ben.status).toBe(201);
  for (const [id, startAt, type] of [
    ['a-today', '2026-12-01T16:30:00Z', 'default'],
    ['a-thursday', '2026-12-03T15:00:00Z', 'default'],
    ['a-last-week', '2026-11-27T15:00:00Z', 'default'],
  ] as const) {
    const booked = await call('PUT', `/v1/clinics/demo-clinic/appointments/${id}`, {
      patientId: 'p-ana',
      startAt,
      durationMinutes: 30,
      type,
      location: '12 River Road',
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  }
  expect((await call('POST', '/local/clock', { to: '2026-12-01T14:00:00Z' })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (local && local.child.exitCode === null) local.child.kill('SIGKILL');
  await local?.exited;
});

/** Gzipped bytes of the JavaScript index.html loads (its module script and preloads). */
function firstLoadJsGzipBytes(): number {
  const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map(
    (match) => match[1] as string,
  );
  expect(files.length).toBeGreaterThan(0);
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(join(CONSOLE_DIST, file))).length, 0);
}

describe('the staff console, in Chromium against local mode', () => {
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
    // No /favicon.ico or asset the server does not have (found from outside: a 404 on every load).
    expect(refusedRequests.splice(0)).toEqual([]);
  });

  it('loads at most 200 KB of gzipped JavaScript first', () => {
    const bytes = firstLoadJsGzipBytes();
    console.log(`console first-load JS: ${(bytes / 1024).toFixed(1)} KB gzip`);
    expect(bytes).toBeLessThanOrEqual(200 * 1024);
  });

  it('signs in with the banner’s URL and shows today’s schedule in the clinic’s zone, with counts; keyboard and axe', async () => {
    expect(consoleUrl).toBe(`${url}/#token=${token}`);
    const response = await page.goto(consoleUrl);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
    // The token left the address bar; the role the token carries is shown.
    expect(page.url()).toBe(`${url}/#/schedule`);
    await poll(() => page.getByTestId('role').textContent()).toBe('Clinic admin');
    // 11:30 in New York (the clinic's zone), not the browser's Tokyo time, and labelled.
    const today = page.getByRole('table', { name: /Tuesday 1 December/ });
    await poll(() => today.getByRole('link', { name: /at 11:30/ }).count()).toBe(1);
    expect(await page.getByText('times in America/New_York').count()).toBe(1);
    expect(await today.getByText('Unconfirmed').count()).toBe(1);
    const counts = page.getByRole('table', { name: /last and next 7 days/ });
    expect(
      await counts
        .getByRole('row', { name: /Next 7 days/ })
        .getByRole('cell')
        .first()
        .textContent(),
    ).toBe('2');
    expect(
      await counts
        .getByRole('row', { name: /Last 7 days/ })
        .getByRole('cell')
        .first()
        .textContent(),
    ).toBe('1');
    await expectAccessible('schedule');

    // Keyboard: the page opens with focus on its title, so Tab goes on into the content.
    expect(await page.evaluate('document.activeElement?.id')).toBe('page-title');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Book a visit');
    await page.getByRole('button', { name: 'Next 7 days' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: /Thursday 3 December/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Next 7 days' }).getAttribute('aria-pressed')).toBe('true');
    // Filter by state: unconfirmed shows both; cancelled none.
    await page.getByLabel('State').selectOption('cancelled');
    await page.getByText('No appointments in this period.').waitFor();
    await page.getByLabel('State').selectOption('all');
  });

  it('books a visit with the keyboard, reads its timeline, moves it and sees the old reminders withdrawn; a stale version shows both', async () => {
    await page.goto(`${url}/#/appointments/new`);
    await page.getByRole('heading', { level: 1, name: 'Book a visit' }).waitFor();
    // An unknown patient: the API's refusal, each issue said once.
    await page.getByLabel('Patient id').fill('p-nobody');
    await page.getByLabel('Date').fill('2026-12-08');
    await page.getByLabel('Time').fill('10:00');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'no patient with this id' });
    await refused.waitFor();
    expect(((await refused.textContent()) ?? '').split('no patient with this id').length - 1).toBe(1);
    await page.getByLabel('Patient id').fill('p-ben');
    await page.getByLabel('Date').fill('2026-12-08');
    await page.getByLabel('Time').fill('10:00');
    await page.getByLabel('Place').fill('12 River Road');
    await expectAccessible('book');
    await page.getByLabel('Place').press('Enter');
    const title = page.getByRole('heading', { level: 1, name: /^Appointment a-/ });
    await title.waitFor();
    const appointmentId = ((await title.textContent()) ?? '').replace('Appointment ', '');
    // Tuesday 8 December 10:00 in New York (the clinic's zone), labelled; the browser is in Tokyo.
    // The zone's label has its own brackets: no second pair around it.
    expect(await page.getByTestId('start-clinic').textContent()).toBe(
      'Tue 8 Dec, 10:00 · America/New_York (EST)',
    );
    const timeline = page.getByRole('table', { name: /Messages, with their status and reason/ });
    await poll(() => timeline.getByRole('row', { name: /Reminder \(3d\)/ }).count()).toBe(1);
    await poll(() => timeline.getByRole('row', { name: /Booking confirmation/ }).count()).toBe(1);
    await expectAccessible('appointment');

    // Move it an hour later, by keyboard: the reminders of 10:00 are withdrawn (skipped, appointment-moved).
    await page.getByRole('button', { name: 'Move' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Time').fill('11:00');
    await page.getByRole('button', { name: 'Save the new time' }).press('Enter');
    await page.getByRole('status').filter({ hasText: 'Moved.' }).waitFor();
    await poll(() => page.getByTestId('start-clinic').textContent()).toBe(
      'Tue 8 Dec, 11:00 · America/New_York (EST)',
    );
    await poll(() =>
      timeline.getByRole('row', { name: /Reminder \(1d\).*Skipped.*the visit was moved/ }).count(),
    ).toBe(1);
    await poll(() => timeline.getByRole('row', { name: /Reminder \(1d\).*Pending/ }).count()).toBe(1);
    // The withdrawn reminder and its replacement say which schedule each was for (both carry the move's planVersion).
    expect(
      await timeline.getByRole('row', { name: /Reminder \(1d\) · for schedule v1 .*Skipped/ }).count(),
    ).toBe(1);
    expect(
      await timeline.getByRole('row', { name: /Reminder \(1d\) · for schedule v2 .*Pending/ }).count(),
    ).toBe(1);
    await page.screenshot({ path: '/tmp/console-appointment-moved.png', fullPage: true });

    // Someone else changes it while the move form is open: saving shows both versions, even after the page's
    // own refresh has shown theirs (the form saves against the version it was opened on), and reload clears it.
    await page.getByRole('button', { name: 'Move' }).click();
    const current = await call('GET', `/v1/clinics/demo-clinic/appointments/${appointmentId}`);
    const other = await fetch(`${url}/v1/clinics/demo-clinic/appointments/${appointmentId}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'if-match': `"${current.body.version}"`,
      },
      body: JSON.stringify({
        patientId: 'p-ben',
        startAt: '2026-12-08T16:00:00Z',
        durationMinutes: 30,
        location: 'Room 2, 12 River Road',
      }),
    });
    expect(other.status).toBe(200);
    // The page's refresh (every 5 s) shows their version; the open form still saves against the old one.
    await page.getByText('Room 2, 12 River Road').first().waitFor({ timeout: 10_000 });
    await page.getByLabel('Time').fill('12:00');
    await page.getByRole('button', { name: 'Save the new time' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Changed by someone else' });
    await conflict.waitFor();
    expect(await conflict.getByRole('row', { name: /Your change/ }).textContent()).toContain('12:00');
    expect(await conflict.getByRole('row', { name: /Saved now/ }).textContent()).toContain(
      'Room 2, 12 River Road',
    );
    await expectAccessible('conflict');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await conflict.waitFor({ state: 'detached' });
    await page.getByText('Room 2, 12 River Road', { exact: true }).waitFor();
  });

  it('asks before cancelling a visit, who cancelled and what the patient is told; Escape and "Keep" change nothing', async () => {
    const booked = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-to-cancel', {
      patientId: 'p-ana',
      startAt: '2026-12-15T15:00:00Z',
      durationMinutes: 30,
      location: '12 River Road',
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const cancels: unknown[] = [];
    const onRequest = (request: Request) => {
      if (request.method() === 'POST' && request.url().endsWith('/a-to-cancel/cancel')) {
        cancels.push(request.postDataJSON());
      }
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${url}/#/appointments/a-to-cancel`);
      await page.getByRole('heading', { level: 1, name: 'Appointment a-to-cancel' }).waitFor();
      const cancel = page.getByRole('button', { name: 'Cancel visit' });
      const ask = page.getByRole('dialog', { name: 'Cancel this visit?' });
      await cancel.click();
      await ask.waitFor();
      // The safe answer has focus; the clinic is the default, and the patient is told they will be texted.
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Keep the visit');
      expect(await ask.getByRole('radio', { name: 'The clinic' }).isChecked()).toBe(true);
      expect(await ask.textContent()).toContain('will be sent a cancellation notice');
      await expectAccessible('appointment-cancel');
      await page.keyboard.press('Escape');
      await ask.waitFor({ state: 'detached' });
      expect(await cancel.evaluate((button) => button === document.activeElement)).toBe(true);
      await cancel.click();
      await ask.getByRole('radio', { name: /The patient/ }).check();
      expect(await ask.textContent()).toContain('No cancellation notice is sent');
      await ask.getByRole('button', { name: 'Keep the visit' }).click();
      await ask.waitFor({ state: 'detached' });
      expect(cancels).toEqual([]);
      expect((await call('GET', '/v1/clinics/demo-clinic/appointments/a-to-cancel')).body.status).toBe(
        'booked',
      );

      // Confirmed, as the patient's own cancellation: the API hears who cancelled.
      await cancel.click();
      await ask.getByRole('radio', { name: /The patient/ }).check();
      await ask.getByRole('button', { name: 'Cancel the visit' }).click();
      await page.getByRole('status').filter({ hasText: 'No notice is sent' }).waitFor();
      expect(cancels).toEqual([{ cancelledBy: 'patient' }]);
      expect((await call('GET', '/v1/clinics/demo-clinic/appointments/a-to-cancel')).body.status).toBe(
        'cancelled',
      );
    } finally {
      page.off('request', onRequest);
    }
  });

  it('shows a patient’s contact, channels, zone, consent and opt-outs with their source', async () => {
    await page.goto(`${url}/#/patients/p-ana`);
    await page.getByRole('heading', { level: 1, name: 'Patient p-ana' }).waitFor();
    await page.getByText('SMS → EMAIL').waitFor();
    const consent = page.getByRole('table', { name: /Consent and opt-outs/ });
    expect(await consent.getByRole('row').count()).toBe(3);
    // Her messages' statuses and reasons in words, not the API's codes (sent, skipped, too-late, …).
    const said = page.getByRole('list', { name: 'Conversation' }).getByRole('listitem');
    await poll(() => said.count()).toBeGreaterThan(0);
    const statuses = await page.locator('.said-out .badge').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) {
      expect([
        'Pending',
        'Queued',
        'Sending',
        'Sent',
        'Delivered',
        'Undeliverable',
        'Skipped',
        'Failed',
      ]).toContain(status);
    }
    for (const head of await page.locator('.said-out .said-head .muted').allTextContents()) {
      expect(head.trim()).not.toMatch(/^[a-z]+(-[a-z]+)+$/);
    }
    await expectAccessible('patient');

    // Dan texted STOP: no reply can be sent, and the page warns (amber), not a success's green.
    expect(
      (
        await call('PUT', '/v1/clinics/demo-clinic/patients/p-dan', {
          firstName: 'Dan',
          phone: '+14155552674',
          channels: ['sms'],
          language: 'en',
        })
      ).status,
    ).toBe(201);
    expect((await call('POST', '/local/inbound', { from: '+14155552674', body: 'STOP' })).status).toBe(200);
    await page.goto(`${url}/#/patients/p-dan`);
    const blocked = page.getByTestId('reply-blocked');
    await poll(() => blocked.textContent()).toBe('This patient opted out of SMS: no reply can be sent.');
    expect(await blocked.evaluate((note) => getComputedStyle(note).backgroundColor)).toBe(WARNING_BACKGROUND);
    // Who opted her out, in words ("source: patient" was the API's code).
    const smsRow = page
      .getByRole('table', { name: /Consent and opt-outs/ })
      .getByRole('row', { name: /^SMS/ });
    expect(await smsRow.textContent()).toContain('source: the patient (by text)');
    expect(
      await page
        .getByRole('list', { name: 'Conversation' })
        .getByRole('listitem')
        .filter({ hasText: 'Keyword reply' })
        .locator('.badge')
        .textContent(),
    ).toBe('Sent');
    await expectAccessible('patient-opted-out');
  });

  it('shows a reply confirm the visit without a reload; a free text in the inbox, marked done; a staff reply in the conversation', async () => {
    const cara = await call('PUT', '/v1/clinics/demo-clinic/patients/p-cara', {
      firstName: 'Cara',
      phone: '+14155552673',
      channels: ['sms'],
      language: 'en',
    });
    expect(cara.status).toBe(201);
    const visit = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-cara', {
      patientId: 'p-cara',
      startAt: '2026-12-10T15:00:00Z',
      durationMinutes: 30,
      location: '12 River Road',
    });
    expect(visit.status).toBe(201);
    // The booking confirmation goes out (the clock follows real time): the text Cara answers.
    await poll(async () => {
      const { body } = await call('GET', '/v1/clinics/demo-clinic/appointments/a-cara/messages');
      return (body.messages as { kind: string; status: string }[]).some(
        (message) => message.kind === 'confirmation' && message.status === 'sent',
      );
    }).toBe(true);

    await page.goto(`${url}/#/appointments/a-cara`);
    await page.getByRole('heading', { level: 1, name: 'Appointment a-cara' }).waitFor();
    await page.getByText('Unconfirmed').waitFor();
    const confirmed = await call('POST', '/local/inbound', { from: '+14155552673', body: 'C' });
    expect(confirmed.status).toBe(200);
    // No reload: the page's own refresh shows it.
    await page.getByText('Confirmed', { exact: true }).waitFor({ timeout: 10_000 });

    // The inbox is open when the free text arrives: it appears by itself, marked new.
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    const question = await call('POST', '/local/inbound', {
      from: '+14155552673',
      body: 'Can I bring my son along?',
    });
    expect(question.status).toBe(200);
    const row = page.getByRole('row').filter({ hasText: 'Can I bring my son along?' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getByText('Free text').count()).toBe(1);
    expect(await row.getByText('New', { exact: true }).count()).toBe(1);
    await expectAccessible('inbox');
    // Luma's queues: assigned to me holds it once I take it; unassigned no longer does.
    await row.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('status').filter({ hasText: 'Assigned to you.' }).waitFor();
    await row.getByRole('button', { name: 'Unassign' }).waitFor();
    expect(await row.getByText('You', { exact: true }).count()).toBe(1);
    await page.getByLabel('Queue').selectOption('unassigned');
    await row.waitFor({ state: 'detached' });
    // The status line was about that row: another queue clears it.
    expect(await page.getByRole('status').filter({ hasText: 'Assigned to you.' }).count()).toBe(0);
    await page.getByLabel('Queue').selectOption('mine');
    await row.waitFor();
    // Each row's buttons are named by its text's time, to the second, and sender (several rows, distinct names).
    expect(await row.getByRole('button', { name: /^Mark done/ }).getAttribute('aria-label')).toMatch(
      /^Mark done: the text of \w{3} \d{1,2} \w{3}, \d\d:\d\d:\d\d from p-cara$/,
    );
    await row.getByRole('button', { name: /^Mark done/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Marked done.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row').filter({ hasText: 'Can I bring my son along?' }).waitFor();

    // Her conversation, in time order, and a reply with its parts counted as it is typed.
    await page.goto(`${url}/#/patients/p-cara`);
    const conversation = page.getByRole('list', { name: 'Conversation' });
    await conversation.getByText('Can I bring my son along?').waitFor();
    const said = await conversation.getByRole('listitem').allTextContents();
    const confirmation = said.findIndex((text) => text.startsWith('Booking confirmation'));
    const theQuestion = said.findIndex((text) => text.includes('Can I bring my son along?'));
    expect(confirmation).toBeGreaterThanOrEqual(0);
    expect(theQuestion).toBeGreaterThan(confirmation);
    const reply = page.getByLabel('Reply by SMS');
    await reply.fill('Yes, of course. See you Thursday.');
    expect(await page.getByTestId('reply-segments').textContent()).toMatch(
      /^1 segment \(33 characters, GSM-7\)/,
    );
    // Cara texted minutes ago: the reply answers her, as typed.
    expect(await page.getByTestId('reply-opens').count()).toBe(0);
    await reply.fill('Yes, of course 😊');
    expect(await page.getByTestId('reply-segments').textContent()).toMatch(
      /^1 segment \(\d+ UCS-2 units, UCS-2\)/,
    );
    await expectAccessible('conversation');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sent\.|next sweep/ })
      .waitFor();
    await conversation
      .getByRole('listitem')
      .filter({ hasText: 'Staff reply' })
      .getByText('Yes, of course 😊')
      .waitFor();
    expect(await reply.inputValue()).toBe('');

    // Ben never texted: a reply to him starts a new message, framed with the clinic's SMS name and the
    // opt-out line, and the count says so before it is sent.
    const clinic = await call('GET', '/v1/clinics/demo-clinic');
    const smsName = String(clinic.body.smsName ?? clinic.body.name);
    await page.goto(`${url}/#/patients/p-ben`);
    await page.getByRole('heading', { level: 1, name: 'Patient p-ben' }).waitFor();
    await page.getByLabel('Reply by SMS').fill('Yes, of course. See you Thursday.');
    await page.getByTestId('reply-opens').waitFor();
    expect(await page.getByTestId('reply-opens').textContent()).toContain('last 24 hours');
    const framed = `${smsName}: Yes, of course. See you Thursday. Reply STOP to opt out.`;
    expect(await page.getByTestId('reply-segments').textContent()).toMatch(
      new RegExp(`^1 segment \\(${framed.length} characters, GSM-7\\)`),
    );
  });

  it('composes a broadcast with a live part count per language, previews its recipients and cost, schedules and cancels it', async () => {
    await page.goto(`${url}/#/broadcasts`);
    await page.getByRole('heading', { level: 1, name: 'Broadcasts' }).waitFor();
    const english = page.getByLabel('Text (en)');
    const count = page.getByTestId('segments-en');
    await english.fill('We are closed on Thursday. Call {{clinicPhone}} to book again.');
    await poll(() => count.textContent()).toMatch(/^1 segment \(GSM-7\)/);
    await english.fill('We are closed on Thursday 😊 Call {{clinicPhone}} to book again.');
    await poll(() => count.textContent()).toMatch(/segments? \(UCS-2\)/);
    // A variable a broadcast cannot use is refused at the field before anything is sent.
    await english.fill('Closed on {{localDate}}.');
    await poll(() => count.textContent()).toContain('uses {{localDate}}');
    expect(await page.getByRole('button', { name: 'Schedule' }).isDisabled()).toBe(true);
    await english.fill('We are closed on Thursday. Call {{clinicPhone}} to book again.');

    // Ana has the one visit on Thursday 3 December: a closure notice reaches her by SMS.
    await page.getByLabel('From').fill('2026-12-03');
    await page.getByLabel('To', { exact: true }).fill('2026-12-03');
    // The send time defaults to the next whole hour at least 15 minutes ahead (the fan-out's lead), in New York.
    const clock = DateTime.fromISO(
      ((await (await fetch(`${url}/local/clock`)).json()) as { now: string }).now,
    ).setZone('America/New_York');
    const earliest = clock.plus({ minutes: 15 });
    const nextHour =
      earliest.startOf('hour') < earliest ? earliest.startOf('hour').plus({ hours: 1 }) : earliest;
    expect(await page.getByLabel('At', { exact: true }).inputValue()).toBe(nextHour.toFormat('HH:mm'));
    expect(await page.getByLabel('Send on (America/New_York)').inputValue()).toBe(nextHour.toISODate());
    await page.getByLabel('At', { exact: true }).fill('16:00');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Who would get it, and what it costs' });
    await preview.waitFor();
    expect(
      await preview
        .getByRole('row', { name: /^Recipients \d+$/ })
        .getByRole('cell')
        .textContent(),
    ).toBe('1');
    expect(
      await preview
        .getByRole('row', { name: /^SMS \d+$/ })
        .getByRole('cell')
        .textContent(),
    ).toBe('1');
    expect(await page.getByTestId('cost').textContent()).toMatch(/^\$0\.\d+/);
    // One recipient is within what staff may send to: no warning.
    expect(await page.getByTestId('needs-admin').count()).toBe(0);
    await expectAccessible('broadcasts');
    // Past the staff limit (the API's answer for a bigger audience, 101 of 100), the preview says before
    // scheduling that a clinic admin must schedule it.
    await page.route('**/broadcasts/preview', async (route) => {
      const answer = await route.fetch();
      const body = { ...(await answer.json()), requiredRole: 'clinic-admin', staffMaxRecipients: 100 };
      await route.fulfill({ response: answer, json: body });
    });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('needs-admin').waitFor();
    expect(await page.getByTestId('needs-admin').textContent()).toBe(
      'Only a clinic admin can schedule this broadcast: staff may send one to at most 100 patients.',
    );
    await page.unroute('**/broadcasts/preview');
    await page.getByRole('button', { name: 'Preview' }).click();
    await poll(() => page.getByTestId('needs-admin').count()).toBe(0);

    await page.getByRole('button', { name: 'Schedule' }).click();
    const scheduled = page.getByRole('status').filter({ hasText: /^Broadcast b-\S+ scheduled\.$/ });
    await scheduled.waitFor();
    const id = ((await scheduled.textContent()) ?? '').split(' ')[1] as string;
    const row = page.getByRole('row', { name: new RegExp(id) });
    await row.getByText('Scheduled').waitFor();
    expect(await row.getByText('Visits on 2026-12-03').count()).toBe(1);
    // Cancelling stops messages to many patients: asked first; Escape and "Keep" change nothing.
    const cancelButton = row.getByRole('button', { name: `Cancel broadcast ${id}` });
    const ask = page.getByRole('dialog', { name: `Cancel broadcast ${id}?` });
    await cancelButton.click();
    await ask.waitFor();
    expect(await ask.textContent()).toContain('no message not yet sent will go out');
    await expectAccessible('broadcast-cancel');
    await page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    expect(await cancelButton.evaluate((button) => button === document.activeElement)).toBe(true);
    await cancelButton.click();
    await ask.getByRole('button', { name: 'Keep the broadcast' }).click();
    await ask.waitFor({ state: 'detached' });
    expect((await call('GET', `/v1/clinics/demo-clinic/broadcasts/${id}`)).body.status).not.toBe('cancelled');
    await row.getByText('Scheduled').waitFor();
    await cancelButton.click();
    await ask.getByRole('button', { name: 'Cancel the broadcast' }).click();
    await row.getByText('Cancelled').waitFor();
    const stored = await call('GET', `/v1/clinics/demo-clinic/broadcasts/${id}`);
    expect(stored.body.status).toBe('cancelled');
    expect(stored.body.sendAt).toMatch(/^2026-12-01T21:00:00(\.000)?Z$/);
  });

  it('opens a case by hand and works it: listed with its filters, acknowledged, noted and resolved, with its history', async () => {
    await page.goto(`${url}/#/cases`);
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await page.getByText('Open a case (a complaint by phone or at the desk)').click();
    const form = page.locator('details form');
    await form.getByLabel('Summary').fill('Waited 40 minutes past the visit time');
    await form.getByLabel('Category').selectOption('wait-time');
    await form.getByLabel('Patient id (optional)').fill('p-ana');
    await form.getByRole('button', { name: 'Open the case' }).click();
    await page.getByRole('heading', { level: 1, name: /^Case / }).waitFor();
    const caseId = decodeURIComponent(new URL(page.url()).hash.replace('#/cases/', ''));
    const opened = await call('GET', `/v1/clinics/demo-clinic/cases/${caseId}`);
    expect(opened.body).toMatchObject({
      status: 'open',
      priority: 'high',
      category: 'wait-time',
      source: 'staff',
      links: { patientId: 'p-ana' },
    });

    await page.goto(`${url}/#/cases`);
    const row = page.getByRole('row', { name: new RegExp(caseId) });
    await row.getByText('Waited 40 minutes past the visit time').waitFor();
    expect(await row.getByText('Open', { exact: true }).count()).toBe(1);
    expect(await row.getByText('Wait time', { exact: true }).count()).toBe(1);
    await page.getByLabel('Status').selectOption('resolved');
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('Status').selectOption('open');
    await row.waitFor();
    const categoryFilter = page.locator('.toolbar').getByLabel('Category');
    await categoryFilter.selectOption('billing');
    await row.waitFor({ state: 'detached' });
    await categoryFilter.selectOption('wait-time');
    await row.waitFor();
    await expectAccessible('cases');

    await row.getByRole('link', { name: caseId }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${caseId}` }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status').filter({ hasText: 'Acknowledged.' }).waitFor();
    await page.getByTestId('case-status').getByText('Acknowledged').waitFor();
    await page.getByLabel('Note', { exact: true }).fill('Called her back; apologised.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const history = page.getByRole('list', { name: 'History' });
    await history.getByText('Called her back; apologised.').waitFor();
    await page.getByLabel('How it was resolved').fill('Front desk now warns of delays by text.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('case-status').getByText('Resolved').waitFor();
    await page.getByText('Front desk now warns of delays by text.').waitFor();
    expect(await history.getByRole('listitem').count()).toBeGreaterThanOrEqual(4);
    await expectAccessible('case');
    const stored = await call('GET', `/v1/clinics/demo-clinic/cases/${caseId}`);
    expect(stored.body).toMatchObject({
      status: 'resolved',
      resolutionNote: 'Front desk now warns of delays by text.',
    });
  });

  it('reads the metrics: each chart has its numbers in a table beside it', async () => {
    await page.goto(`${url}/#/metrics`);
    await page.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();
    const volume = page.getByRole('table', { name: 'Messages by channel' });
    await volume.waitFor();
    // Eight weeks, each from Monday in New York; this week (from 30 Nov) holds the confirmations sent.
    expect(await volume.getByRole('row').count()).toBe(9);
    const thisWeek = volume.getByRole('row', { name: /30 Nov/ });
    expect(Number(await thisWeek.getByRole('cell').first().textContent())).toBeGreaterThan(0);
    expect(await page.locator('.chart canvas').count()).toBe(7);
    expect(await page.getByRole('img', { name: 'Messages by channel' }).count()).toBe(1);
    // NPS per week from the daily counters, with its numbers beside it, and the period's figures.
    const nps = page.getByRole('table', { name: 'Net Promoter Score per week' });
    expect(await nps.getByRole('row').count()).toBe(9);
    expect(await nps.getByRole('columnheader').allTextContents()).toEqual(['Week of', 'NPS', 'Answers']);
    const metrics = await call('GET', '/v1/clinics/demo-clinic/metrics?from=2026-11-30&to=2026-12-07');
    expect(metrics.body).toMatchObject({
      nps: { responses: expect.any(Number) },
      days: { from: '2026-11-30' },
    });
    const answers = (metrics.body as { nps: { responses: number } }).nps.responses;
    expect(
      Number(
        await nps
          .getByRole('row', { name: /30 Nov/ })
          .getByRole('cell')
          .nth(1)
          .textContent(),
      ),
    ).toBe(answers);
    expect(await page.getByText('NPS, 8 weeks').count()).toBe(1);
    await expectAccessible('metrics');
  });

  it('lets a clinic admin change a template and see its segment count live; refusals at the field', async () => {
    await page.goto(`${url}/#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('combobox', { name: /^Message/ }).selectOption('reminder');
    await page.getByLabel('Template language').selectOption('en');
    const sms = page.getByLabel(/^SMS text/);
    const segments = page.getByTestId('segments');
    await poll(() => segments.textContent()).toMatch(/^1 segment \(\d+ characters, GSM-7\)/);
    await expectAccessible('settings');

    // Too long for the reminder's budget of one part: counted live, refused at the field before saving.
    await sms.fill(
      `{{clinicName}}: ${'a very long reminder '.repeat(8)}{{localDate}} {{localTime}}. {{stopText}}`,
    );
    await poll(() => segments.textContent()).toMatch(/^2 segments/);
    expect(await page.getByText(/Over the budget of 1/).count()).toBe(1);
    await page
      .getByRole('alert')
      .filter({ hasText: /renders to 2 segments/ })
      .waitFor();

    // A short wording: one part; saved, and the API keeps it.
    const wording = '{{clinicName}}: see you {{localDate}} {{localTime}}. {{stopText}}';
    await sms.fill(wording);
    await poll(() => segments.textContent()).toMatch(/^1 segment /);
    expect(await page.getByTestId('preview').textContent()).toContain('see you');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const clinic = await call('GET', '/v1/clinics/demo-clinic');
    const policy = clinic.body.policy as { templates: { reminder?: { en?: { sms: string } } } };
    expect(policy.templates.reminder?.en?.sms).toBe(wording);

    // A bad reminder offset is refused at its field, saying which entry, not under "Other problems".
    const offsets = page.getByLabel(/^Reminder offsets/);
    expect(await page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    await offsets.fill('3d, soon');
    await offsets.blur();
    // "Saved." was about the form as saved: the edit clears it.
    expect(await page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Save settings' }).click();
    const atField = page.locator('[id="policy.reminderOffsets.default-error"]');
    await atField.waitFor();
    expect(await atField.textContent()).toMatch(/^entry 2: must be an offset/);
    expect(await offsets.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Other problems the server would refuse:').count()).toBe(0);
    await offsets.fill('3d, 1d, 2h');
  });

  it('fits a 390 px phone: no page scrolls sideways, the menu wraps, wide tables scroll in their own box', async () => {
    const question = await call('POST', '/local/inbound', {
      from: '+14155552673',
      body: 'Is there parking near the entrance? https://example.com/a-very-long-link-without-any-breaks-at-all',
    });
    expect(question.status).toBe(200);
    const another = await call('POST', '/local/inbound', {
      from: '+14155552672',
      body: 'Running late, sorry',
    });
    expect(another.status).toBe(200);
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const previous = page;
    page = await phone.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(consoleUrl);
      await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
      for (const [route, heading] of [
        ['schedule', 'Schedule'],
        ['inbox', 'Inbox'],
        ['cases', 'Cases'],
        ['broadcasts', 'Broadcasts'],
        ['metrics', 'Metrics'],
        ['settings', 'Settings'],
        ['appointments/a-cara', 'Appointment a-cara'],
        ['patients/p-cara', 'Patient p-cara'],
      ] as const) {
        await page.goto(`${url}/#/${route}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        // Loaded (the widest part is the data): nothing is still loading.
        await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(scrollWidth, `${route} scrolls sideways`).toBeLessThanOrEqual(clientWidth);
        expect(scrollWidth).toBeLessThanOrEqual(390);
        // Every menu entry is on screen (the menu wraps).
        for (const link of await page.getByRole('navigation', { name: 'Main' }).getByRole('link').all()) {
          const box = await link.boundingBox();
          expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(clientWidth);
        }
      }
      // The inbox's text wraps between words (its column is not one letter wide); its table scrolls by itself.
      await page.goto(`${url}/#/inbox`);
      const text = page.getByRole('cell', { name: /Is there parking near the entrance/ });
      await text.waitFor();
      expect((await text.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(200);
      expect(
        await page
          .getByRole('group', { name: /Open texts/ })
          .evaluate((box) => box.scrollWidth > box.clientWidth && box.tabIndex === 0),
      ).toBe(true);
      const names = await Promise.all(
        (await page.getByRole('button', { name: /^(Mark done|Assign to me|Unassign):/ }).all()).map(
          (button) => button.getAttribute('aria-label'),
        ),
      );
      expect(names.length).toBeGreaterThanOrEqual(4);
      expect(new Set(names).size).toBe(names.length);
      await expectAccessible('inbox-390');
    } finally {
      await phone.close();
      page = previous;
    }
  });

  it('shows a staff user the settings read-only, and the console in Spanish', async () => {
    const issued = await fetch(`${url}/local/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clinicId: 'demo-clinic', role: 'staff' }),
    });
    expect(issued.status).toBe(200);
    const { token: staffToken } = (await issued.json()) as { token: string };
    // A tab of its own (the admin's token is kept per tab).
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const previous = page;
    page = await staff.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(`${url}/#token=${staffToken}`);
      await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
      await poll(() => page.getByTestId('role').textContent()).toBe('Staff');
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      await page.getByText('Only a clinic admin can change these settings').waitFor();
      // A warning, styled as one (amber), not as a success (green).
      expect(
        await page
          .getByText('Only a clinic admin can change these settings')
          .evaluate((note) => getComputedStyle(note).backgroundColor),
      ).toBe(WARNING_BACKGROUND);
      expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
      expect(await page.getByLabel(/^SMS text/).isDisabled()).toBe(true);
      await expectAccessible('settings-staff');

      // Spanish: every string from the Spanish file, the choice kept.
      await page.getByRole('combobox', { name: /^Language/ }).selectOption('es');
      await page.getByRole('link', { name: 'Agenda' }).click();
      await page.getByRole('heading', { level: 1, name: 'Agenda' }).waitFor();
      expect(await page.getByTestId('role').textContent()).toBe('Personal');
      expect(await page.evaluate('document.documentElement.lang')).toBe('es');
      await expectAccessible('schedule-es');
      // "Todas" for the feminine filters (Prioridad, Categoría), "Todos" for Estado.
      await page.goto(`${url}/#/cases`);
      await page.getByRole('heading', { level: 1, name: 'Casos' }).waitFor();
      const toolbar = page.locator('.toolbar');
      for (const [label, all] of [
        ['Estado', 'Todos'],
        ['Prioridad', 'Todas'],
        ['Categoría', 'Todas'],
      ] as const) {
        expect(
          await toolbar
            .getByRole('combobox', { name: new RegExp(`^${label}`) })
            .locator('option')
            .first()
            .textContent(),
        ).toBe(all);
      }
      // One text's badge is singular ("Abierto", "Hecho"), unlike the inbox's plural filter.
      await page.goto(`${url}/#/patients/p-cara`);
      const badges = page.getByRole('list', { name: 'Conversación' }).locator('.said-in .badge');
      await poll(() => badges.count()).toBeGreaterThan(0);
      for (const badge of await badges.allTextContents()) expect(['Abierto', 'Hecho']).toContain(badge);
    } finally {
      await staff.close();
      page = previous;
    }
  });
});

describe('the email survey page, in Chromium with JavaScript disabled', () => {
  it('answers the survey email’s link through the plain form, and refuses the link a second time', async () => {
    // Arrange: an email-only Spanish patient's visit, completed; the clock past the survey's due time.
    const eva = await call('PUT', '/v1/clinics/demo-clinic/patients/p-eva', {
      firstName: 'Eva',
      email: 'eva@example.com',
      channels: ['email'],
      language: 'es',
    });
    expect(eva.status).toBe(201);
    const now = DateTime.fromISO(
      ((await (await fetch(`${url}/local/clock`)).json()) as { now: string }).now,
      { zone: 'utc' },
    );
    const visit = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-eva', {
      patientId: 'p-eva',
      startAt: now.plus({ minutes: 5 }).startOf('minute').toISO({ suppressMilliseconds: true }),
      durationMinutes: 30,
    });
    expect(visit.status, JSON.stringify(visit.body)).toBe(201);
    expect((await call('POST', '/v1/clinics/demo-clinic/appointments/a-eva/complete')).status).toBe(200);
    expect((await call('POST', '/local/clock', { advance: 'PT4H' })).status).toBe(200);
    const survey = async () => {
      const outbox = (await (await fetch(`${url}/local/outbox`)).json()) as {
        entries: { messageId: string; text: string; channel: string }[];
      };
      return outbox.entries.find(
        (entry) => entry.channel === 'email' && entry.messageId.startsWith('a-eva#survey#'),
      );
    };
    await poll(async () => (await survey())?.text ?? '').toContain('Responda aquí');
    const link = /(http:\/\/\S+\/survey\/\S+)/.exec((await survey())?.text ?? '')?.[1] as string;
    expect(link.startsWith(`${url}/survey/demo-clinic/`)).toBe(true);
    const promoters = async () =>
      (
        (await call('GET', '/v1/clinics/demo-clinic/metrics?from=2026-11-30&to=2026-12-07')).body as {
          nps: { promoters: number };
        }
      ).nps.promoters;
    const promotersBefore = await promoters();
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'es-MX' });
    const patientPage = await context.newPage();
    patientPage.setDefaultTimeout(10_000);
    try {
      // Act: open the link, pick 9, write a comment, submit the plain form.
      const opened = await patientPage.goto(link);
      expect(opened?.status()).toBe(200);
      // Nothing on the page needs a script: there is none, and this context would run none.
      expect(await patientPage.locator('script').count()).toBe(0);
      const body = (await patientPage.textContent('body')) ?? '';
      expect(body).toContain('Demo Family Clinic');
      expect(body).not.toContain('a-eva');
      await patientPage.screenshot({ path: '/tmp/survey-page-form.png', fullPage: true });
      await patientPage.getByRole('radio', { name: '9' }).check();
      await patientPage.getByLabel('¿Qué podemos mejorar? (opcional)').fill('Muy amables, gracias.');
      const [answered] = await Promise.all([
        patientPage.waitForNavigation(),
        patientPage.getByRole('button', { name: 'Enviar' }).click(),
      ]);

      // Assess: thanked, recorded as an email answer, and the link spent.
      expect(answered?.status()).toBe(200);
      expect(await patientPage.textContent('main')).toContain('Gracias por su respuesta.');
      await patientPage.screenshot({ path: '/tmp/survey-page-thanks.png', fullPage: true });
      // The answer is counted like an SMS score: one promoter more in the week's NPS.
      expect(await promoters()).toBe(promotersBefore + 1);
      // Staff see it on the visit's timeline, under the survey: the score, its class and the comment.
      await page.goto(`${url}/#/appointments/a-eva`);
      const timeline = page.getByRole('table', { name: /Messages, with their status and reason/ });
      await poll(() => timeline.getByTestId('survey-score').textContent()).toBe('9 of 10 (NPS)');
      const answer = timeline.locator('tr.answer');
      expect(await answer.getByText('Promoter', { exact: true }).count()).toBe(1);
      expect(await answer.textContent()).toContain('by email');
      expect(await answer.locator('q').textContent()).toBe('Muy amables, gracias.');
      await expectAccessible('appointment-survey-answer');
      const again = await patientPage.goto(link);
      expect(again?.status()).toBe(410);
      expect(await patientPage.textContent('main')).toContain('Esta encuesta ya fue respondida.');
      await patientPage.screenshot({ path: '/tmp/survey-page-used.png', fullPage: true });
    } finally {
      await context.close();
    }
  });
});
