import * as z from '#commons/platform/zod';
import { ForbiddenError } from '#commons/platform/errors';

/**
 * Who is calling the admin API: the IAM principal API Gateway verified from the SigV4 signature
 * and put in `requestContext.authorizer.iam` (AWS_IAM routes). The access key id is left out on
 * purpose: the principal's ARN names the person or role; the key is a credential detail.
 */
export interface Operator {
  /** `arn:aws:iam::123456789012:user/alice`, or the assumed-role session ARN. */
  readonly principal: string;
  readonly accountId: string;
}

const iamContext = z.object({
  requestContext: z.object({
    authorizer: z.object({
      iam: z.object({
        userArn: z.string().check(z.minLength(1)),
        accountId: z.string().check(z.minLength(1)),
      }),
    }),
  }),
});

/**
 * The operator of an admin request. An admin route without IAM context is a wiring mistake (a
 * route left without AWS_IAM authorization): refuse it rather than act for nobody.
 */
export function operatorOf(event: unknown): Operator {
  const parsed = iamContext.safeParse(event);
  if (!parsed.success) throw new ForbiddenError('This admin route needs a request signed with AWS credentials (SigV4).');
  const { userArn, accountId } = parsed.data.requestContext.authorizer.iam;
  return { principal: userArn, accountId };
}
