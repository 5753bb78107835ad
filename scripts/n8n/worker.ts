/**
 * `n8n worker` of an N8nInstance in queue mode: takes executions off the Redis queue, `concurrency` at a time.
 * Ready when it says so; which executions it ran is read from its log ("Worker started execution <id>").
 */
import type { ChildProcess } from 'node:child_process';

import type { N8nInstance } from './instance';
import { onOutputLines, spawnTracked, stopChild } from './proc';

export class N8nWorker {
	readonly logs: string[] = [];

	/** Execution ids this worker started, in order. */
	readonly startedExecutions: string[] = [];

	private constructor(
		readonly name: string,
		private readonly child: ChildProcess,
	) {}

	static async start(instance: N8nInstance, name: string, options: { concurrency: number; env: Record<string, string> }): Promise<N8nWorker> {
		const env = await instance.env(options.env);
		const child = spawnTracked(instance.runtime.nodeBin, [instance.runtime.n8nBin, 'worker', `--concurrency=${options.concurrency}`], {
			cwd: instance.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const worker = new N8nWorker(name, child);
		let ready = false;
		onOutputLines(child, (line) => {
			worker.logs.push(line);
			if (worker.logs.length > 5000) worker.logs.splice(0, worker.logs.length - 5000);
			if (line.includes('n8n worker is now ready')) ready = true;
			const started = /Worker started execution (\S+)/.exec(line);
			if (started) worker.startedExecutions.push(started[1]);
		});
		const deadline = Date.now() + 180_000;
		while (!ready) {
			if (child.exitCode !== null) throw new Error(`n8n worker ${name} exited (${child.exitCode}):\n${worker.logs.slice(-30).join('\n')}`);
			if (Date.now() > deadline) {
				await stopChild(child, 3000);
				throw new Error(`n8n worker ${name} not ready after 180 s:\n${worker.logs.slice(-30).join('\n')}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		return worker;
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
