import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CapacityMeter, emptyTally } from '#commons/storage/capacity-meter';

/** A DynamoDB client whose "wire" answers each operation with a canned body and records requests. */
function clientAnswering(answers: Record<string, unknown>) {
  const sent: { target: string; body: Record<string, unknown> }[] = [];
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: string }) => {
        const target = request.headers['x-amz-target']!.split('.')[1]!;
        sent.push({ target, body: JSON.parse(request.body) as Record<string, unknown> });
        const body = JSON.stringify(answers[target] ?? {});
        return {
          response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(body)]) },
        };
      },
    } as never,
  });
  return { doc: DynamoDBDocumentClient.from(client), sent };
}

describe('CapacityMeter', () => {
  it('asks every call for ReturnConsumedCapacity TOTAL and adds reads and writes to the running tally', async () => {
    const { doc, sent } = clientAnswering({
      Query: { Items: [], Count: 0, ConsumedCapacity: { TableName: 't', CapacityUnits: 1.5 } },
      UpdateItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 2 } },
    });
    const meter = new CapacityMeter();
    meter.attach(doc);
    const tally = emptyTally();
    await meter.run(tally, async () => {
      await doc.send(new QueryCommand({ TableName: 't', IndexName: 'sweep', KeyConditionExpression: 'sweepShard = :s', ExpressionAttributeValues: { ':s': '00' } }));
      await doc.send(new UpdateCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': 1 } }));
    });
    expect(sent.map((s) => [s.target, s.body.ReturnConsumedCapacity])).toEqual([
      ['Query', 'TOTAL'],
      ['UpdateItem', 'TOTAL'],
    ]);
    expect(tally).toEqual({ requests: 2, readUnits: 1.5, writeUnits: 2 });
    expect(meter.total).toEqual({ requests: 2, readUnits: 1.5, writeUnits: 2 });
  });

  it('keeps the tallies of concurrent runs apart', async () => {
    const { doc } = clientAnswering({ Query: { Items: [], ConsumedCapacity: { CapacityUnits: 0.5 } } });
    const meter = new CapacityMeter();
    meter.attach(doc);
    const query = () => doc.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' } }));
    const a = emptyTally();
    const b = emptyTally();
    await Promise.all([meter.run(a, async () => { await query(); await query(); }), meter.run(b, async () => { await query(); })]);
    expect(a).toEqual({ requests: 2, readUnits: 1, writeUnits: 0 });
    expect(b).toEqual({ requests: 1, readUnits: 0.5, writeUnits: 0 });
    expect(meter.total.requests).toBe(3);
  });
});
