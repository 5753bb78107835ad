/** A stand-in for the chat or CRM hook a workflow notifies: records every JSON body POSTed to it, on loopback. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class HookRecorder {
	readonly received: Array<Record<string, unknown>> = [];

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
				recorder?.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		recorder = new HookRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
		return recorder;
	}

	/** Waits until `count` bodies have arrived (the workflow runs after n8n has answered Stripe). */
	async waitFor(count: number, timeoutMs = 60_000): Promise<Array<Record<string, unknown>>> {
		const deadline = Date.now() + timeoutMs;
		while (this.received.length < count) {
			if (Date.now() > deadline) throw new Error(`the hook got ${this.received.length} of ${count} bodies in ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		return this.received.slice(0, count);
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
