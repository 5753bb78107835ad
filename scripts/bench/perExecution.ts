/**
 * Scenario (i): CPU per webhook execution in one real `n8n start`, the node against n8n's HTTP Request node.
 *
 * Four published workflows, each Webhook -> X (the reply is X's first item):
 *   floor  X = No Operation (what n8n itself costs per execution)
 *   v1     X = this node, version 1, Create: one credit, customer by id, amount/currency/description by expression
 *   v2     X = the same with version 2 (Direction: Credit, amount as written)
 *   http   X = n8n's HTTP Request node posting the same form to the same sandbox (Bearer header, form body by expression)
 *   httpCredential  the same, the key in a Header Auth credential (as a user who keeps keys out of workflows builds it):
 *          n8n then does per execution what it does for any node with a credential (checks the workflow may use it,
 *          reads it from its database, decrypts it)
 * Each variant gets `executions` webhook calls, `concurrency` at a time, in 12 rounds interleaved between the variants
 * (orders from a Latin square), against a sandbox that answers at once with no limit. CPU is n8n's: utime + stime
 * of every process in n8n's process group (/proc), read before and after each block of calls.
 *
 *   npm run bench -- --only i                 # 300 executions per variant, 10 at a time
 *   npm run bench -- --only i --profile       # also writes V8 CPU profiles of n8n to bench-results/profiles/
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	N8nInstance,
	WorkflowBuilder,
	noOpNode,
	packPackage,
	postWebhook,
	provision,
	publishWebhookWorkflows,
	registerSecret,
	stripe,
	stripeCredential,
	stripeNode,
	webhookNode,
	type WorkflowJson,
	type WorkflowNode,
} from '../n8n';
import { startSandbox, type Sandbox } from '../../test/sandbox';

type Variant = 'floor' | 'v1' | 'v2' | 'http' | 'httpCredential';
const VARIANTS: Variant[] = ['floor', 'v1', 'v2', 'http', 'httpCredential'];
const byVariant = <T>(value: () => T) => Object.fromEntries(VARIANTS.map((variant) => [variant, value()])) as Record<Variant, T>;

export interface PerExecutionResult {
	executions: number;
	concurrency: number;
	/** ms of CPU per execution, n8n's whole process group. */
	cpuMs: Record<Variant, number>;
	failed: Record<Variant, number>;
	/** Credits the sandbox holds per variant (one per execution expected for v1, v2, http). */
	written: Record<Variant, number>;
	ratioV1: number;
	ratioV2: number;
	/** Against the HTTP Request node that holds the key in a credential, as the node does. */
	ratioV1Credential: number;
	ratioV2Credential: number;
	/** The ratios of each round on its own (the spread says how much the machine's load moved the pooled ratio). */
	roundRatios: Array<{ v1: number; v2: number }>;
	loadAverage: string;
}

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/** utime + stime (ms) of every live process whose process group is `pgid`. */
function groupCpuMs(pgid: number): number {
	let ticks = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // ended meanwhile
		}
		// Fields after the command name (which may hold spaces): state ppid pgrp ... utime(14) stime(15).
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(fields[2]) !== pgid) continue;
		ticks += Number(fields[11]) + Number(fields[12]);
	}
	return (ticks * 1000) / CLK_TCK;
}

/** Each variant in each place of a round equally often (the orders rotate). */
const ORDERS: Variant[][] = VARIANTS.map((_, shift) => VARIANTS.map((__, index) => VARIANTS[(index + shift) % VARIANTS.length]));

/** After a block of calls, until n8n has saved the last executions; the same wait for every variant. */
const SETTLE_MS = 500;

const PATHS: Record<Variant, string> = { floor: 'cpu-floor', v1: 'cpu-node-v1', v2: 'cpu-node-v2', http: 'cpu-http-request', httpCredential: 'cpu-http-request-credential' };

const HEADER_CREDENTIAL = { id: 'benchCpuHeaderAu', name: 'Stripe key as Header Auth (bench cpu)' };

function httpRequestNode(name: string, sandbox: Sandbox, keyInCredential = false): WorkflowNode {
	const authentication = keyInCredential
		? { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' }
		: { sendHeaders: true, headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${sandbox.secretKey}` }] } };
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: {
			method: 'POST',
			url: `={{ '${sandbox.url}/v1/customers/' + $json.body.customerId + '/balance_transactions' }}`,
			...authentication,
			sendBody: true,
			contentType: 'form-urlencoded',
			bodyParameters: {
				parameters: [
					{ name: 'amount', value: '={{ $json.body.amount }}' },
					{ name: 'currency', value: '={{ $json.body.currency }}' },
					{ name: 'description', value: '={{ $json.body.note }}' },
				],
			},
			options: {},
		},
		...(keyInCredential ? { credentials: { httpHeaderAuth: HEADER_CREDENTIAL } } : {}),
	};
}

function workflows(sandbox: Sandbox, credential: { id: string; name: string }): Record<Variant, WorkflowJson> {
	const create = stripe.create({
		customer: '={{ $json.body.customerId }}',
		amount: '={{ $json.body.amount }}',
		currency: '={{ $json.body.currency }}',
		description: '={{ $json.body.note }}',
	});
	const build = (id: string, variant: Variant, node: WorkflowNode) =>
		new WorkflowBuilder(id, `CPU per execution: ${variant}`).chain(webhookNode('Webhook', PATHS[variant]), node).build();
	return {
		floor: build('cpuFloorHook0001', 'floor', noOpNode('No Operation')),
		v1: build('cpuNodeV1Hook001', 'v1', stripeNode('Credit balance', create, { credential })),
		v2: build('cpuNodeV2Hook001', 'v2', stripeNode('Credit balance', { ...create, direction: 'credit' }, { credential, typeVersion: 2 })),
		http: build('cpuHttpReqHook01', 'http', httpRequestNode('HTTP Request', sandbox)),
		httpCredential: build('cpuHttpCredHook1', 'httpCredential', httpRequestNode('HTTP Request', sandbox, true)),
	};
}

/** The request body of execution `index` of a variant: v1 takes Stripe's signed cents, v2 the amount as written. */
function body(variant: Variant, customerId: string, index: number): Record<string, unknown> {
	const cents = 100 + (index % 50);
	const amount = variant === 'v2' ? (cents / 100).toFixed(2) : -cents;
	return { customerId, amount, currency: 'usd', note: `Referral credit ${variant} ${index}` };
}

/** `count` webhook calls, `concurrency` at a time; returns how many did not answer 200. */
async function calls(url: string, variant: Variant, customers: string[], first: number, count: number, concurrency: number): Promise<number> {
	let next = 0;
	let failed = 0;
	const worker = async () => {
		while (next < count) {
			const index = first + next++;
			const reply = await postWebhook(url, PATHS[variant], body(variant, customers[index % customers.length], index));
			if (reply.status !== 200) failed++;
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return failed;
}

export async function perExecutionCpu(options: { executions?: number; concurrency?: number; rounds?: number; profileDir?: string } = {}): Promise<PerExecutionResult> {
	const executions = options.executions ?? 300;
	const concurrency = options.concurrency ?? 10;
	const rounds = options.rounds ?? 12;
	const perRound = Math.ceil(executions / rounds);
	const sandbox = await startSandbox({ host: '127.0.0.1', faults: { latencyMs: 0, rateLimitPerSecond: null, lockTimeouts: false } });
	registerSecret(sandbox.secretKey);
	const credential = { id: 'benchCpuPerExec1', name: 'Stripe sandbox (bench cpu)' };
	const runtime = await provision();
	const workDir = await mkdtemp(join(tmpdir(), 'stripe-cb-bench-cpu-'));
	const n8n = await N8nInstance.create({ runtime, userFolder: join(workDir, 'n8n') });
	try {
		await n8n.installTarball((await packPackage(workDir)).tarball);
		await n8n.importCredentials([
			stripeCredential({ ...credential, secretKey: sandbox.secretKey, baseUrl: sandbox.url }),
			{ ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${sandbox.secretKey}` } },
		]);
		const flows = workflows(sandbox, credential);
		await n8n.importWorkflows(Object.values(flows));
		const env: Record<string, string> = options.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.profileDir}` } : {};
		const server = await n8n.start({ env });
		try {
			await publishWebhookWorkflows(server, Object.values(flows));
			const pgid = server.pid!;
			// One customer per concurrent call of a block, so that no two calls lock the same customer.
			const customers = byVariant((): string[] => []);
			for (const variant of VARIANTS) customers[variant] = Array.from({ length: concurrency * 2 }, () => sandbox.createCustomer({}).id);
			const cpu = byVariant(() => 0);
			const failed = byVariant(() => 0);
			// Warm-up: n8n compiles and caches on the first executions of a workflow.
			for (const variant of VARIANTS) await calls(server.url, variant, customers[variant], 1_000_000, perRound, concurrency);
			const roundRatios: PerExecutionResult['roundRatios'] = [];
			for (let round = 0; round < rounds; round++) {
				// Each variant in each place equally often, and after each of the others (n8n finishes an execution's
				// bookkeeping after its reply: what a block leaves behind must not always land on the same next one).
				const order = ORDERS[round % ORDERS.length];
				const spent = byVariant(() => 0);
				for (const variant of order) {
					const before = groupCpuMs(pgid);
					failed[variant] += await calls(server.url, variant, customers[variant], round * perRound, perRound, concurrency);
					await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
					spent[variant] = groupCpuMs(pgid) - before;
					cpu[variant] += spent[variant];
				}
				const http = spent.http - spent.floor;
				roundRatios.push({ v1: (spent.v1 - spent.floor) / http, v2: (spent.v2 - spent.floor) / http });
			}
			const done = perRound * rounds;
			const written = byVariant(() => 0);
			for (const variant of VARIANTS) {
				written[variant] = customers[variant].reduce((sum, customer) => sum + sandbox.transactions(customer).length, 0) - (variant === 'floor' ? 0 : perRound);
			}
			const cpuMs = Object.fromEntries(VARIANTS.map((variant) => [variant, cpu[variant] / done])) as Record<Variant, number>;
			const http = cpuMs.http - cpuMs.floor;
			const httpCredential = cpuMs.httpCredential - cpuMs.floor;
			return {
				executions: done,
				concurrency,
				cpuMs,
				failed,
				written,
				ratioV1: (cpuMs.v1 - cpuMs.floor) / http,
				ratioV2: (cpuMs.v2 - cpuMs.floor) / http,
				ratioV1Credential: (cpuMs.v1 - cpuMs.floor) / httpCredential,
				ratioV2Credential: (cpuMs.v2 - cpuMs.floor) / httpCredential,
				roundRatios,
				loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / '),
			};
		} finally {
			await server.stop();
		}
	} finally {
		await n8n.dispose();
		await rm(workDir, { recursive: true, force: true });
		await sandbox.close();
	}
}

function median(values: number[]): number {
	// A round in which the HTTP Request node's blocks measured no more than the floor's has no ratio (Infinity, NaN).
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function describePerExecution(result: PerExecutionResult): string[] {
	const ms = (value: number) => `${value.toFixed(1)} ms`;
	const added = (variant: Variant) => result.cpuMs[variant] - result.cpuMs.floor;
	return [
		`${result.executions} executions per variant, ${result.concurrency} at a time, rounds interleaved; n8n's CPU (its process group) per execution:`,
		`  floor (Webhook -> No Operation) ${ms(result.cpuMs.floor)}; adds over it: node v1 ${ms(added('v1'))}, node v2 ${ms(added('v2'))}, HTTP Request ${ms(added('http'))}, HTTP Request with the key in a credential ${ms(added('httpCredential'))}`,
		`  ratio node / HTTP Request: version 1 ${result.ratioV1.toFixed(2)}x, version 2 ${result.ratioV2.toFixed(2)}x (target <= 1.00x)`,
		`  ratio node / HTTP Request with the key in a credential: version 1 ${result.ratioV1Credential.toFixed(2)}x, version 2 ${result.ratioV2Credential.toFixed(2)}x`,
		`  median of the rounds' ratios (less swayed by a round the machine disturbed): version 1 ${median(result.roundRatios.map((round) => round.v1)).toFixed(2)}x, version 2 ${median(result.roundRatios.map((round) => round.v2)).toFixed(2)}x`,
		`  per round (v1 / v2): ${result.roundRatios.map((round) => `${round.v1.toFixed(2)} / ${round.v2.toFixed(2)}`).join(', ')}`,
		`  failed calls: ${VARIANTS.map((variant) => `${variant} ${result.failed[variant]}`).join(', ')}; credits written: v1 ${result.written.v1}, v2 ${result.written.v2}, http ${result.written.http}, httpCredential ${result.written.httpCredential} (of ${result.executions} each); load average at the end ${result.loadAverage}`,
	];
}
