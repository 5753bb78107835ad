/**
 * Bench scenarios between executions:
 *
 *   (e) two executions of 200 items each at once on one key, in n8n's engine, sandbox limit 100/s, 100 ms latency
 *       -> bound 400 / 100 = 4 s; never more than 100 requests in any second
 *   (f) 150 webhook executions at once in the real `n8n start` (120 customers + 30 credits for one), test key (25/s)
 *       -> bound max(6 s, n8n's own time for 150 executions of Webhook -> No Operation, measured in the same run)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	BASELINE_PATH,
	BURST_PATH,
	N8nInstance,
	baselineWorkflow,
	burstRequests,
	burstWorkflow,
	packPackage,
	provision,
	publishWebhookWorkflows,
	registerSecret,
	stripeCredential,
	webhookBurst,
	type N8nServer,
} from '../n8n';
import { startSandbox, type Sandbox } from '../../test/sandbox';
import { busiestSecond } from '../../test/sandbox/arrivals';
import { makeItems, runNode } from './runners';
import type { RemoteSandbox } from '../../test/sandbox/remote';

export interface BetweenResult {
	scenario: string;
	wallMs: number;
	boundMs: number;
	failed: number;
	transactions: number;
	expected: number;
	duplicates: number;
	rateLimited: number;
	lockTimeouts: number;
	busiestSecond: number;
	/** What else was measured, in words. */
	detail: string;
	/** None for a reference run. */
	target?: { pass: boolean; text: string };
}

const s = (ms: number) => (ms / 1000).toFixed(2);

export async function twoExecutionsAtOnce(sandbox: RemoteSandbox): Promise<BetweenResult> {
	await sandbox.reset();
	// measured against a single limit per account (100/s), as before Stripe's per-endpoint limits were modelled
	await sandbox.setFaults({ latencyMs: 100, rateLimitPerSecond: 100, endpointRateLimitPerSecond: null, searchRateLimitPerSecond: null, lockTimeouts: true });
	const customers = await sandbox.createCustomers(400);
	const first = makeItems(customers.slice(0, 200), 200, 'e-first');
	const second = makeItems(customers.slice(200), 200, 'e-second');
	const started = Date.now();
	const runs = await Promise.all([first, second].map(async (items) => await runNode(sandbox, items, { maxRequestsPerSecond: 100, endpointRequestsPerSecond: 100 })));
	const wallMs = Date.now() - started;
	const stats = await sandbox.stats();
	const transactions = await sandbox.transactions();
	const refs = transactions.map((transaction) => transaction.metadata?.bench_ref ?? '');
	const busiest = busiestSecond((await sandbox.timeline()).map(([at]) => at));
	const failed = runs.reduce((sum, run) => sum + run.failed, 0);
	const duplicates = refs.length - new Set(refs).size;
	const pass = busiest <= 100 && stats.rateLimited === 0 && failed === 0 && duplicates === 0 && transactions.length === 400;
	return {
		scenario: '(e) 2 executions x 200 items at once, one key, 100 ms, limit 100/s',
		wallMs,
		boundMs: 4000,
		failed,
		transactions: transactions.length,
		expected: 400,
		duplicates,
		rateLimited: stats.rateLimited,
		lockTimeouts: stats.lockTimeouts,
		busiestSecond: busiest,
		detail: `the two executions took ${runs.map((run) => `${s(run.wallMs)} s`).join(' and ')}`,
		target: {
			pass,
			text: `busiest second ${busiest} requests (ceiling 100); the sandbox sent ${stats.rateLimited} 429s; failed ${failed}; duplicates ${duplicates}; ${transactions.length}/400 transactions`,
		},
	};
}

/** Runs `work` against a fresh real n8n with the packed package, the burst and baseline workflows published. */
async function withPublishedWebhooks<T>(sandbox: Sandbox, work: (server: N8nServer) => Promise<T>): Promise<T> {
	const credential = { id: 'benchStripeBurst', name: 'Stripe sandbox (bench)' };
	const runtime = await provision();
	const workDir = await mkdtemp(join(tmpdir(), 'stripe-cb-bench-burst-'));
	const n8n = await N8nInstance.create({ runtime, userFolder: join(workDir, 'n8n') });
	let server: N8nServer | undefined;
	try {
		await n8n.installTarball((await packPackage(workDir)).tarball);
		await n8n.importCredentials([stripeCredential({ ...credential, secretKey: sandbox.secretKey, baseUrl: sandbox.url })]);
		await n8n.importWorkflows([burstWorkflow(credential), baselineWorkflow()]);
		server = await n8n.start();
		await publishWebhookWorkflows(server, [burstWorkflow(credential), baselineWorkflow()]);
		return await work(server);
	} finally {
		await server?.stop();
		await n8n.dispose();
		await rm(workDir, { recursive: true, force: true });
	}
}

export async function webhookBurstInN8n(): Promise<BetweenResult> {
	const sandbox = await startSandbox({ host: '127.0.0.1', faults: { rateLimitPerSecond: 25, lockTimeouts: true } });
	registerSecret(sandbox.secretKey);
	try {
		return await withPublishedWebhooks(sandbox, async (server) => {
			const noopBodies = Array.from({ length: 150 }, (_, index) => ({ record: index }));
			// Warm-up: n8n compiles and caches on the first executions of a workflow.
			await webhookBurst(server.url, BASELINE_PATH, noopBodies.slice(0, 10));
			const warmCustomers = Array.from({ length: 5 }, () => sandbox.createCustomer({}).id);
			await webhookBurst(server.url, BURST_PATH, burstRequests(warmCustomers, warmCustomers[0], 0));

			const baselines = [await webhookBurst(server.url, BASELINE_PATH, noopBodies)];
			const many = Array.from({ length: 120 }, (_, index) => sandbox.createCustomer({ name: `Referrer ${index}` }).id);
			const loyal = sandbox.createCustomer({ name: 'Loyal customer' }).id;
			const statsBefore = { ...sandbox.stats };
			const requestsBefore = sandbox.requests.length;
			const burst = await webhookBurst(server.url, BURST_PATH, burstRequests(many, loyal, 30));
			const arrivals = sandbox.requests.slice(requestsBefore).map((request) => request.at);
			baselines.push(await webhookBurst(server.url, BASELINE_PATH, noopBodies));

			const baselineMs = (baselines[0].totalMs + baselines[1].totalMs) / 2;
			const boundMs = Math.max(6000, baselineMs);
			const failed = burst.replies.filter((reply) => reply.status !== 200).length;
			const counts = [...many, loyal].map((customer) => sandbox.transactions(customer).length);
			const transactions = counts.reduce((sum, count) => sum + count, 0);
			const duplicates = counts.slice(0, 120).filter((count) => count > 1).length + Math.max(0, counts[120] - 30);
			const rateLimited = sandbox.stats.rateLimited - statsBefore.rateLimited;
			const lockTimeouts = sandbox.stats.lockTimeouts - statsBefore.lockTimeouts;
			const withinBound = burst.totalMs <= boundMs * 1.3;
			return {
				scenario: '(f) 150 webhook executions at once in n8n start, test key 25/s (120 customers + 30 for one)',
				wallMs: burst.totalMs,
				boundMs,
				failed,
				transactions,
				expected: 150,
				duplicates,
				rateLimited,
				lockTimeouts,
				busiestSecond: busiestSecond(arrivals),
				detail: `n8n alone, 150 x Webhook -> No Operation: ${baselines.map((baseline) => `${s(baseline.totalMs)} s`).join(' before, ')} after; bound = max(6 s, their mean)`,
				target: {
					pass: withinBound && failed === 0 && duplicates === 0 && transactions === 150,
					text: `${s(burst.totalMs)} s against a bound of ${s(boundMs)} s (${(burst.totalMs / boundMs).toFixed(2)}x, target <= 1.30x); failed ${failed}; duplicates ${duplicates}; ${transactions}/150 transactions; the sandbox sent ${rateLimited} rate_limit + ${lockTimeouts} lock_timeout 429s`,
				},
			};
		});
	} finally {
		await sandbox.close();
	}
}
