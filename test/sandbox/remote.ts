/** Parent side of the out-of-process sandbox: forks remoteProcess.ts under tsx and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import type { SandboxFaults, SandboxStats } from './index';
import type { RequestSummary, SandboxOp } from './remoteProcess';

export interface TransactionSummary {
	id: string;
	amount: number;
	customer: string;
	ending_balance: number;
	metadata: Record<string, string> | null;
	created: number;
}

export class RemoteSandbox {
	private nextId = 1;
	private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

	private constructor(
		private readonly child: ChildProcess,
		readonly url: string,
		readonly secretKey: string,
	) {
		child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
			if (message.id === undefined) return;
			const waiter = this.pending.get(message.id);
			if (!waiter) return;
			this.pending.delete(message.id);
			if (message.error !== undefined) waiter.reject(new Error(`sandbox: ${message.error}`));
			else waiter.resolve(message.result);
		});
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	static async start(): Promise<RemoteSandbox> {
		const child = fork(path.join(__dirname, 'remoteProcess.ts'), [], {
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const ready = await new Promise<{ url: string; secretKey: string }>((resolve, reject) => {
			child.once('message', (message: { ready?: boolean; url: string; secretKey: string }) => resolve(message));
			child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code} before it was ready`)));
		});
		return new RemoteSandbox(child, ready.url, ready.secretKey);
	}

	private call<T>(message: SandboxOp): Promise<T> {
		const id = this.nextId++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.child.send({ id, ...message });
		});
	}

	/** `{ liveModeLimits: true }`: Stripe's live-mode limits for its test key (reset() turns it off again). */
	setFaults(faults: Partial<SandboxFaults>): Promise<void> {
		return this.call({ op: 'setFaults', args: faults });
	}

	reset(): Promise<void> {
		return this.call({ op: 'reset' });
	}

	createCustomers(count: number, currency = 'usd'): Promise<string[]> {
		return this.call({ op: 'createCustomers', args: { count, currency } });
	}

	/** One customer per email, in order; returns their ids. */
	createCustomersWithEmails(emails: string[], currency = 'usd'): Promise<string[]> {
		return this.call({ op: 'createCustomersWithEmails', args: { emails, currency } });
	}

	stats(): Promise<SandboxStats> {
		return this.call({ op: 'stats' });
	}

	transactions(): Promise<TransactionSummary[]> {
		return this.call({ op: 'transactions' });
	}

	balances(ids: string[]): Promise<Array<number | null>> {
		return this.call({ op: 'balances', args: { ids } });
	}

	requestSummary(): Promise<RequestSummary> {
		return this.call({ op: 'requestSummary' });
	}

	/** Per request: [arrival Date.now(), status (0 = dropped / none), replayed 0|1, path]. */
	timeline(): Promise<Array<[number, number, number, string, string]>> {
		return this.call({ op: 'timeline' });
	}

	async close(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		await this.call({ op: 'close' }).catch(() => undefined);
		await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
		if (this.child.exitCode === null) this.child.kill();
	}
}
