/**
 * `n8n webhook` of an N8nInstance in queue mode: a process that only serves production webhooks (/webhook/…), runs
 * the trigger's webhook() and queues the execution for a worker. The main process registers webhooks at publish;
 * webhook processes find them in the shared database.
 */
import type { ChildProcess } from 'node:child_process';

import type { N8nInstance } from './instance';
import { freePort } from './ports';
import { onOutputLines, spawnTracked, stopChild } from './proc';

export class N8nWebhookProcess {
	readonly logs: string[] = [];

	private constructor(
		readonly name: string,
		readonly port: number,
		private readonly child: ChildProcess,
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	static async start(instance: N8nInstance, name: string, options: { env: Record<string, string>; port?: number }): Promise<N8nWebhookProcess> {
		const port = options.port ?? (await freePort());
		const env = await instance.env({ ...options.env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1' });
		const child = spawnTracked(instance.runtime.nodeBin, [instance.runtime.n8nBin, 'webhook'], {
			cwd: instance.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const process = new N8nWebhookProcess(name, port, child);
		onOutputLines(child, (line) => {
			process.logs.push(line);
			if (process.logs.length > 5000) process.logs.splice(0, process.logs.length - 5000);
		});
		const deadline = Date.now() + 180_000;
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n webhook ${name} exited (${child.exitCode}):\n${process.logs.slice(-30).join('\n')}`);
			if (Date.now() > deadline) {
				await stopChild(child, 3000);
				throw new Error(`n8n webhook ${name} not ready after 180 s:\n${process.logs.slice(-30).join('\n')}`);
			}
			try {
				if ((await fetch(`${process.url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) })).status === 200) return process;
			} catch {
				/* not listening yet */
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	async stop(): Promise<void> {
		await stopChild(this.child, 15_000);
	}
}
