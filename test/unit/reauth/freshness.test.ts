import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ReauthenticationRequiredError, UnauthenticatedError } from '#commons/platform/errors';
import { errorResponse } from '#commons/platform/http';
import { maxAuthAgeOf, requireFreshSession, requireRecentAuthentication } from '#commons/reauth/freshness';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function eventWith(lambda: unknown): APIGatewayProxyEventV2 {
  return { requestContext: { authorizer: { lambda } } } as unknown as APIGatewayProxyEventV2;
}

describe('requireRecentAuthentication', () => {
  it('allows an authentication exactly at the maximum age and refuses one a millisecond older', () => {
    expect(() => requireRecentAuthentication(NOW - 300_000, 300, NOW)).not.toThrow();
    expect(() => requireRecentAuthentication(NOW - 300_001, 300, NOW)).toThrow(ReauthenticationRequiredError);
  });

  it('answers 401 reauthentication_required with maxAgeSeconds in the error body', () => {
    let caught: unknown;
    try {
      requireRecentAuthentication(NOW - 600_000, 300, NOW);
    } catch (error) {
      caught = error;
    }
    const response = errorResponse(caught);
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body as string)).toEqual({ error: { code: 'reauthentication_required', message: expect.stringContaining('300 seconds'), maxAgeSeconds: 300 } });
  });
});

describe('requireFreshSession', () => {
  const context = { userId: 'usr_1', sessionId: 'ses_1', facebookUserId: '101', authTime: NOW / 1000 - 60 };

  it("reads the authorizer's context (authTime in epoch seconds, as a number or a string)", () => {
    expect(requireFreshSession(eventWith(context), 300, NOW)).toEqual(context);
    expect(requireFreshSession(eventWith({ ...context, authTime: String(context.authTime) }), 300, NOW).authTime).toBe(context.authTime);
  });

  it('refuses a stale session, and a request that came without an authorizer context', () => {
    expect(() => requireFreshSession(eventWith({ ...context, authTime: NOW / 1000 - 301 }), 300, NOW)).toThrow(ReauthenticationRequiredError);
    expect(() => requireFreshSession(eventWith(undefined), 300, NOW)).toThrow(UnauthenticatedError);
    expect(() => requireFreshSession({ requestContext: {} } as unknown as APIGatewayProxyEventV2, 300, NOW)).toThrow(UnauthenticatedError);
  });
});

describe('maxAuthAgeOf', () => {
  it("reads a route's option from the table and fails loudly for a route without one", () => {
    const table = [
      { entry: 'a', maxAuthAgeSeconds: 120 },
      { entry: 'b' },
    ];
    expect(maxAuthAgeOf(table, 'a')).toBe(120);
    expect(() => maxAuthAgeOf(table, 'b')).toThrow(/no maxAuthAgeSeconds for b/);
  });
});
