/** HTTP plumbing on node:http: read a request, hand it to the pipeline, then write the JSON reply or drop the socket. */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyTooLarge, stripeErrorBody } from './errors';
import { newRequestId } from './ids';
import type { ArrivedRequest, HttpAction } from './pipeline';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ListeningServer {
  url: string;
  close(): Promise<void>;
}

export async function listen(
  handle: (request: ArrivedRequest) => Promise<HttpAction>,
  options: { port: number; host: string },
): Promise<ListeningServer> {
  const server = createServer((request, response) => receive(request, response, handle));
  // Longer than clients' keep-alive pools hold idle sockets, so a reused socket is never one the server just closed
  // (that would look like an injected drop). close() ends idle connections itself.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

function receive(
  request: IncomingMessage,
  response: ServerResponse,
  handle: (request: ArrivedRequest) => Promise<HttpAction>,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('error', () => undefined);
  request.on('error', () => undefined);
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > MAX_BODY_BYTES) {
      const requestId = newRequestId();
      const body = stripeErrorBody(bodyTooLarge(), requestId, false);
      writeJson(response, { kind: 'reply', status: 413, headers: { 'Request-Id': requestId }, body });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const arrived: ArrivedRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: request.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
    };
    handle(arrived).then(
      (action) => (action.kind === 'drop' ? request.socket.destroy() : writeJson(response, action)),
      () => request.socket.destroy(),
    );
  });
}

function writeJson(response: ServerResponse, action: Extract<HttpAction, { kind: 'reply' }>): void {
  if (response.destroyed || response.writableEnded) return;
  const json = JSON.stringify(action.body, null, 2);
  response.writeHead(action.status, {
    ...action.headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
  });
  response.end(json);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
