/** Our attribute names that are DynamoDB reserved words, so expressions must name them `#name`. */
const RESERVED_WORDS = new Set(['status', 'ttl']);

/** A `ProjectionExpression` for these attributes, with names for the reserved ones. */
export function projectionOf(attributes: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames?: Record<string, string> } {
  const names: Record<string, string> = {};
  const expression = attributes
    .map((attribute) => {
      if (!RESERVED_WORDS.has(attribute)) return attribute;
      names[`#${attribute}`] = attribute;
      return `#${attribute}`;
    })
    .join(', ');
  return { ProjectionExpression: expression, ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}) };
}
