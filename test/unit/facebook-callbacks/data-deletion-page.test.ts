import { describe, expect, it } from 'vitest';
import { statusPage, statusView } from '#commons/facebook-callbacks/data-deletion-page';

const CODE = 'ABCDEFGHIJKLMNOPQRSTUVWX';
const NOW = Date.UTC(2025, 0, 15, 12);

describe('statusView and statusPage', () => {
  const completed = statusView({
    confirmationCode: CODE,
    status: 'completed',
    requestedAt: NOW,
    completedAt: NOW + 1500,
    deleted: { sessions: 3, userRecords: 2 },
    expiresAt: NOW + 86400_000,
  });

  it('describes the request with ISO times and counts, and nothing about the person', () => {
    expect(completed).toEqual({
      confirmationCode: CODE,
      status: 'completed',
      requestedAt: '2025-01-15T12:00:00.000Z',
      completedAt: '2025-01-15T12:00:01.500Z',
      deleted: { sessions: 3, userRecords: 2 },
    });
    expect(statusView({ confirmationCode: CODE, status: 'in_progress', requestedAt: NOW, expiresAt: NOW + 1 })).toEqual({
      confirmationCode: CODE,
      status: 'in_progress',
      requestedAt: '2025-01-15T12:00:00.000Z',
    });
  });

  it('renders a small HTML page that loads nothing and cannot be framed', () => {
    const page = statusPage(completed);
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    });
    expect(page.body).toContain(CODE);
    expect(page.body).toContain('Completed');
    expect(page.body).not.toMatch(/<script|src=|href=/);
  });
});
