import { readFileSync } from 'node:fs';

/**
 * Real Graph answers recorded in public sources (test/fixtures/facebook/*.json): each file holds
 * the HTTP status, the body as captured, and where it comes from (`source`).
 */
export interface FacebookFixture {
  readonly source: string;
  readonly confidence: string;
  readonly status: number;
  readonly body: any;
}

export function facebookFixture(name: string): FacebookFixture {
  const fixture = JSON.parse(readFileSync(new URL(`../fixtures/facebook/${name}.json`, import.meta.url), 'utf8')) as FacebookFixture;
  if (!fixture.source) throw new Error(`fixture ${name} does not say where it comes from`);
  return fixture;
}

/** A fetch that answers one fixture, as Facebook did. */
export function fetchAnswering(fixture: Pick<FacebookFixture, 'status' | 'body'>): typeof fetch {
  return async () => new Response(JSON.stringify(fixture.body), { status: fixture.status, headers: { 'content-type': 'application/json' } });
}
