/**
 * `npm run bench`: throughput, exactly-once and CPU cost of the node, run through n8n's engine (test/engine:
 * Items source -> Stripe node, create), against the local Stripe sandbox in a child process, each beside the
 * official `stripe` SDK doing the same work through a promise pool at the same concurrency.
 *
 *   (a) live mode, 1,000 credits to distinct customers, keys from the data, Stripe's limits, 100 ms -> bound 40 s (credits: 25/s), <= 1% refused
 *   (a2) the same at version 2 (each customer also read once, for the currency check)  -> bound 40 s
 *   (t) test key, 500 credits, Stripe's limits, 100 ms                          -> bound 20 s (the account: 25/s)
 *   (b) 200 items for one customer, 100 ms latency, lock timeouts on            -> bound 200 x latency (serial writes)
 *   (c) 1,000 items under a fault mix (500s, drops after commit, slow replies)  -> exactly 1,000 transactions
 *   sweep: concurrency 8/16/32/64 x latency 100/300/500 ms, 300 items, 100/s    -> the default `concurrency`
 *   (d) CPU per item at zero latency (sandbox out of process), node vs SDK, plus diagnostics saying where it goes
 *   (e) two executions of 200 items at once on one key                         -> bound 4 s, never over the ceiling
 *   (f) 150 webhook executions at once in the real n8n (bench/betweenExecutions.ts) -> bound max(6 s, n8n's own time)
 *   (g) 2,000 credits in 20 webhook executions, live mode: one n8n process, then queue mode on 2 workers
 *       (bench/queueMode.ts)                                                      -> bound 80 s (credits: 25/s)
 *   (h) live mode, 300 credits By Email for 100 customers (mixed case), keys from the data, Stripe's limits -> bound 12 s (credits: 25/s)
 *   (a), (t) and (h) run at n8n's default On Error (every item checked, and its customer found, before any is sent)
 *   "Live mode": the sandbox's test key under Stripe's live-mode limits (`liveModeLimits`: 100/s globally, 25/s per
 *   endpoint), the node told the account's 100/s (Options > Max Requests per Second), as for a live key at Stripe
 *   (i) the balance trigger answers Stripe's deliveries while one execution of 1,000 credits saturates the same
 *       account's pacer in the same n8n process (bench/triggerUnderLoad.ts)           -> every answer within 2 s
 *
 *   (j) CPU per webhook execution in one real n8n (bench/perExecution.ts): Webhook -> the node (v1, v2) vs Webhook ->
 *       HTTP Request node (the key in a header, and in a Header Auth credential), over Webhook -> No Operation; 300
 *       executions each, 10 at a time -> node / HTTP Request <= 1.0x
 *   (m) memory per credit, one execution of 10,000 credits in the engine (bench/memoryPerCredit.ts) -> <= 39.4 KB
 *
 * Options: --only a,t,b,c,sweep,d,m,e,f,g,h,i,j (default: all); --profile: V8 CPU profiles of n8n during (j); --hog: a CPU hog keeps one core busy throughout (the load of
 * a busy n8n host, under which requests reach Stripe bunched). Results: stdout and bench-results/latest.md (+ latest.json).
 * A benchmark, not a test: missed targets are reported (exit code 0); the exit code is 1 only if the bench breaks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';

import { makeItems, runNode, runSdk, sdkClient, type BenchItem, type ClientRun, type NodeOptions } from './bench/runners';
import { machine, formatFailures, perSecond, ratio, seconds, table } from './bench/report';
import { RemoteSandbox } from '../test/sandbox/remote';
import { NO_RATE_LIMITS } from '../test/sandbox';
import { twoExecutionsAtOnce, webhookBurstInN8n, type BetweenResult } from './bench/betweenExecutions';
import { queueModeBench } from './bench/queueMode';
import { triggerUnderBulkRun } from './bench/triggerUnderLoad';
import { describePerExecution, perExecutionCpu } from './bench/perExecution';
import { memoryPerCredit } from './bench/memoryPerCredit';

// The node's default (actions/options.ts), from the build the bench runs: the SDK gets the same concurrency.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEFAULT_CONCURRENCY } = require('../dist/nodes/StripeCustomerBalance/actions/options.js') as { DEFAULT_CONCURRENCY: number };

const log = (message: string) => process.stdout.write(`${message}\n`);

interface Verification {
	transactions: number;
	uniqueRefs: number;
	duplicates: number;
	missing: number;
	uniqueAmounts: number;
	balancesExact: boolean;
	balancesMatchLedger: boolean;
	landed: Set<string>;
}

/** What the sandbox holds after a run: one transaction per item, no duplicate, balances = sum of the items' amounts. */
async function verify(sandbox: RemoteSandbox, items: BenchItem[]): Promise<Verification> {
	const transactions = await sandbox.transactions();
	const refs = transactions.map((transaction) => transaction.metadata?.bench_ref ?? '');
	const uniqueRefs = new Set(refs).size;
	const wanted = new Set(items.map((item) => item.ref));
	const landed = new Set(refs.filter((ref) => wanted.has(ref)));
	const customers = [...new Set(items.map((item) => item.customer))];
	const balances = await sandbox.balances(customers);
	const expected = new Map<string, number>();
	const ledger = new Map<string, number>();
	for (const item of items) expected.set(item.customer, (expected.get(item.customer) ?? 0) + item.amount);
	for (const transaction of transactions) ledger.set(transaction.customer, (ledger.get(transaction.customer) ?? 0) + transaction.amount);
	return {
		transactions: transactions.length,
		uniqueRefs,
		duplicates: transactions.length - uniqueRefs,
		missing: wanted.size - landed.size,
		uniqueAmounts: new Set(transactions.map((transaction) => transaction.amount)).size,
		balancesExact: customers.every((customer, index) => balances[index] === expected.get(customer)),
		balancesMatchLedger: customers.every((customer, index) => balances[index] === (ledger.get(customer) ?? 0)),
		landed,
	};
}

interface Row {
	scenario: string;
	client: string;
	items: number;
	run: ClientRun;
	boundMs: number;
	firstRequestMs: number;
	requests: number;
	stats: Awaited<ReturnType<RemoteSandbox['stats']>>;
	check: string;
}

interface Target {
	name: string;
	pass: boolean;
	text: string;
}

const rows: Row[] = [];
const targets: Target[] = [];
const notes: string[] = [];

type Judge = (run: ClientRun, verification: Verification, stats: Row['stats'], requests: number) => { check: string; target?: Omit<Target, 'name'> };

async function measure(
	sandbox: RemoteSandbox,
	scenario: string,
	client: 'node' | 'sdk',
	items: BenchItem[],
	boundMs: number,
	run: () => Promise<ClientRun>,
	judge: Judge,
): Promise<void> {
	const result = await run();
	const stats = await sandbox.stats();
	const timeline = await sandbox.timeline();
	const verification = await verify(sandbox, items);
	const { check, target } = judge(result, verification, stats, timeline.length);
	const firstRequestMs = timeline.length > 0 ? timeline[0][0] - result.startedAt : NaN;
	const row: Row = {
		scenario,
		client: client === 'node' ? 'n8n node' : 'stripe SDK',
		items: items.length,
		run: result,
		boundMs,
		firstRequestMs,
		requests: timeline.length,
		stats,
		check,
	};
	rows.push(row);
	if (target) targets.push({ name: scenario.split(' ')[0], ...target });
	log(
		`  ${row.client.padEnd(10)} ${seconds(result.wallMs)} s (first request after ${seconds(firstRequestMs)} s), ` +
			`${perSecond(items.length, result.wallMs)} items/s, ${ratio(result.wallMs, boundMs)} bound, failed ${formatFailures(result.failures)}, ` +
			`requests ${timeline.length}, 429 sent ${stats.rateLimited} rate_limit + ${stats.lockTimeouts} lock_timeout; ${check}` +
			(target ? ` -> ${target.pass ? 'PASS' : 'FAIL'}` : ''),
	);
}

/** Each run starts from an empty sandbox with fresh customers. */
async function fresh(sandbox: RemoteSandbox, customers: number, faults: Parameters<RemoteSandbox['setFaults']>[0]): Promise<string[]> {
	await sandbox.reset();
	await sandbox.setFaults(faults);
	return await sandbox.createCustomers(customers);
}

function exactlyOnceText(v: Verification, items: BenchItem[], run: ClientRun): string {
	const balances = v.balancesExact ? 'exact' : v.balancesMatchLedger ? 'match the transactions (not all items landed)' : 'WRONG';
	// Written in Stripe although the client reported the item as failed (e.g. a retry of a dropped write hit a 429).
	const writtenButFailed = items.filter((item, index) => v.landed.has(item.ref) && !run.results[index]).length;
	return (
		`${v.transactions}/${items.length} transactions, ${v.duplicates} duplicates, ${v.missing} missing, balances ${balances}` +
		(writtenButFailed > 0 ? `, ${writtenButFailed} written but reported as failed` : '')
	);
}

/** Loads the package and warms the JIT for both clients (n8n has the package loaded before any execution). */
async function warmUp(sandbox: RemoteSandbox): Promise<void> {
	const items = makeItems(await fresh(sandbox, 100, { latencyMs: 0 }), 100, 'warm-node');
	await runNode(sandbox, items, { maxRequestsPerSecond: 1000, endpointRequestsPerSecond: 1000 });
	await runSdk(sandbox, makeItems(await fresh(sandbox, 100, { latencyMs: 0 }), 100, 'warm-sdk'), { concurrency: DEFAULT_CONCURRENCY });
}

/** Stripe's limits (the sandbox's defaults), 100 ms per request. */
const STRIPE_LIMITS = { latencyMs: 100, lockTimeouts: true } as const;

/** Live mode without a live key (the node sends one to api.stripe.com only): the sandbox's switch, the node's option. */
const LIVE_MODE_LIMITS = { ...STRIPE_LIMITS, liveModeLimits: true } as const;
const LIVE_MODE_NODE = { maxRequestsPerSecond: 100 } as const;

/** The older scenarios, measured against a single limit per account (100/s): no endpoint or Search limit. */
const SINGLE_LIMIT = { rateLimitPerSecond: 100, endpointRateLimitPerSecond: null, searchRateLimitPerSecond: null } as const;
const SINGLE_LIMIT_NODE = { maxRequestsPerSecond: 100, endpointRequestsPerSecond: 100 } as const;

/** Wall time against the tightest limit's bound, and the share of requests Stripe refused. */
function stripeLimitsTarget(run: ClientRun, v: Verification, stats: Row['stats'], requests: number, items: number, boundMs: number, slack: number) {
	const refused = stats.rateLimited / Math.max(1, requests);
	const pass = run.wallMs <= boundMs * slack && refused <= 0.01 && run.failed === 0 && v.transactions === items && v.duplicates === 0;
	return {
		pass,
		text:
			`wall ${seconds(run.wallMs)} s <= ${seconds(boundMs * slack)} s (${seconds(boundMs)} s bound x ${slack}): ${run.wallMs <= boundMs * slack ? 'yes' : 'NO'}; ` +
			`refused ${stats.rateLimited} of ${requests} requests (${(refused * 100).toFixed(1)}%, target <= 1%); failed items ${run.failed}`,
	};
}

async function creditsById(
	sandbox: RemoteSandbox,
	name: string,
	count: number,
	{ liveMode, keysFromData = false, version2 = false }: { liveMode: boolean; keysFromData?: boolean; version2?: boolean },
	boundMs: number,
	slack: number,
): Promise<void> {
	const items = makeItems(await fresh(sandbox, count, liveMode ? LIVE_MODE_LIMITS : STRIPE_LIMITS), count, `${name}-node`);
	await measure(
		sandbox,
		`(${name}) ${count.toLocaleString('en')} credits by id, ${liveMode ? 'live' : 'test'} mode, ${keysFromData ? 'keys from the data, ' : ''}${version2 ? 'version 2, ' : ''}Stripe's limits, 100 ms`,
		'node',
		items,
		boundMs,
		() => runNode(sandbox, items, { ...(liveMode && LIVE_MODE_NODE), keysFromData, version2, stopOnError: true }),
		(run, v, stats, requests) => ({
			check: `${exactlyOnceText(v, items, run)}; the sandbox sent ${stats.rateLimited} 429s, ${run.user429} reached the user`,
			target: stripeLimitsTarget(run, v, stats, requests, count, boundMs, slack),
		}),
	);
}

async function scenarioA(sandbox: RemoteSandbox): Promise<void> {
	log("\n(a) live mode, 1,000 credits to distinct customers by id, keys from the data, Stripe's limits (credits: one endpoint, 25/s): bound 40 s");
	// Keys from the data, as a CRM feed sets them: each customer's transactions are read before its write (their own
	// endpoint, 25/s), which must not slow the credits.
	await creditsById(sandbox, 'a', 1000, { liveMode: true, keysFromData: true }, 40_000, 1.1);
}

/** (a) at version 2, as a new node is: each customer is also read once, for the currency check (its own endpoint). */
async function scenarioA2(sandbox: RemoteSandbox): Promise<void> {
	log("\n(a2) as (a), the node at version 2 (Create also reads each customer once for the currency check): bound 40 s");
	await creditsById(sandbox, 'a2', 1000, { liveMode: true, keysFromData: true, version2: true }, 40_000, 1.1);
}

async function scenarioT(sandbox: RemoteSandbox): Promise<void> {
	log("\n(t) test key, 500 credits by id, Stripe's limits (25/s globally): bound 20 s");
	await creditsById(sandbox, 't', 500, { liveMode: false }, 20_000, 1.1);
}

/**
 * 100 customers whose emails Stripe holds in lower case; the items write every second one in another case
 * (`Customer7@Bench.example`), 3 credits each: 300 credits at the credits endpoint's 25/s = 12 s, the lookups (one
 * per email, on their own endpoint) running beside them.
 */
async function scenarioH(sandbox: RemoteSandbox): Promise<void> {
	log("\n(h) live mode, 300 credits for 100 customers by email (mixed case), keys from the data, Stripe's limits: bound 12 s");
	const bound = 12_000;
	await sandbox.reset();
	await sandbox.setFaults(LIVE_MODE_LIMITS);
	const emails = Array.from({ length: 100 }, (_, index) => `customer${index}@bench.example`);
	const customers = await sandbox.createCustomersWithEmails(emails);
	const written = (index: number) => (index % 2 === 0 ? emails[index] : emails[index].replace(/^c/, 'C').replace('bench', 'Bench'));
	const items = makeItems(customers, 300, 'h-node').map((item, index) => ({ ...item, email: written(index % 100) }));
	await measure(
		sandbox,
		"(h) 300 credits by email, 100 emails, live mode, keys from the data, Stripe's limits, 100 ms",
		'node',
		items,
		bound,
		() => runNode(sandbox, items, { ...LIVE_MODE_NODE, byEmail: true, keysFromData: true, stopOnError: true }),
		(run, v, stats, requests) => ({
			check: `${exactlyOnceText(v, items, run)}; the sandbox sent ${stats.rateLimited} 429s (${JSON.stringify(stats.rateLimitedBy)}), ${run.user429} reached the user`,
			target: stripeLimitsTarget(run, v, stats, requests, 300, bound, 1.15),
		}),
	);
}

/** ending_balance of the i-th result = sum of amounts 0..i: the writes were applied in input order. */
function balancesInInputOrder(run: ClientRun, items: BenchItem[]): boolean {
	let sum = 0;
	return items.every((item, index) => {
		sum += item.amount;
		return run.results[index]?.ending_balance === sum;
	});
}

async function scenarioB(sandbox: RemoteSandbox): Promise<void> {
	log('\n(b) 200 items for one customer, latency 100 ms, lock timeouts on');
	const faults = { latencyMs: 100, ...SINGLE_LIMIT, lockTimeouts: true };
	const bound = 200 * 100;
	for (const client of ['node', 'sdk'] as const) {
		const items = makeItems(await fresh(sandbox, 1, faults), 200, `b-${client}`);
		await measure(
			sandbox,
			'(b) 200 items, 1 customer, 100 ms, lock timeouts on',
			client,
			items,
			bound,
			() => (client === 'node' ? runNode(sandbox, items, { ...SINGLE_LIMIT_NODE }) : runSdk(sandbox, items, { concurrency: DEFAULT_CONCURRENCY })),
			(run, v, stats) => {
				const inOrder = balancesInInputOrder(run, items);
				const lockFailures = run.failures.lock_timeout ?? 0;
				const check =
					`${exactlyOnceText(v, items, run)}; the sandbox sent ${stats.lockTimeouts} lock_timeout 429s, ${lockFailures} items failed on one; ` +
					`ending_balance sequence ${inOrder ? 'in input order' : 'NOT in input order'}` +
					(client === 'node' ? `, output order ${run.orderKept ? 'kept' : 'BROKEN'}` : '');
				if (client === 'sdk') return { check };
				const pass = lockFailures === 0 && run.failed === 0 && inOrder && run.orderKept && v.transactions === 200;
				return {
					check,
					target: {
						pass,
						text: `lock_timeout failures ${lockFailures}, failed items ${run.failed}, input order kept: ${inOrder && run.orderKept} (ending_balance sequence and output pairing); wall ${seconds(run.wallMs)} s vs 200 x 100 ms = 20 s`,
					},
				};
			},
		);
	}
}

async function scenarioC(sandbox: RemoteSandbox): Promise<void> {
	const faults = {
		latencyMs: 50,
		...SINGLE_LIMIT,
		lockTimeouts: true,
		serverErrorRate: 0.05,
		dropAfterCommitRate: 0.05,
		slowReplyRate: 0.02,
		slowReplyMs: 3000,
		seed: 42,
	};
	const timeout = 1000;
	log(
		'\n(c) 1,000 items over 100 customers, fault mix: 5% 500s, 5% drops after commit, 2% replies 3 s late ' +
			`(client timeout ${timeout} ms), lock timeouts on, latency 50 ms, limit 100/s`,
	);
	const bound = 10_000;
	for (const client of ['node', 'sdk'] as const) {
		const items = makeItems(await fresh(sandbox, 100, faults), 1000, `c-${client}`);
		await measure(
			sandbox,
			'(c) 1,000 items, 100 customers, faults: 5% 500, 5% drop after commit, 2% 3 s replies (> 1 s timeout), 50 ms, limit 100/s',
			client,
			items,
			bound,
			() =>
				client === 'node'
					? runNode(sandbox, items, { ...SINGLE_LIMIT_NODE, maxRetries: 8, timeout })
					: runSdk(sandbox, items, { concurrency: DEFAULT_CONCURRENCY, timeout }),
			(run, v, stats) => {
				const check =
					`${exactlyOnceText(v, items, run)}, ${v.uniqueAmounts} distinct amounts; ` +
					`injected: ${stats.serverErrors} 500s, ${stats.dropped} drops, ${stats.slow} slow replies; ${stats.replays} idempotent replays, ` +
					`${stats.rateLimited} rate_limit, ${stats.lockTimeouts} lock_timeout`;
				if (client === 'sdk') return { check };
				const pass = v.transactions === 1000 && v.duplicates === 0 && v.missing === 0 && v.uniqueAmounts === 1000 && v.balancesExact && run.failed === 0;
				return {
					check,
					target: {
						pass,
						text: `transactions ${v.transactions} (exactly 1,000), duplicates ${v.duplicates}, distinct amounts/refs ${v.uniqueAmounts}/${v.uniqueRefs}, balances exact: ${v.balancesExact}, failed items ${run.failed}`,
					},
				};
			},
		);
	}
	notes.push(
		`(c): both clients get a ${timeout} ms request timeout (node option Timeout, SDK option \`timeout\`), so the 3 s replies are abandoned and retried; ` +
			'the node runs with Max Retries 8, the SDK with its default maxNetworkRetries 2.',
	);
}

interface SweepCell {
	latencyMs: number;
	concurrency: number;
	wallMs: number;
	failed: number;
	rateLimited: number;
}

async function sweep(sandbox: RemoteSandbox): Promise<SweepCell[]> {
	const repeats = 2;
	log(`\nConcurrency sweep (node): 300 items, distinct customers, limit 100/s (node option and sandbox), best of ${repeats}`);
	const cells: SweepCell[] = [];
	for (const latencyMs of [100, 300, 500]) {
		for (const concurrency of [8, 16, 32, 64]) {
			let best: SweepCell | undefined;
			for (let repeat = 0; repeat < repeats; repeat++) {
				const items = makeItems(await fresh(sandbox, 300, { latencyMs, ...SINGLE_LIMIT, lockTimeouts: true }), 300, `s-${latencyMs}-${concurrency}-${repeat}`);
				const run = await runNode(sandbox, items, { ...SINGLE_LIMIT_NODE, concurrency });
				const stats = await sandbox.stats();
				const cell = { latencyMs, concurrency, wallMs: run.wallMs, failed: run.failed, rateLimited: stats.rateLimited };
				if (!best || cell.wallMs < best.wallMs) best = cell;
			}
			cells.push(best!);
			log(
				`  latency ${latencyMs} ms, concurrency ${String(concurrency).padStart(2)}: ${seconds(best!.wallMs)} s, ` +
					`${perSecond(300, best!.wallMs)} items/s, ${ratio(best!.wallMs, 3000)} bound, failed ${best!.failed}, 429 sent ${best!.rateLimited}`,
			);
		}
	}
	return cells;
}

interface CpuVariant {
	key: string;
	label: string;
	diagnostic: boolean;
	run: (sandbox: RemoteSandbox, items: BenchItem[]) => Promise<ClientRun>;
}

interface CpuResult {
	key: string;
	label: string;
	diagnostic: boolean;
	items: number;
	runs: Array<{ cpuUs: number; wallMs: number; failed: number }>;
	medianUsPerItem: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function cpuVariants(sandbox: RemoteSandbox): CpuVariant[] {
	const sdk = sdkClient(sandbox);
	const sdkNoKeepAlive = sdkClient(sandbox, undefined, { httpAgent: new http.Agent({ keepAlive: false }) });
	const node = (options: NodeOptions) => (s: RemoteSandbox, items: BenchItem[]) => runNode(s, items, options);
	return [
		{ key: 'node', label: 'n8n node (as in a-c: 4 expressions per item)', diagnostic: false, run: node({ maxRequestsPerSecond: 1000, endpointRequestsPerSecond: 1000 }) },
		{ key: 'sdk', label: 'stripe SDK (keep-alive, no pacing)', diagnostic: false, run: (s, items) => runSdk(s, items, { concurrency: DEFAULT_CONCURRENCY }, sdk) },
		{ key: 'floor', label: 'floor: minimal n8n node, same 4 expressions, same n8n HTTP helper, 32 in flight', diagnostic: true, run: node({ floor: true }) },
		{ key: 'floor-paced-literal', label: 'floor, literal parameters, paced at 1000/s like the node', diagnostic: true, run: node({ floor: true, literal: true, maxRequestsPerSecond: 1000, endpointRequestsPerSecond: 1000 }) },
		{ key: 'floor-literal', label: 'floor, literal parameters, no pacing', diagnostic: true, run: node({ floor: true, literal: true }) },
		{ key: 'sdk-no-keepalive', label: 'stripe SDK, new connection per request (as n8n\'s helper)', diagnostic: true, run: (s, items) => runSdk(s, items, { concurrency: DEFAULT_CONCURRENCY }, sdkNoKeepAlive) },
	];
}

async function scenarioD(sandbox: RemoteSandbox): Promise<CpuResult[]> {
	const count = 2000;
	const repeats = 3;
	log(
		`\n(d) CPU per item of the bench process at zero latency, no sandbox limit, ${count} items per run, ${repeats} rounds ` +
			`(variants interleaved), after a warm-up run of each; sandbox in pid ${sandbox.pid}, bench in pid ${process.pid}`,
	);
	// Lock timeouts off: the literal floor variants send every item to one customer, 32 at a time.
	const faults = { latencyMs: 0, ...NO_RATE_LIMITS, lockTimeouts: false };
	const variants = cpuVariants(sandbox);
	const runs = new Map<string, CpuResult['runs']>(variants.map((variant) => [variant.key, []]));
	for (const variant of variants) await variant.run(sandbox, makeItems(await fresh(sandbox, 300, faults), 300, `d-warm-${variant.key}`));
	for (let round = 0; round < repeats; round++) {
		for (const variant of variants) {
			const items = makeItems(await fresh(sandbox, count, faults), count, `d-${variant.key}-${round}`);
			const run = await variant.run(sandbox, items);
			runs.get(variant.key)!.push({ cpuUs: run.cpuUs, wallMs: run.wallMs, failed: run.failed });
		}
		log(`  round ${round + 1}: ${variants.map((variant) => `${variant.key} ${(runs.get(variant.key)!.at(-1)!.cpuUs / count).toFixed(0)} µs`).join(', ')} (load ${loadavg()[0].toFixed(2)})`);
	}
	return variants.map((variant) => {
		const list = runs.get(variant.key)!;
		return { key: variant.key, label: variant.label, diagnostic: variant.diagnostic, items: count, runs: list, medianUsPerItem: median(list.map((run) => run.cpuUs / count)) };
	});
}

/** Issue 29's bound: what n8n held per credit at 10,000 credits when it was filed (39.4 KB) must not grow. */
const MEMORY_KB_PER_CREDIT = 39.4;

async function scenarioM(sandbox: RemoteSandbox): Promise<void> {
	log('\n(m) memory per credit: one execution of 10,000 credits in the engine, no latency, no limit');
	const result = await memoryPerCredit(sandbox);
	const v = (await sandbox.transactions()).length;
	const text =
		`peak heap ${result.heapKbPerCredit.toFixed(1)} KB and peak resident memory ${result.rssKbPerCredit.toFixed(1)} KB per credit above the start ` +
		`(target: heap <= ${MEMORY_KB_PER_CREDIT} KB); ${result.run.ok}/${result.credits} credits, ${v} transactions in the sandbox, wall ${seconds(result.run.wallMs)} s`;
	log(`  ${text}`);
	notes.push(`(m) ${text}`);
	targets.push({ name: '(m)', pass: result.heapKbPerCredit <= MEMORY_KB_PER_CREDIT && result.run.ok === result.credits && v === result.credits, text });
}

function parseOnly(): Set<string> {
	const index = process.argv.findIndex((arg) => arg.startsWith('--only'));
	if (index === -1) return new Set(['a', 'a2', 't', 'b', 'c', 'sweep', 'd', 'm', 'e', 'f', 'g', 'h', 'i', 'j']);
	const arg = process.argv[index];
	return new Set((arg.includes('=') ? arg.split('=')[1] : (process.argv[index + 1] ?? '')).split(','));
}

/** A run's result in one line: its target, or for a reference run what it measured. */
function summary(result: BetweenResult): string {
	return result.target?.text ?? `${result.scenario}: ${seconds(result.wallMs)} s (${ratio(result.wallMs, result.boundMs)} the bound; a reference, no target)`;
}

function renderBetween(results: BetweenResult[]): string[] {
	if (results.length === 0) return [];
	return [
		'## Between executions',
		'',
		table(
			['Scenario', 'Wall s', 'Bound s', 'Wall / bound', 'Failed', 'Transactions', 'Duplicates', 'Busiest second', '429s sent (rate_limit / lock_timeout)', 'Also measured'],
			results.map((result) => [
				result.scenario,
				seconds(result.wallMs),
				seconds(result.boundMs),
				ratio(result.wallMs, result.boundMs),
				result.failed,
				`${result.transactions}/${result.expected}`,
				result.duplicates,
				result.busiestSecond,
				`${result.rateLimited} / ${result.lockTimeouts}`,
				result.detail,
			]),
		),
		'',
	];
}

function renderMarkdown(started: number, machineLines: string[], sweepCells: SweepCell[], cpu: CpuResult[], between: BetweenResult[]): string {
	const md: string[] = [];
	md.push('# Bench: n8n-nodes-stripe-customer-balance', '');
	md.push(`Run ${new Date(started).toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s in total (load average at the end: ${loadavg().map((value) => value.toFixed(2)).join(' / ')}).`, '');
	md.push(...machineLines.map((line) => `- ${line}`), '');
	md.push(
		"How: the node runs inside n8n-core's WorkflowExecute (test/engine: test-only Items source -> Stripe node, Create; customer, amount, currency and metadata.bench_ref " +
			'by expression from each item; On Error: Continue so that failed items can be counted). The stripe SDK 23.1.0 does the same creates through a promise pool ' +
			`at the node's concurrency (${DEFAULT_CONCURRENCY}), SDK defaults otherwise (maxNetworkRetries 2, its own idempotency keys, no rate limiter). The sandbox runs in a child process. ` +
			"It only accepts test keys, for which the node's default ceiling is Stripe's test-mode 25 requests/s, so the node runs with Max Requests per Second = 100 to match the sandbox's limit of 100/s. " +
			'Both clients are warmed up (package loaded, JIT) before (a).',
		'',
	);
	if (rows.length > 0) {
		md.push(
			table(
				['Scenario', 'Client', 'Wall s', 'Items/s', 'Bound s', 'Wall / bound', 'First request after s', 'Failed items', 'Requests', '429s sent (rate_limit / lock_timeout)', '429s to user', 'Check'],
				rows.map((row) => [
					row.scenario,
					row.client,
					seconds(row.run.wallMs),
					perSecond(row.items, row.run.wallMs),
					seconds(row.boundMs),
					ratio(row.run.wallMs, row.boundMs),
					seconds(row.firstRequestMs),
					formatFailures(row.run.failures),
					row.requests,
					`${row.stats.rateLimited} / ${row.stats.lockTimeouts}`,
					row.run.user429,
					row.check,
				]),
			),
			'',
			'Bounds: (a) and (c) 1,000 requests at 100/s = 10 s; (b) 200 writes to one customer, serial, x 100 ms = 20 s. ' +
				'"First request after" is the time from the start of the workflow to the sandbox receiving the first request.',
			'',
		);
	}
	if (sweepCells.length > 0) {
		const latencies = [...new Set(sweepCells.map((cell) => cell.latencyMs))];
		const concurrencies = [...new Set(sweepCells.map((cell) => cell.concurrency))];
		md.push('## Concurrency sweep (node; 300 items, distinct customers, limit 100/s; bound 3 s; best of 2 runs)', '');
		md.push(
			table(
				['Latency', ...concurrencies.map((c) => `concurrency ${c}${c === DEFAULT_CONCURRENCY ? ' (default)' : ''}`)],
				latencies.map((latencyMs) => [
					`${latencyMs} ms`,
					...concurrencies.map((concurrency) => {
						const cell = sweepCells.find((entry) => entry.latencyMs === latencyMs && entry.concurrency === concurrency)!;
						return `${seconds(cell.wallMs)} s, ${perSecond(300, cell.wallMs)} items/s (${ratio(cell.wallMs, 3000)})${cell.failed ? `, ${cell.failed} failed` : ''}${cell.rateLimited ? `, ${cell.rateLimited} x 429` : ''}`;
					}),
				]),
			),
			'',
			'Little\'s law: requests in flight = rate x latency, so 100 requests/s need a concurrency of at least 10 at 100 ms, 30 at 300 ms, 50 at 500 ms.',
			'',
		);
	}
	if (cpu.length > 0) {
		const by = (key: string) => cpu.find((result) => result.key === key);
		md.push('## CPU per item (bench process only; sandbox in a child process; zero latency, no limit)', '');
		md.push(
			table(
				['Client', 'Role', 'CPU µs/item (median)', 'vs SDK', 'Runs: µs/item, wall'],
				cpu.map((result) => [
					result.label,
					result.diagnostic ? 'diagnostic' : 'target',
					result.medianUsPerItem.toFixed(0),
					by('sdk') ? `${(result.medianUsPerItem / by('sdk')!.medianUsPerItem).toFixed(2)}x` : '',
					result.runs.map((run) => `${(run.cpuUs / result.items).toFixed(0)} µs, ${seconds(run.wallMs)} s${run.failed ? `, ${run.failed} failed` : ''}`).join('; '),
				]),
			),
			'',
		);
		const node = by('node');
		const sdk = by('sdk');
		if (node && sdk) {
			const factor = node.medianUsPerItem / sdk.medianUsPerItem;
			targets.push({
				name: '(d)',
				pass: factor <= 1.5,
				text: `node CPU per item ${node.medianUsPerItem.toFixed(0)} µs vs SDK ${sdk.medianUsPerItem.toFixed(0)} µs = ${factor.toFixed(2)}x (target <= 1.5x)`,
			});
			const parts: string[] = [];
			const floor = by('floor');
			const floorPaced = by('floor-paced-literal');
			const floorLiteral = by('floor-literal');
			const noKeepAlive = by('sdk-no-keepalive');
			const us = (value: number) => `${value.toFixed(0)} µs`;
			if (floor) parts.push(`the node over the least an n8n node can do with the same expressions and HTTP helper: node - floor = ${us(node.medianUsPerItem - floor.medianUsPerItem)} (node / floor = ${(node.medianUsPerItem / floor.medianUsPerItem).toFixed(2)}x)`);
			if (floor && floorLiteral) parts.push(`n8n expressions, 4 per item: floor - floor literal = ${us(floor.medianUsPerItem - floorLiteral.medianUsPerItem)} (${us((floor.medianUsPerItem - floorLiteral.medianUsPerItem) / 4)} per expression)`);
			if (floorPaced && floorLiteral) parts.push(`pacing requests at 1000/s as the node does: floor paced - floor literal = ${us(floorPaced.medianUsPerItem - floorLiteral.medianUsPerItem)}`);
			if (floorLiteral) parts.push(`n8n's engine and HTTP helper (httpRequestWithAuthentication) without expressions: floor literal - SDK = ${us(floorLiteral.medianUsPerItem - sdk.medianUsPerItem)}`);
			if (noKeepAlive) parts.push(`for comparison, a new TCP connection per request (n8n's helper builds new http/https Agents for every request): SDK without keep-alive - SDK = ${us(noKeepAlive.medianUsPerItem - sdk.medianUsPerItem)}`);
			if (parts.length > 0) md.push('Where the node\'s CPU goes (differences of medians; noisy on a shared 2-core machine):', '', ...parts.map((part) => `- ${part}`), '');
		}
	}
	md.push(...renderBetween(between));
	for (const result of between) if (result.target) targets.push({ name: result.scenario.split(' ')[0], ...result.target });
	const aNode = rows.find((row) => row.scenario.startsWith('(a)') && row.client === 'n8n node');
	if (aNode) {
		const sending = aNode.run.wallMs - aNode.firstRequestMs;
		notes.push(
			`(a) node: ${seconds(aNode.firstRequestMs)} s pass before the first request (with On Error: continue each item is sent as soon as it is prepared: execution/runItems.ts), ` +
				`then ${seconds(sending)} s for ${aNode.requests} requests (${perSecond(aNode.requests, sending)} requests/s against a ceiling of 100/s; ` +
				`the sandbox answered ${aNode.stats.rateLimited} requests with 429, each retried; after a 429 the node slows down to the share Stripe let through, at most once a second: transport/rateLimiter.ts).`,
		);
	}
	if (targets.length > 0) {
		md.push('## Targets', '');
		for (const target of targets) md.push(`- ${target.pass ? 'PASS' : 'FAIL'} ${target.name}: ${target.text}`);
		md.push('');
	}
	if (notes.length > 0) md.push('## Notes', '', ...notes.map((note) => `- ${note}`), '');
	return md.join('\n');
}

/** A process that keeps one core busy until killed. */
function startCpuHog(): ChildProcess {
	return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

async function main(): Promise<void> {
	const only = parseOnly();
	const started = Date.now();
	const hog = process.argv.includes('--hog') ? startCpuHog() : undefined;
	process.on('exit', () => hog?.kill());
	const machineLines = [...machine(), ...(hog ? ['A CPU hog kept one core busy throughout (--hog)'] : [])];
	log('# Stripe Customer Balance node: bench');
	machineLines.forEach((line) => log(line));

	const sandbox = await RemoteSandbox.start();
	let sweepCells: SweepCell[] = [];
	let cpu: CpuResult[] = [];
	const between: BetweenResult[] = [];
	try {
		await warmUp(sandbox);
		if (only.has('a')) await scenarioA(sandbox);
		if (only.has('a2')) await scenarioA2(sandbox);
		if (only.has('t')) await scenarioT(sandbox);
		if (only.has('b')) await scenarioB(sandbox);
		if (only.has('c')) await scenarioC(sandbox);
		if (only.has('sweep')) sweepCells = await sweep(sandbox);
		if (only.has('d')) cpu = await scenarioD(sandbox);
		if (only.has('h')) await scenarioH(sandbox);
		if (only.has('m')) await scenarioM(sandbox);
		if (only.has('e')) {
			log('\n(e) two executions of 200 items at once on one key');
			between.push(await twoExecutionsAtOnce(sandbox));
			log(`  ${summary(between[between.length - 1])}`);
		}
	} finally {
		await sandbox.close();
	}
	if (only.has('f')) {
		log('\n(f) 150 webhook executions at once in the real n8n');
		between.push(await webhookBurstInN8n());
		log(`  ${summary(between[between.length - 1])}`);
	}
	if (only.has('i')) {
		log('\n(i) the balance trigger answers Stripe while a bulk run of 1,000 credits saturates the account');
		between.push(await triggerUnderBulkRun());
		log(`  ${summary(between[between.length - 1])}`);
	}
	if (only.has('g')) {
		log('\n(g) 2,000 credits in 20 webhook executions: one n8n process, then queue mode on 2 workers');
		for (const result of await queueModeBench()) {
			between.push(result);
			log(`  ${summary(result)}`);
		}
	}

	if (only.has('j')) {
		log('\n(j) CPU per webhook execution in one real n8n: the node (versions 1 and 2) against the HTTP Request node');
		const profileDir = process.argv.includes('--profile') ? path.resolve(__dirname, '..', 'bench-results', 'profiles') : undefined;
		const result = await perExecutionCpu({ profileDir });
		const lines = describePerExecution(result);
		lines.forEach((line) => log(line));
		notes.push(`(j) ${lines.join(' ')}`);
		const worst = Math.max(result.ratioV1, result.ratioV2);
		targets.push({ name: '(j)', pass: worst <= 1, text: `node / HTTP Request node, CPU added per webhook execution: v1 ${result.ratioV1.toFixed(2)}x, v2 ${result.ratioV2.toFixed(2)}x (target <= 1.00x)` });
		const worstLikeForLike = Math.max(result.ratioV1Credential, result.ratioV2Credential);
		targets.push({
			name: '(j) key in a credential',
			pass: worstLikeForLike <= 1,
			text: `node / HTTP Request node holding the key in a credential as the node does: v1 ${result.ratioV1Credential.toFixed(2)}x, v2 ${result.ratioV2Credential.toFixed(2)}x (target <= 1.00x)`,
		});
		if (profileDir) log(`  V8 CPU profiles of n8n in ${profileDir} (summarise: tsx scripts/bench/summarizeProfile.ts <file>)`);
	}

	const text = renderMarkdown(started, machineLines, sweepCells, cpu, between);
	log(`\n${text}`);
	const outDir = path.resolve(__dirname, '..', 'bench-results');
	mkdirSync(outDir, { recursive: true });
	writeFileSync(path.join(outDir, 'latest.md'), text);
	writeFileSync(
		path.join(outDir, 'latest.json'),
		JSON.stringify({ machine: machineLines, rows: rows.map((row) => ({ ...row, run: { ...row.run, results: undefined } })), targets, sweep: sweepCells, cpu, between }, null, 2),
	);
	log(`Written to ${path.relative(process.cwd(), path.join(outDir, 'latest.md'))}`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
