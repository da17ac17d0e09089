import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, detailJsonSchema, EVENT_DETAILS } from '#commons/events/catalog';

/** docs/events.md shows every event with an example and its schema, exactly as the code declares them. */
const page = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');
const sectionOf = (detailType: string) => page.split(/\n### /).find((section) => section.startsWith(`${detailType}\n`));
const jsonBlocks = (section: string) => [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]!));

describe('docs/events.md', () => {
  it.each(DETAIL_TYPES)('documents %s with a valid example envelope and the JSON Schema made from the code', (detailType) => {
    const section = sectionOf(detailType);
    expect(section, `a "### ${detailType}" section`).toBeDefined();
    const [example, schema] = jsonBlocks(section!);
    expect(example).toMatchObject({ version: '0', 'detail-type': detailType, source: 'session-guard', resources: [] });
    expect(example.id).toBe(example.detail.eventId);
    expect(EVENT_DETAILS[detailType].safeParse(example.detail).success).toBe(true);
    expect(schema).toEqual(detailJsonSchema(detailType));
  });

  it('says the app must act on data deletion, and how to drop duplicates', () => {
    expect(page).toMatch(/must now erase everything it holds on them/);
    expect(page).toMatch(/drop duplicates on `detail\.eventId`/);
    expect(page).toContain("req.headers['x-api-key']");
  });
});
