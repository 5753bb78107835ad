/**
 * A webhook receiver on loopback: records every request POSTed to it (headers, body as sent, and the body as JSON when
 * it is JSON) and answers with the statuses it is given, in order, then 200. The stand-in for the chat or CRM hook a
 * workflow notifies, and for the endpoint the sandbox delivers Stripe's events to.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookRequest {
	headers: IncomingHttpHeaders;
	body: string;
	json: Record<string, unknown>;
	/** When it arrived (Date.now()). */
	at: number;
}

export class HookRecorder {
	readonly requests: HookRequest[] = [];
	/** Statuses for the next requests, in order; 200 once they are used up. */
	statuses: number[] = [];

	private constructor(
		private readonly server: Server,
		readonly url: string,
	) {}

	static async start(): Promise<HookRecorder> {
		let recorder: HookRecorder | undefined;
		const server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				let json: Record<string, unknown> = {};
				try {
					json = JSON.parse(body || '{}') as Record<string, unknown>;
				} catch {
					/* not JSON: kept as text in `body` */
				}
				recorder!.requests.push({ headers: req.headers, body, json, at: Date.now() });
				res.writeHead(recorder!.statuses.shift() ?? 200, { 'content-type': 'application/json' }).end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		recorder = new HookRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
		return recorder;
	}

	/** The JSON bodies received so far. */
	get received(): Array<Record<string, unknown>> {
		return this.requests.map((request) => request.json);
	}

	/** Waits until `count` bodies have arrived (a workflow runs after n8n has answered the webhook that started it). */
	async waitFor(count: number, timeoutMs = 60_000): Promise<Array<Record<string, unknown>>> {
		const deadline = Date.now() + timeoutMs;
		while (this.requests.length < count) {
			if (Date.now() > deadline) throw new Error(`the hook got ${this.requests.length} of ${count} bodies in ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		return this.received.slice(0, count);
	}

	clear(): void {
		this.requests.length = 0;
		this.statuses = [];
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
