import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { routes as routeTable, type RouteDefinition } from '#functions/routes';
import { SIGN_IN_ENTRIES } from './route-budgets.ts';

/**
 * Optional AWS WAF in front of the API (docs/deploy.md, "Optional: AWS WAF"). API Gateway HTTP
 * APIs cannot hold a web ACL, so the ACL guards a CloudFront distribution in front of the API, and
 * a CloudFront-scoped ACL must be created in us-east-1: hence a small stack of its own,
 * `SessionGuardEdge-<stage>`, deployed first, whose ARN the main stack takes as `wafWebAclArn`.
 */
export interface SessionGuardEdgeStackProps extends StackProps {
  /** Requests per IP per 5 minutes to the sign-in routes before WAF blocks that IP. */
  readonly signInRequestsPerIp: number;
  /** @default functions/routes.ts */
  readonly routes?: readonly RouteDefinition[];
}

export const SIGN_IN_RATE_RULE = 'SignInRequestsPerIp';

export class SessionGuardEdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: SessionGuardEdgeStackProps) {
    super(scope, id, props);
    const limit = props.signInRequestsPerIp;
    // WAF's own bounds for a rate-based rule.
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
      throw new Error(`wafSignInRequestsPerIp must be a whole number from 10 up, got ${limit}`);
    }
    const signInPaths = (props.routes ?? routeTable)
      .filter((route) => (SIGN_IN_ENTRIES as readonly string[]).includes(route.entry))
      .map((route) => route.path);
    const pathIs = (path: string): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'EXACTLY',
        searchString: path,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      description: 'Session Guard: per-IP rate limit on the sign-in routes',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SessionGuardEdge'),
      rules: [
        {
          name: SIGN_IN_RATE_RULE,
          priority: 0,
          action: { block: {} },
          visibilityConfig: visibility(SIGN_IN_RATE_RULE),
          statement: {
            rateBasedStatement: {
              limit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: signInPaths.length === 1 ? pathIs(signInPaths[0]!) : { orStatement: { statements: signInPaths.map(pathIs) } },
            },
          },
        },
      ],
    });
    new CfnOutput(this, 'WebAclArn', {
      description: 'Deploy the main stack with -c wafWebAclArn=<this>',
      value: this.webAcl.attrArn,
    });
  }
}

export interface WafFrontProps {
  /** The execute-api host name of the HTTP API (no scheme). */
  readonly apiDomainName: string;
  /** A CloudFront-scoped web ACL ARN (SessionGuardEdgeStack's output). */
  readonly webAclArn: string;
}

/** A CloudFront distribution in front of the API that passes everything through, guarded by the web ACL. */
export class WafFront extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: WafFrontProps) {
    super(scope, id);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Session Guard: the API behind AWS WAF',
      webAclId: props.webAclArn,
      defaultBehavior: {
        origin: new origins.HttpOrigin(props.apiDomainName, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Every answer is per person and marked no-store: nothing may be cached.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    });
    for (const [id, reason] of [
      ['AwsSolutions-CFR1', 'Session Guard serves people wherever Facebook Login does; no geographic restriction is wanted.'],
      ['AwsSolutions-CFR3', 'Requests are logged by the API stage access log behind the distribution (no headers, no query strings); CloudFront standard logs would record query strings, which carry OAuth codes and state.'],
      ['AwsSolutions-CFR4', 'The default CloudFront certificate is used until a custom domain is set on the distribution; viewers are held to HTTPS only.'],
    ] as const) {
      Validations.of(this.distribution).acknowledge({ id, reason });
    }
  }
}
