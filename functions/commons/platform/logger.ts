import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger for every function. Never pass it an event, a header map, a token, a cookie or a
 * secret: log ids, outcomes and counts only.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'session-guard' });
