/**
 * The two clients under test, doing the same work: one balance transaction per item
 * (`{ customer, amount, currency, metadata[bench_ref] }`), against the out-of-process sandbox.
 *
 * - node: the built package inside n8n-core's WorkflowExecute (test/engine), Items source -> Stripe node, create.
 * - sdk:  the official `stripe` SDK (23.1.0) through a plain promise pool at the same concurrency, SDK defaults otherwise.
 */
import Stripe from 'stripe';

import { itemsThenStripe, runWorkflow } from '../../test/engine';
import { FLOOR_NODE_TYPE } from './floorNode';
import type { RemoteSandbox } from '../../test/sandbox/remote';

export interface BenchItem {
	customer: string;
	amount: number;
	currency: string;
	ref: string;
	/** Set when the item names its customer By Email (as a CRM record would). */
	email?: string;
}

export interface ClientRun {
	/** Date.now() when the run started (to place the sandbox's arrival times). */
	startedAt: number;
	wallMs: number;
	cpuUs: number;
	ok: number;
	failed: number;
	/** Final failures by Stripe code / error type, e.g. { rate_limit: 12, lock_timeout: 3 }. */
	failures: Record<string, number>;
	/** Failed items whose final error was an HTTP 429 (what the user sees). */
	user429: number;
	/** Per input index: the transaction returned (undefined when the item failed). */
	results: Array<{ id: string; amount: number; ending_balance: number; ref?: string } | undefined>;
	/** Output items paired with the right input item, in input order (node only; the SDK's results are indexed). */
	orderKept: boolean;
	workflowStatus?: string;
}

export function makeItems(customers: string[], count: number, tag: string): BenchItem[] {
	return Array.from({ length: count }, (_, index) => ({
		customer: customers[index % customers.length],
		amount: -(index + 1),
		currency: 'usd',
		ref: `${tag}-${index}`,
	}));
}

export interface NodeOptions {
	/** Diagnostics only: the bench-floor node (floorNode.ts) instead of the Stripe node. */
	floor?: boolean;
	/** Diagnostics only: parameters as literals (one customer, same amount) instead of expressions over the item. */
	literal?: boolean;
	/** Customer By Email from the item's `email` instead of By ID. */
	byEmail?: boolean;
	concurrency?: number;
	maxRequestsPerSecond?: number;
	endpointRequestsPerSecond?: number;
	/** n8n's default On Error (Stop Workflow) instead of Continue: every item checked, and its customer found, before any is sent. */
	stopOnError?: boolean;
	maxRetries?: number;
	timeout?: number;
	/**
	 * Each item's Idempotency Key from the data (`bench-<ref>`), as a CRM feed sets it: before each customer's first write
	 * the node reads its transactions, looking for earlier writes with those keys (one list request per customer).
	 */
	keysFromData?: boolean;
	/**
	 * The node at version 2, as a new node is (the bench's items carry Stripe's signed cents, so Direction: Signed Amount
	 * and Amount Format: Smallest Unit): Create also reads each customer once for the currency check.
	 */
	version2?: boolean;
}

/** Create, with every field read from the incoming item by expression, as a CRM feed would drive it. */
function floorParameters(literal: boolean | undefined, first: BenchItem): Record<string, unknown> {
	if (literal) return { customer: first.customer, amount: String(first.amount), currency: first.currency, ref: first.ref };
	return { customer: '={{ $json.customer }}', amount: '={{ $json.amount }}', currency: '={{ $json.currency }}', ref: '={{ $json.ref }}' };
}

function createParameters(
	{ literal, floor: _floor, byEmail, stopOnError: _stopOnError, keysFromData, version2, ...settings }: NodeOptions,
	first?: BenchItem,
): Record<string, unknown> {
	const options = {
		...settings,
		idempotencyKey: keysFromData ? '={{ "bench-" + $json.ref }}' : undefined,
		amountFormat: version2 ? 'smallestUnit' : undefined,
	};
	const signed = version2 ? { direction: 'signed' } : {};
	if (literal && first) {
		return {
			resource: 'customerBalanceTransaction',
			operation: 'create',
			customer: { __rl: true, mode: 'id', value: first.customer },
			amount: first.amount,
			currency: first.currency,
			additionalFields: { metadata: { metadataValues: [{ key: 'bench_ref', value: first.ref }] } },
			options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
		};
	}
	return {
		resource: 'customerBalanceTransaction',
		operation: 'create',
		...signed,
		customer: byEmail ? { __rl: true, mode: 'email', value: '={{ $json.email }}' } : { __rl: true, mode: 'id', value: '={{ $json.customer }}' },
		amount: '={{ $json.amount }}',
		currency: '={{ $json.currency }}',
		additionalFields: { metadata: { metadataValues: [{ key: 'bench_ref', value: '={{ $json.ref }}' }] } },
		options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
	};
}

function countFailure(failures: Record<string, number>, key: string): void {
	failures[key] = (failures[key] ?? 0) + 1;
}

export async function runNode(sandbox: RemoteSandbox, items: BenchItem[], options: NodeOptions): Promise<ClientRun> {
	const nodes = itemsThenStripe(items, createParameters(options, items[0]), {
		...(options.stopOnError ? {} : { onError: 'continueRegularOutput' as const }),
		...(options.version2 ? { typeVersion: 2 } : {}),
	});
	if (options.floor) {
		nodes[1].type = FLOOR_NODE_TYPE;
		nodes[1].parameters = { ...floorParameters(options.literal, items[0]), paceRps: options.maxRequestsPerSecond ?? 0 };
	}
	const credentials = { stripeCustomerBalanceApi: { secretKey: sandbox.secretKey, baseUrl: sandbox.url } };
	const startedAt = Date.now();
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const result = await runWorkflow({ nodes, credentials });
	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);

	const failures: Record<string, number> = {};
	let user429 = 0;
	let ok = 0;
	const results: ClientRun['results'] = new Array(items.length).fill(undefined);
	let orderKept = true;
	let output: ReturnType<typeof result.output> = [];
	try {
		output = result.output('Stripe');
	} catch (error) {
		countFailure(failures, `workflow: ${(error as Error).message}`);
	}
	if (output.length !== items.length) orderKept = false;
	output.forEach((item, position) => {
		const paired = item.pairedItem as { item: number } | undefined;
		const index = paired?.item ?? -1;
		if (index !== position) orderKept = false;
		const json = item.json as Record<string, unknown>;
		if (typeof json.error === 'string' || json.object !== 'customer_balance_transaction') {
			countFailure(failures, String(json.code ?? json.type ?? json.error));
			if (json.statusCode === 429) user429 += 1;
			return;
		}
		const metadata = json.metadata as Record<string, string> | null;
		if (!options.literal && metadata?.bench_ref !== items[index]?.ref) orderKept = false;
		ok += 1;
		results[index] = {
			id: String(json.id),
			amount: Number(json.amount),
			ending_balance: Number(json.ending_balance),
			ref: metadata?.bench_ref,
		};
	});
	return {
		startedAt,
		wallMs,
		cpuUs: cpu.user + cpu.system,
		ok,
		failed: items.length - ok,
		failures,
		user429,
		results,
		orderKept,
		workflowStatus: result.status,
	};
}

export interface SdkOptions {
	concurrency: number;
	/** Only set when the scenario's client timeout matters (slow replies); else the SDK's 80 s default. */
	timeout?: number;
	/** Diagnostics only: space requests evenly at this rate, as the node's rate limiter does (the SDK has none). */
	paceRps?: number;
}

export function sdkClient(sandbox: RemoteSandbox, timeout?: number, extra: Partial<Stripe.StripeConfig> = {}): Stripe {
	const { hostname, port } = new URL(sandbox.url);
	return new Stripe(sandbox.secretKey, {
		host: hostname,
		port: Number(port),
		protocol: 'http',
		...(timeout !== undefined && { timeout }),
		...extra,
	});
}

export async function runSdk(sandbox: RemoteSandbox, items: BenchItem[], options: SdkOptions, client?: Stripe): Promise<ClientRun> {
	const stripe = client ?? sdkClient(sandbox, options.timeout);
	const failures: Record<string, number> = {};
	let user429 = 0;
	let ok = 0;
	const results: ClientRun['results'] = new Array(items.length).fill(undefined);
	let next = 0;
	let nextSlot = 0;
	const pace = async (): Promise<void> => {
		if (!options.paceRps) return;
		const now = Date.now();
		const slot = Math.max(now, nextSlot);
		nextSlot = slot + 1000 / options.paceRps;
		if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
	};
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const index = next++;
			const item = items[index];
			await pace();
			try {
				const transaction = await stripe.customers.createBalanceTransaction(item.customer, {
					amount: item.amount,
					currency: item.currency,
					metadata: { bench_ref: item.ref },
				});
				ok += 1;
				results[index] = {
					id: transaction.id,
					amount: transaction.amount,
					ending_balance: transaction.ending_balance,
					ref: transaction.metadata?.bench_ref,
				};
			} catch (error) {
				const stripeError = error as { code?: string; type?: string; statusCode?: number; message?: string };
				countFailure(failures, stripeError.code ?? stripeError.type ?? String(stripeError.message));
				if (stripeError.statusCode === 429) user429 += 1;
			}
		}
	};
	const startedAt = Date.now();
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	await Promise.all(Array.from({ length: Math.min(options.concurrency, items.length) }, worker));
	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	return { startedAt, wallMs, cpuUs: cpu.user + cpu.system, ok, failed: items.length - ok, failures, user429, results, orderKept: true };
}
