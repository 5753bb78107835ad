/**
 * `n8n worker` of an instance (N8nHost) in queue mode: takes executions off the Redis queue, `concurrency` at a time.
 * Ready when it says so; which executions it ran is read from its log ("Worker started execution <id>").
 */
import type { ChildProcess } from 'node:child_process';

import { spawnN8n, type N8nHost } from './n8nProcess';
import { stopChild, waitUntilReady } from './proc';

export class N8nWorker {
	private constructor(
		readonly name: string,
		private readonly child: ChildProcess,
		readonly logs: string[],
		/** Execution ids this worker started, in order. */
		readonly startedExecutions: string[],
	) {}

	static async start(host: N8nHost, name: string, options: { concurrency: number; env: Record<string, string> }): Promise<N8nWorker> {
		let ready = false;
		const startedExecutions: string[] = [];
		const spawned = await spawnN8n(host, ['worker', `--concurrency=${options.concurrency}`], options.env, {
			keepLines: 5000,
			onLine: (line) => {
				if (line.includes('n8n worker is now ready')) ready = true;
				const started = /Worker started execution (\S+)/.exec(line);
				if (started) startedExecutions.push(started[1]);
			},
		});
		await waitUntilReady(`n8n worker ${name}`, spawned.child, spawned.output, () => ready);
		return new N8nWorker(name, spawned.child, spawned.logs, startedExecutions);
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** What a machine failure does: SIGKILL to the worker and its task runner, no chance to clean up. */
	async kill(): Promise<void> {
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		if (this.child.pid !== undefined && this.running) process.kill(-this.child.pid, 'SIGKILL');
		await exited;
	}

	async stop(): Promise<void> {
		await stopChild(this.child, 15_000);
	}
}
