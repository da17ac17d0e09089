import * as z from 'zod';
import { CONFIRMATION_CODE_PATTERN } from './data-deletion.ts';
import { signedRequestForm } from './signed-request.ts';

/** Facebook's callbacks and the data-deletion status page (see `functions/commons/platform/api-schemas.ts`). */

/** The callbacks' form, as the handlers read it (`signed-request.ts`), named for the OpenAPI description. */
export const signedRequestFormDoc = signedRequestForm.meta({ id: 'SignedRequestForm' });

export const deauthorizeAnswer = z.object({}).meta({ id: 'Deauthorized' });

export const dataDeletionAnswer = z
  .object({
    url: z.url().meta({ description: 'The status page Facebook links the person to.' }),
    confirmation_code: z.string().regex(CONFIRMATION_CODE_PATTERN),
  })
  .meta({ id: 'DataDeletionRequested' });

export type DeauthorizeAnswer = z.input<typeof deauthorizeAnswer>;
export type DataDeletionAnswer = z.input<typeof dataDeletionAnswer>;

export const confirmationCodePath = z.object({ code: z.string().regex(CONFIRMATION_CODE_PATTERN) }).meta({ id: 'ConfirmationCodePath' });

export const dataDeletionStatusAnswer = z
  .object({
    confirmationCode: z.string().regex(CONFIRMATION_CODE_PATTERN),
    status: z.enum(['in_progress', 'completed']),
    requestedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().optional(),
    deleted: z.object({ sessions: z.number().int(), userRecords: z.number().int() }).optional(),
  })
  .meta({ id: 'DataDeletionStatus', description: 'Names no one: the record holds no user or Facebook id.' });

export type DataDeletionStatusAnswer = z.input<typeof dataDeletionStatusAnswer>;
