/**
 * `n8n webhook` of an instance (N8nHost) in queue mode: a process that only serves production webhooks (/webhook/…), runs
 * the trigger's webhook() and queues the execution for a worker. The main process registers webhooks at publish;
 * webhook processes find them in the shared database.
 */
import type { ChildProcess } from 'node:child_process';

import { answersOk, spawnN8n, type N8nHost } from './n8nProcess';
import { freePort } from './ports';
import { stopChild, waitUntilReady } from './proc';

export class N8nWebhookProcess {
	private constructor(
		readonly name: string,
		readonly port: number,
		private readonly child: ChildProcess,
		readonly logs: string[],
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	static async start(host: N8nHost, name: string, options: { env: Record<string, string>; port?: number }): Promise<N8nWebhookProcess> {
		const port = options.port ?? (await freePort());
		const spawned = await spawnN8n(host, ['webhook'], { ...options.env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1' }, { keepLines: 5000 });
		const process = new N8nWebhookProcess(name, port, spawned.child, spawned.logs);
		await waitUntilReady(`n8n webhook ${name}`, spawned.child, spawned.output, () => answersOk(`${process.url}/healthz/readiness`));
		return process;
	}

	async stop(): Promise<void> {
		await stopChild(this.child, 15_000);
	}
}
