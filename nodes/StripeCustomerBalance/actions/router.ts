import { randomUUID } from 'crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { InOrder } from '../execution/inOrder';
import { processPreparation } from '../execution/preparationTurns';
import { JobRunner, type Job } from '../execution/customerOrder';
import { IdempotencyKeys, StripeClient, detailsOf, errorItemJson, isAlreadySent } from '../transport';
import { choice } from '../choices';
import { InvalidInput, positiveInteger } from '../validation';
import { CheckOnlyRun, readCheckOnly } from './checkOnly';
import { customerLane } from './common';
import { CustomerLookup, type ResolvedCustomer } from './customerLookup';
import { propertiesOf, resourceField } from './description';
import { ParameterReader } from './parameters';
import * as customer from './customer';
import * as customerBalanceTransaction from './customerBalanceTransaction';
import type { Operation, PreparedItem } from './types';

const operationsByResource: Record<string, Record<string, Operation>> = {
	customerBalanceTransaction: customerBalanceTransaction.operations,
	customer: customer.operations,
};

/**
 * Sized so the rate limiter, not the pool, is the bottleneck. Requests in flight = rate x latency, and every request
 * through n8n's HTTP helper opens a new connection (TCP and TLS handshakes included): at 500 ms, 100 requests/s need
 * 50 in flight. The benchmark's sweep: 64 keeps 70/s at 500 ms where 32 caps near 52/s, and costs nothing at 100 ms;
 * the extra requests wait in the rate limiter, not at Stripe.
 */
export const DEFAULT_CONCURRENCY = 64;

function itemError(context: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof InvalidInput) {
		return new NodeOperationError(context.getNode(), `Invalid ${error.field} in item ${itemIndex}: ${error.message}`, {
			itemIndex,
			description: error.hint,
		});
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

function errorJson(error: NodeApiError | NodeOperationError, itemIndex: number): JsonObject {
	const stripe = detailsOf(error);
	if (stripe) return { ...errorItemJson(stripe), itemIndex };
	return { error: error.message, ...(error.description ? { hint: error.description } : {}), itemIndex };
}

/**
 * An item for On Error: continue. On the regular output its fields are flat (`$json.code`). For the error output n8n
 * merges the item over its input item and routes only items whose keys are error/message/details, so the fields go
 * under `details` there, which also keeps them from overwriting the input's own fields.
 */
function errorItem(context: IExecuteFunctions, error: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	const json = errorJson(error, itemIndex);
	if (context.getNode().onError !== 'continueErrorOutput') return { json, pairedItem: { item: itemIndex } };
	const { error: message, ...details } = json;
	return { json: { error: message, details }, pairedItem: { item: itemIndex } };
}

/**
 * A random id drawn when this node first runs in an execution, kept in the node's context. n8n keeps that context
 * across Retry On Fail, and stores it with a failed execution, from which its Retry starts under a new execution id:
 * the retried writes carry the first attempt's keys. Not the execution id itself: ids start again at 1 in a new
 * database (a reinstall, a second n8n), and keys must never meet another installation's keys at the same account.
 */
function idempotencyScope(context: IExecuteFunctions): string {
	const nodeContext = context.getContext('node');
	if (typeof nodeContext.idempotencyScope !== 'string') nodeContext.idempotencyScope = `run:${randomUUID()}`;
	return nodeContext.idempotencyScope as string;
}

/**
 * The node's run index in this execution. n8n's execution contexts hold it (n8n-core 1.x and 2.x); asking the workflow
 * data proxy for `$runIndex` builds the whole proxy (every `$` variable) on each execution for that one number.
 */
function runIndexOf(context: IExecuteFunctions): number {
	const held = (context as IExecuteFunctions & { runIndex?: unknown }).runIndex;
	return typeof held === 'number' ? held : context.getWorkflowDataProxy(0).$runIndex;
}

/** "3", "0-18 and 21-29": item indexes (ascending) as ranges. */
function itemRanges(indexes: number[]): string {
	const ranges: string[] = [];
	for (let start = 0; start < indexes.length; ) {
		let end = start;
		while (end + 1 < indexes.length && indexes[end + 1] === indexes[end] + 1) end++;
		ranges.push(end === start ? `${indexes[start]}` : `${indexes[start]}-${indexes[end]}`);
		start = end + 1;
	}
	return ranges.length === 1 ? ranges[0] : `${ranges.slice(0, -1).join(', ')} and ${ranges[ranges.length - 1]}`;
}

/**
 * Items Stripe had already applied with other values were not sent again. The money is right, but the values the
 * workflow now holds were not applied, which must not pass unnoticed: the node fails, after every other item was sent.
 */
function alreadySentError(errors: Map<number, NodeApiError>): NodeApiError {
	const [first] = errors.values();
	if (errors.size === 1) return first;
	const indexes = [...errors.keys()];
	first.message = `Items ${itemRanges(indexes)} were already sent to Stripe, with other values: they were not sent again`;
	return first;
}

/** Read from the first item, option by option: a bad choice elsewhere in its Options fails that item, not the run. */
function executionSettings(context: IExecuteFunctions): { concurrency: number; maxRequestsPerSecond?: number; endpointRequestsPerSecond?: number } {
	const options = (context.getNodeParameter('options', 0, {}) ?? {}) as { concurrency?: unknown; maxRequestsPerSecond?: unknown; endpointRequestsPerSecond?: unknown };
	const rate = (value: unknown, name: string) => (value === undefined || value === 0 ? undefined : positiveInteger(name, value, 1, 1000));
	return {
		concurrency: options.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveInteger('Concurrency', options.concurrency, 1, 100),
		maxRequestsPerSecond: rate(options.maxRequestsPerSecond, 'Max Requests per Second'),
		endpointRequestsPerSecond: rate(options.endpointRequestsPerSecond, 'Max Requests per Second per Endpoint'),
	};
}

/**
 * Validates every item first (nothing is sent if one is bad, unless On Error continues), then runs the items through
 * one Stripe client, and returns one output per item in input order, each paired with its input item.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const { typeVersion } = this.getNode();
	let resource: string;
	let operationName: string;
	try {
		resource = choice(resourceField, this.getNodeParameter('resource', 0));
		const [operationField] = propertiesOf(resource, undefined, typeVersion).filter((field) => field.name === 'operation');
		operationName = choice(operationField, this.getNodeParameter('operation', 0));
	} catch (error) {
		throw itemError(this, error, 0);
	}
	const operation = operationsByResource[resource][operationName];
	const continueOnFail = this.continueOnFail();
	const failures = new Map<number, INodeExecutionData>();
	const fail = (error: unknown, itemIndex: number) => {
		const wrapped = itemError(this, error, itemIndex);
		if (!continueOnFail) throw wrapped;
		failures.set(itemIndex, errorItem(this, wrapped, itemIndex));
	};

	const parameters = new ParameterReader(this, propertiesOf(resource, operationName, typeVersion));
	let settings: ReturnType<typeof executionSettings>;
	let client: StripeClient;
	let checkRun: CheckOnlyRun | undefined;
	try {
		settings = executionSettings(this);
		client = await StripeClient.connect(this, {
			maxRequestsPerSecond: settings.maxRequestsPerSecond,
			endpointRequestsPerSecond: settings.endpointRequestsPerSecond,
			idempotencyKeys: new IdempotencyKeys(idempotencyScope(this), this.getNode().id, runIndexOf(this)),
		});
		if (readCheckOnly(this)) checkRun = new CheckOnlyRun(client);
	} catch (error) {
		const wrapped = itemError(this, error, 0);
		if (!continueOnFail) throw wrapped;
		// Nothing can be sent (e.g. the credential is unusable): every item gets the error, so N items in give N out.
		return [items.map((_, itemIndex) => errorItem(this, wrapped, itemIndex))];
	}

	const lookup = new CustomerLookup(client);
	const jobOf = (item: PreparedItem, resolved: ResolvedCustomer | undefined): Job<IDataObject[]> => {
		// Check Only sends no write, so its items need no customer lane.
		const check = item.customer?.writes ? checkRun : undefined;
		const lane = item.customer?.writes && resolved && !check ? customerLane(resolved.id, item.customer.options) : undefined;
		return {
			lane,
			run: async ({ laneBacklog }) => {
				const turn = { customerId: resolved?.id ?? '', lane, urgent: laneBacklog, lookup };
				const output = check ? await check.check(item, turn) : await item.run(client, turn);
				return resolved?.chosen ? output.map((json) => ({ ...json, customerChosen: resolved.chosen as unknown as IDataObject })) : output;
			},
		};
	};
	/** The item's job, once its customer is known: at once for an id, after the lookup for an email. */
	const prepare = (itemIndex: number): Job<IDataObject[]> | Promise<Job<IDataObject[]>> | undefined => {
		try {
			parameters.checkChoices(itemIndex);
			const item: PreparedItem = operation.prepare(parameters, itemIndex);
			if (!item.customer) return jobOf(item, undefined);
			const resolved = lookup.resolve(item.customer.ref, item.customer.options, itemIndex);
			if (!(resolved instanceof Promise)) return jobOf(item, resolved);
			const job = resolved.then((found) => jobOf(item, found));
			// Awaited in its turn; if the run stops first (a bad item), its failure must not go unhandled.
			job.catch(() => undefined);
			return job;
		} catch (error) {
			fail(error, itemIndex);
			return undefined;
		}
	};
	let runner: JobRunner<IDataObject[]>;
	let results: Awaited<ReturnType<typeof runner.close>>;
	try {
		if (continueOnFail) {
			// A bad item cannot stop the others here, so each item goes out as soon as it is prepared (and its customer found).
			runner = new JobRunner(settings.concurrency, () => false);
			const sending = runner;
			const admission = new InOrder<Job<IDataObject[]>>((itemIndex, job) => sending.add(itemIndex, job), (itemIndex, error) => fail(error, itemIndex));
			await processPreparation.prepareAll(items.length, (itemIndex) => {
				const job = prepare(itemIndex);
				if (job) admission.add(itemIndex, job);
			});
			await admission.drained();
		} else {
			// Every item is validated, and its customer found, before anything is sent: one bad item stops the run with
			// nothing written.
			const pending: Array<Job<IDataObject[]> | Promise<Job<IDataObject[]>> | undefined> = [];
			await processPreparation.prepareAll(items.length, (itemIndex) => pending.push(prepare(itemIndex)));
			const jobs: Array<Job<IDataObject[]>> = [];
			for (const [itemIndex, job] of pending.entries()) {
				try {
					jobs[itemIndex] = (await job) as Job<IDataObject[]>;
				} catch (error) {
					fail(error, itemIndex);
				}
			}
			// An item an earlier attempt already sent stops nothing: the others still go out, then the node reports it.
			runner = new JobRunner(settings.concurrency, (error) => !isAlreadySent(error));
			jobs.forEach((job, itemIndex) => runner.add(itemIndex, job));
		}
		results = await runner.close();
	} finally {
		client.close();
	}
	const alreadySent = new Map<number, NodeApiError>();
	results.forEach((result, itemIndex) => {
		if (!result || result.ok) return;
		if (!continueOnFail && isAlreadySent(result.error)) alreadySent.set(itemIndex, itemError(this, result.error, itemIndex) as NodeApiError);
		else fail(result.error, itemIndex);
	});
	if (alreadySent.size > 0) throw alreadySentError(alreadySent);
	checkRun?.addBalancesAfter(results.map((result) => (result?.ok ? result.value : undefined)));
	return [
		items.flatMap((_, itemIndex): INodeExecutionData[] => {
			const failure = failures.get(itemIndex);
			if (failure) return [failure];
			const result = results[itemIndex];
			return result?.ok ? result.value.map((json) => ({ json, pairedItem: { item: itemIndex } })) : [];
		}),
	];
}
