import { signSignedRequest } from './signed-request-signer.ts';
import { DEFAULT_APP_SECRET } from './stack.ts';

/**
 * Prints a `signed_request` as Facebook would post it to the deauthorize and data-deletion
 * callbacks, signed with the local stack's app secret (or FACEBOOK_APP_SECRET when set):
 *
 *   npx tsx local/sign-request.ts <app-scoped user id> [issued_at epoch seconds]
 */
const [userId, issuedAt] = process.argv.slice(2);
if (!userId) {
  console.error('usage: npx tsx local/sign-request.ts <app-scoped user id> [issued_at epoch seconds]');
  process.exit(2);
}
const payload: Record<string, unknown> = { user_id: userId };
if (issuedAt !== undefined) payload.issued_at = Number(issuedAt);
console.log(signSignedRequest(payload, process.env.FACEBOOK_APP_SECRET || DEFAULT_APP_SECRET));
