import * as z from '#commons/platform/zod';
import { CONFIRMATION_CODE_PATTERN } from './data-deletion.ts';
import { signedRequestForm } from './signed-request.ts';

/** Facebook's callbacks and the data-deletion status page (see `functions/commons/platform/api-schemas.ts`). */

/** The callbacks' form, as the handlers read it (`signed-request.ts`), named for the OpenAPI description. */
export const signedRequestFormDoc = signedRequestForm.check(z.meta({ id: 'SignedRequestForm' }));

export const deauthorizeAnswer = z.object({}).check(z.meta({ id: 'Deauthorized' }));

export const dataDeletionAnswer = z
  .object({
    url: z.url().check(z.meta({ description: 'The status page Facebook links the person to.' })),
    confirmation_code: z.string().check(z.regex(CONFIRMATION_CODE_PATTERN)),
  })
  .check(z.meta({ id: 'DataDeletionRequested' }));

export type DeauthorizeAnswer = z.input<typeof deauthorizeAnswer>;
export type DataDeletionAnswer = z.input<typeof dataDeletionAnswer>;

export const confirmationCodePath = z.object({ code: z.string().check(z.regex(CONFIRMATION_CODE_PATTERN)) }).check(z.meta({ id: 'ConfirmationCodePath' }));

export const dataDeletionStatusAnswer = z
  .object({
    confirmationCode: z.string().check(z.regex(CONFIRMATION_CODE_PATTERN)),
    status: z.enum(['in_progress', 'completed']),
    requestedAt: z.iso.datetime(),
    completedAt: z.optional(z.iso.datetime()),
    deleted: z.optional(z.object({ sessions: z.number().check(z.int()), userRecords: z.number().check(z.int()) })),
  })
  .check(z.meta({ id: 'DataDeletionStatus', description: 'Names no one: the record holds no user or Facebook id.' }));

export type DataDeletionStatusAnswer = z.input<typeof dataDeletionStatusAnswer>;
