import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, NodeApiError } from 'n8n-workflow';

import { CheckOnlyRun, readCheckOnly } from '../actions/checkOnly';
import { executionSettings } from '../actions/options';
import { CustomerLookup, type ResolvedCustomer } from '../actions/customerLookup';
import { CustomerReads } from '../actions/customerReads';
import { EarlierWrites, readLookBackDays } from '../actions/earlierWrites';
import { ParameterReader } from '../actions/parameters';
import type { Operation, PreparedItem } from '../actions/types';
import { IdempotencyKeys, StripeClient, isAlreadySent } from '../transport';
import { JobRunner, customerKey, type Job, type JobResult } from './customerOrder';
import { InOrder } from './inOrder';
import { alreadySentError, errorItem, itemError, stoppedRunError } from './itemErrors';
import { processPreparation } from './preparationTurns';

/** The transactions the writing items wrote now (not those found already applied), in input order. */
function writtenBy(writing: Set<number>, results: Array<JobResult<IDataObject[]>>): IDataObject[] {
	return results.flatMap((result, itemIndex) => (result?.ok && writing.has(itemIndex) ? result.value.filter((json) => json.alreadyApplied !== true) : []));
}

/**
 * One execution's items through one operation: every item prepared (validated into a request; nothing is sent if one
 * is bad, unless On Error continues), its customer found, run through one Stripe client in per-customer order, and one
 * output per item returned in input order, each paired with its input item.
 */
export async function runItems(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	operation: Operation,
	properties: INodeProperties[],
): Promise<INodeExecutionData[][]> {
	const continueOnFail = this.continueOnFail();
	const failures = new Map<number, INodeExecutionData>();
	const fail = (error: unknown, itemIndex: number) => {
		const wrapped = itemError(this, error, itemIndex);
		if (!continueOnFail) throw wrapped;
		failures.set(itemIndex, errorItem(this, wrapped, itemIndex));
	};

	const parameters = new ParameterReader(this, properties);
	let settings: ReturnType<typeof executionSettings>;
	let client: StripeClient;
	let checkRun: CheckOnlyRun | undefined;
	let customers: CustomerReads;
	let earlierWrites: EarlierWrites;
	try {
		settings = executionSettings(this);
		earlierWrites = new EarlierWrites(readLookBackDays(parameters));
		client = await StripeClient.connect(this, {
			maxRequestsPerSecond: settings.maxRequestsPerSecond,
			endpointRequestsPerSecond: settings.endpointRequestsPerSecond,
			idempotencyKeys: IdempotencyKeys.of(this),
		});
		customers = new CustomerReads(client);
		if (readCheckOnly(this)) checkRun = new CheckOnlyRun(client, customers);
	} catch (error) {
		const wrapped = itemError(this, error, 0);
		if (!continueOnFail) throw wrapped;
		// Nothing can be sent (e.g. the credential is unusable): every item gets the error, so N items in give N out.
		return [items.map((_, itemIndex) => errorItem(this, wrapped, itemIndex))];
	}

	const lookup = new CustomerLookup(client);
	const jobOf = (item: PreparedItem, resolved: ResolvedCustomer | undefined): Job<IDataObject[]> => {
		// Check Only sends no write, so its items need no customer order.
		const check = item.customer?.writes ? checkRun : undefined;
		const writeTo = item.customer?.writes && resolved && !check ? customerKey(client.account(item.customer.options.stripeAccount), resolved.id) : undefined;
		return {
			customer: writeTo,
			run: async ({ urgent }) => {
				// The checks against the customer (read once per execution) run in the item's turn, just before its write:
				// done for every item before the first write, they would add a whole pass of reads to a bulk run.
				if (resolved) await item.before?.(customers, resolved.id);
				const turn = { customerId: resolved?.id ?? '', urgent, lookup, earlierWrites, checkOnly: check !== undefined };
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
	/** With On Error: Stop, the items that write (a job with a customer lane): what a stopped run reports it wrote. */
	const writing = new Set<number>();
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
			jobs.forEach((job, itemIndex) => {
				if (job.customer) writing.add(itemIndex);
				runner.add(itemIndex, job);
			});
		}
		results = await runner.close();
	} finally {
		client.close();
	}
	const alreadySent = new Map<number, NodeApiError>();
	results.forEach((result, itemIndex) => {
		if (!result || result.ok) return;
		if (!continueOnFail && isAlreadySent(result.error)) alreadySent.set(itemIndex, itemError(this, result.error, itemIndex) as NodeApiError);
		else if (!continueOnFail && writing.size > 0) throw stoppedRunError(itemError(this, result.error, itemIndex), writtenBy(writing, results));
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
