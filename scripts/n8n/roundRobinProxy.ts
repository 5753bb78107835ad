/**
 * One URL in front of several n8n webhook processes, as a load balancer puts them (a loopback test harness, not a
 * production proxy): each request goes to the next target in turn, or to the one `pinNext` names. It records which
 * target got each request, so a test can tell that a retry reached the other process.
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
	path: string;
	target: string;
	status: number | null;
}

export class RoundRobinProxy {
	readonly requests: ProxiedRequest[] = [];

	private targets: string[] = [];

	private next = 0;

	private pinned: string | undefined;

	private constructor(
		private readonly server: Server,
		readonly port: number,
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	static async start(port = 0): Promise<RoundRobinProxy> {
		let proxy: RoundRobinProxy | undefined;
		const server = createServer((req, res) => proxy!.forward(req, res));
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		proxy = new RoundRobinProxy(server, (server.address() as AddressInfo).port);
		return proxy;
	}

	/** Base URLs (http://127.0.0.1:port) of the processes behind the proxy. */
	setTargets(targets: string[]): void {
		this.targets = [...targets];
		this.next = 0;
	}

	/** The next request goes to this target, whatever the turn. */
	pinNext(target: string): void {
		this.pinned = target;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private pick(): string | undefined {
		if (this.pinned !== undefined) {
			const pinned = this.pinned;
			this.pinned = undefined;
			return pinned;
		}
		if (this.targets.length === 0) return undefined;
		const target = this.targets[this.next % this.targets.length];
		this.next += 1;
		return target;
	}

	private forward(req: IncomingMessage, res: ServerResponse): void {
		const target = this.pick();
		const record: ProxiedRequest = { path: req.url ?? '/', target: target ?? '', status: null };
		this.requests.push(record);
		if (!target) {
			res.writeHead(502).end('no target');
			return;
		}
		const upstream = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers, agent: false }, (reply) => {
			record.status = reply.statusCode ?? null;
			res.writeHead(reply.statusCode ?? 502, reply.headers);
			reply.pipe(res);
		});
		upstream.on('error', (error) => {
			if (!res.headersSent) res.writeHead(502);
			res.end(error.message);
		});
		req.pipe(upstream);
	}
}
