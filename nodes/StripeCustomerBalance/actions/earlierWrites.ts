import { type IDataObject, type INodeProperties } from 'n8n-workflow';

import { IDEMPOTENCY_METADATA_FIELD, allPages, toAlreadySentError, type StripeCall } from '../transport';
import { InvalidInput, positiveInteger } from '../validation';
import { customerKey } from '../execution/customerOrder';
import type { ParameterReader } from './parameters';
import type { StripeSender } from './types';

/**
 * Once for as long as the user says, not only for Stripe's 24 hours of idempotency keys. Every write records its key on
 * the transaction it creates (metadata `n8n_idempotency_key`); before a write whose key may have been used already (a
 * key from the data, or the node's own key when this run was attempted before), the customer's transactions are read
 * back to the look-back window, once per customer per execution, and a write found there is not made again.
 */

/**
 * 30 days: n8n deletes executions after 14 days by default (EXECUTIONS_DATA_MAX_AGE, 336 hours), so a failed execution
 * can be retried for two weeks at most unless that was raised; 30 covers that and a Retry after a long holiday.
 */
export const DEFAULT_LOOK_BACK_DAYS = 30;
const MAX_LOOK_BACK_DAYS = 3650;

export const lookBackOption: INodeProperties = {
	displayName: 'Look Back for Earlier Writes (Days)',
	name: 'lookBackDays',
	type: 'number',
	default: DEFAULT_LOOK_BACK_DAYS,
	typeOptions: { minValue: 0, maxValue: MAX_LOOK_BACK_DAYS },
	// How long "once" holds is the workflow's promise: no data or AI agent may shorten it.
	noDataExpression: true,
	description:
		"How long an Idempotency Key keeps applying once. Stripe forgets keys after 24 hours; before writing with a key that may have been used (your own key, or the node's own on n8n's Retry), the node looks for it among the customer's transactions of this many days and, if found, writes nothing and outputs that transaction with alreadyApplied: true. 0 looks through the customer's whole history.",
};

/** The look-back window in days (0: the whole history), as saved in the workflow; an expression is refused. */
export function readLookBackDays(parameters: ParameterReader): number {
	const value = parameters.savedOption(lookBackOption.name, lookBackOption.displayName);
	return value === undefined ? DEFAULT_LOOK_BACK_DAYS : positiveInteger(lookBackOption.displayName, value, 0, MAX_LOOK_BACK_DAYS);
}

/** Stripe keeps at most 50 metadata keys on an object; one is the write's key. */
const STRIPE_MAX_METADATA_KEYS = 50;

/** The user's metadata leaves room for the write's key, and does not use its name. */
export function checkRoomForKey(metadata: Record<string, string> | undefined): void {
	if (!metadata) return;
	if (IDEMPOTENCY_METADATA_FIELD in metadata) {
		throw new InvalidInput('Metadata', `uses the key ${IDEMPOTENCY_METADATA_FIELD}, which the node keeps for the write's Idempotency Key`, 'Rename that metadata key.');
	}
	if (Object.keys(metadata).length >= STRIPE_MAX_METADATA_KEYS) {
		throw new InvalidInput(
			'Metadata',
			`has ${Object.keys(metadata).length} keys; Stripe allows ${STRIPE_MAX_METADATA_KEYS} and the node records the write's Idempotency Key in one (${IDEMPOTENCY_METADATA_FIELD})`,
			`Keep at most ${STRIPE_MAX_METADATA_KEYS - 1} metadata keys.`,
		);
	}
}

/** A write found among the customer's transactions, or just made. */
export interface WriteOutcome {
	object: IDataObject;
	/** Nothing was written now: Stripe replayed the key's first answer, or the key was found on a transaction. */
	alreadyApplied: boolean;
}

/** The execution's look-ups of earlier writes: per customer (of an account), one read of its recent transactions. */
export class EarlierWrites {
	private readonly byCustomer = new Map<string, Promise<Map<string, IDataObject>>>();

	constructor(
		private readonly lookBackDays: number,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * Writes `call` (a POST that creates a balance transaction) once: its key recorded in the transaction's metadata; not
	 * sent when a transaction with its key is found with the same amount and currency (otherwise the item fails as
	 * already sent with other values, as Stripe answers within its 24 hours).
	 */
	async writeOnce(sender: StripeSender, call: StripeCall & { method: 'POST' }, account: string, customerId: string): Promise<WriteOutcome> {
		const key = sender.idempotencyKeyOf(call);
		const params = call.params ?? {};
		const keyed = { ...call, params: { ...params, metadata: { ...((params.metadata as IDataObject | undefined) ?? {}), [IDEMPOTENCY_METADATA_FIELD]: key } } };
		const mayBeUsed = call.options.idempotencyKey !== undefined || sender.runAttemptedBefore;
		if (mayBeUsed) {
			const earlier = (await this.transactionsOf(sender, call, customerId, account)).get(key);
			if (earlier) {
				if (!sameWrite(earlier, params)) {
					throw toAlreadySentError(sender.node, call.itemIndex, key, call.options.idempotencyKey !== undefined, earlier);
				}
				return { object: earlier, alreadyApplied: true };
			}
		}
		const { object, replayed } = await sender.write(keyed);
		if (typeof object.id === 'string') (await this.byCustomer.get(customerKey(account, customerId)))?.set(key, object);
		return { object, alreadyApplied: replayed };
	}

	/** The customer's transactions within the window that carry a key, by key (newest first: the first found is kept). */
	private async transactionsOf(sender: StripeSender, call: StripeCall, customerId: string, account: string): Promise<Map<string, IDataObject>> {
		const customer = customerKey(account, customerId);
		let read = this.byCustomer.get(customer);
		if (!read) {
			read = this.read(sender, call, customerId);
			this.byCustomer.set(customer, read);
			// A failed read fails this item; the next item of the customer tries again.
			read.catch(() => this.byCustomer.delete(customer));
		}
		return await read;
	}

	private async read(sender: StripeSender, call: StripeCall, customerId: string): Promise<Map<string, IDataObject>> {
		const since = this.lookBackDays === 0 ? undefined : Math.floor(this.now() / 1000) - this.lookBackDays * 86_400;
		const transactions = await allPages(sender, {
			urgent: call.urgent,
			method: 'GET',
			path: `/v1/customers/${customerId}/balance_transactions`,
			params: since === undefined ? {} : { created: { gte: since } },
			itemIndex: call.itemIndex,
			options: call.options,
		});
		const byKey = new Map<string, IDataObject>();
		for (const transaction of transactions) {
			const key = (transaction.metadata as IDataObject | null | undefined)?.[IDEMPOTENCY_METADATA_FIELD];
			if (typeof key === 'string' && !byKey.has(key)) byKey.set(key, transaction);
		}
		return byKey;
	}
}

/**
 * Whether the transaction found is this write: the same money (amount and currency). Not its description or metadata,
 * which Update may have changed since: those were Stripe's to compare only while it kept the key.
 */
function sameWrite(earlier: IDataObject, params: IDataObject): boolean {
	return earlier.amount === params.amount && earlier.currency === params.currency;
}

/** What an output says of a write: whether it was made now, and when it was applied if earlier. */
export function appliedMark(outcome: WriteOutcome): IDataObject {
	if (!outcome.alreadyApplied) return { alreadyApplied: false };
	const created = outcome.object.created;
	return { alreadyApplied: true, appliedAt: typeof created === 'number' ? new Date(created * 1000).toISOString() : null };
}
