import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/** Fails unless `document` is valid OpenAPI 3.1, by the validator both descriptions' tests use. */
export async function expectValidOpenApi31(document: unknown): Promise<void> {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as Record<string, any>);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
}

/** Whether the validator takes `document` (for tests that show it can refuse one). */
export async function isValidOpenApi(document: unknown): Promise<boolean> {
  return (await new Validator().validate(document as Record<string, any>)).valid;
}

/**
 * Checks real answers against an OpenAPI document's schema for their route, status and media type
 * (`test/integration/openapi.test.ts`, `admin-openapi.test.ts`).
 */
export function documentMatcher(document: any): (path: string, method: string, status: number, body: unknown) => void {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: 'doc', components: document.components });
  return (path, method, status, body) => {
    const response = document.paths[path]?.[method]?.responses[String(status)];
    expect(response, `${method} ${path} documents no ${status}`).toBeDefined();
    const schema = JSON.parse(JSON.stringify(response.content['application/json'].schema).replaceAll('"#/components/', '"doc#/components/'));
    const validate = ajv.compile(schema);
    expect(validate(body), `${method} ${path} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };
}
