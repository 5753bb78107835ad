/**
 * HTTP to the n8n under test on a new connection each time (Connection: close). fetch keeps idle connections open
 * and reuses them; on a loaded machine its timer to drop an idle one can fire after n8n has closed it (Node's server
 * closes idle connections after 5 s), and the next request on it fails with "other side closed" before n8n read it.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpReply {
	status: number;
	headers: Headers;
	body: Buffer;
}

export async function httpCall(
	url: string,
	options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number },
): Promise<HttpReply> {
	const target = new URL(url);
	const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
	const headers: Record<string, string> = { ...options.headers, connection: 'close' };
	if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
	return await new Promise<HttpReply>((resolve, reject) => {
		const req = send(target, { method: options.method ?? 'GET', headers, agent: false, timeout: options.timeoutMs }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('error', reject);
			res.on('end', () => {
				const replyHeaders = new Headers();
				for (const [name, value] of Object.entries(res.headers)) {
					for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) replyHeaders.append(name, one);
				}
				resolve({ status: res.statusCode ?? 0, headers: replyHeaders, body: Buffer.concat(chunks) });
			});
		});
		req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url}: no reply within ${options.timeoutMs} ms`)));
		req.on('error', reject);
		req.end(options.body);
	});
}
