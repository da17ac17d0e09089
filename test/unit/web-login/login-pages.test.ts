import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { WebLoginError } from '#commons/platform/errors';
import { browserErrorResponse } from '#commons/web-login/login-pages';

const event = (accept?: string) => ({ headers: accept ? { accept } : {} }) as unknown as APIGatewayProxyEventV2;

describe('browserErrorResponse', () => {
  const error = new WebLoginError('login_state_invalid', 'This sign-in link was already used <script>.');

  it('gives a browser a page saying what went wrong, with the same status and code', () => {
    const response = browserErrorResponse(event('text/html'), error);
    expect(response.statusCode).toBe(400);
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(response.body).toContain('Sign-in did not work');
    expect(response.body).toContain('This sign-in link was already used &#60;script&#62;.');
    expect(response.body).toContain('login_state_invalid');
    expect(response.body).not.toContain('<script>');
  });

  it('gives a program the usual JSON error', () => {
    const response = browserErrorResponse(event('application/json'), error);
    expect(response.statusCode).toBe(400);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', vary: 'accept' });
    expect(JSON.parse(response.body as string)).toEqual({ error: { code: 'login_state_invalid', message: error.message } });
  });

  it('keeps the generic 500 generic on the page too', () => {
    const response = browserErrorResponse(event('text/html'), new Error('secret detail'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret detail');
    expect(response.body).toContain('internal_error');
  });
});
