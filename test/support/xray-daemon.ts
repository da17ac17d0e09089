import { createSocket } from 'node:dgram';

/** The X-Ray daemon protocol's first line, before each segment document (functions/commons/platform/xray.ts). */
export const XRAY_PROTOCOL_HEADER = '{"format":"json","version":1}';

export interface XRayDaemonStandIn {
  /** For `AWS_XRAY_DAEMON_ADDRESS`. */
  readonly address: string;
  /** The header line of every datagram received, in order. */
  readonly headers: string[];
  close(): void;
}

/**
 * A stand-in X-Ray daemon on loopback: it takes each UDP datagram apart (header line, then the
 * document) and hands the parsed document to `onDocument`.
 */
export async function startXRayDaemon(onDocument: (document: Record<string, any>) => void): Promise<XRayDaemonStandIn> {
  const socket = createSocket('udp4');
  const headers: string[] = [];
  socket.on('message', (message) => {
    const [header, body] = message.toString('utf8').split('\n');
    headers.push(header!);
    if (body) onDocument(JSON.parse(body) as Record<string, any>);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, headers, close: () => socket.close() };
}
