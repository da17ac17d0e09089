import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '#local/sweep';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * The mass-revocation guard through `POST /_local/revalidate`: a sweep that would revoke more than
 * MASS_REVOCATION_MAX_PERCENT of what it checked (and at least MASS_REVOCATION_MIN_SESSIONS) stops
 * revoking and defers the rest; the operator's switch lets the next sweep through.
 */
let stack: SweepTestStack;
const MIN = 4;

beforeAll(async () => {
  stack = await startSweepTestStack({ env: { MASS_REVOCATION_MIN_SESSIONS: String(MIN), MASS_REVOCATION_MAX_PERCENT: '20' } });
});
afterAll(async () => {
  await stack?.close();
});

async function status(sessionToken: string) {
  return (await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${sessionToken}` } })).status;
}

describe('mass-revocation guard', () => {
  it('stops revoking once a sweep would revoke more than its share, defers the rest, logs once; the operator lets the next sweep through', async () => {
    const people = [];
    for (let i = 0; i < 14; i++) people.push(await stack.signInNewPerson(`P${i}`));
    const dead = people.slice(0, 12);
    for (const person of dead) stack.graphEmulator().endFacebookSession(person.facebookUserId, 'password_changed');

    const held = await stack.revalidate();
    const guarded = held.deferredByCause.mass_revocation_guard ?? 0;
    expect(guarded).toBeGreaterThan(0);
    expect(held.revoked + guarded).toBe(dead.length);
    // Revocations stop soon after the floor: a bug is stopped after a handful, not after everyone.
    expect(held.revoked).toBeLessThan(dead.length);
    for (const person of people.slice(12)) expect(await status(person.sessionToken)).toBe(200);
    const stillLive = [];
    for (const person of dead) if ((await status(person.sessionToken)) === 200) stillLive.push(person);
    expect(stillLive).toHaveLength(guarded);
    const tripLines = stack.capturedOutput().split('\n').filter((line) => line.includes('mass revocation guard tripped') && line.includes(held.sweepId));
    expect(tripLines).toHaveLength(1);

    const response = await stack.request('POST', '/_local/revalidate', { body: { allowMassRevocation: true } });
    expect(response.status).toBe(200);
    const allowed = response.json as SweepSummary;
    expect(allowed.revoked).toBe(guarded);
    expect(allowed.deferredByCause.mass_revocation_guard ?? 0).toBe(0);
    for (const person of dead) expect(await status(person.sessionToken)).toBe(401);
  });

  it('never holds a sweep whose revocations stay under the floor', async () => {
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await stack.signInNewPerson(`Q${i}`));
    for (const person of people) stack.graphEmulator().endFacebookSession(person.facebookUserId, 'logged_out');
    const summary = await stack.revalidate();
    expect(summary.revokedByReason.logged_out).toBe(3);
    expect(summary.deferredByCause.mass_revocation_guard ?? 0).toBe(0);
  });
});
