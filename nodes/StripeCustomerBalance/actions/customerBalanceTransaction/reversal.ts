/**
 * Reverse's rules at run time, in the customer's lane (execution/customerOrder.ts), so that nothing else this process
 * writes to the customer comes between reading and writing. Stripe can neither delete nor void a balance transaction:
 * a wrong one is undone by the opposite one. It is written once and linked both ways:
 * - refused, with nothing sent: a deleted customer, a transaction that is not this customer's, one that is itself a
 *   reversal, one Stripe wrote (only `adjustment` can be reversed), one already reversed in full;
 * - the reversals that exist are read from Stripe every time (the customer's transactions back to the original's
 *   `created`, those whose metadata names it), never from idempotency keys, which Stripe forgets after 24 hours: a
 *   reversal written just before a crash, whose original was not yet updated, is found, and its link completed;
 * - the write's Idempotency-Key is derived from the original's id and the reversal's step (1 for the first), so two
 *   runs that race (two n8n processes) write one reversal between them;
 * - the reversal records the item key of the node run that wrote it: n8n's Retry of that run (and Retry On Fail) finds
 *   its own reversal and outputs it marked `alreadyApplied` instead of failing.
 */
import { randomUUID } from 'crypto';
import type { IDataObject, INode } from 'n8n-workflow';

import { decimalToSmallestUnit } from '../../amounts';
import { moneyText } from '../../asWritten';
import { IDEMPOTENCY_METADATA_FIELD, allPages, detailsOf, isAlreadySent, type CallOptions } from '../../transport';
import { toNodeApiError } from '../../transport/errors';
import { InvalidInput, LIMITS } from '../../validation';
import { appliedMark } from '../earlierWrites';
import type { StripeSender } from '../types';
import { withDirection } from './amountFields';

/** What Reverse writes into metadata: the link both ways, and which node run wrote a reversal. */
export const REVERSAL_METADATA = {
	/** On the reversal: the original's id. */
	reverses: 'n8n_reverses',
	/** On the reversal: the Idempotency-Key it was sent with, where every write of the node records its own. */
	sentWith: IDEMPOTENCY_METADATA_FIELD,
	/** On the reversal: the item key of the node run that wrote it (transport/idempotency.ts). */
	writtenBy: 'n8n_reverse_attempt',
	/** On the original: its latest reversal. */
	reversedBy: 'n8n_reversed_by',
	/** On the original: how much of it is reversed so far, as written ("4.00 EUR"). */
	reversedAmount: 'n8n_reversed_amount',
} as const;

export interface ReverseRequest {
	customerId: string;
	transactionId: string;
	/** A part, as written in the transaction's currency; undefined: all that is left. */
	amount?: unknown;
	itemIndex: number;
	options: CallOptions;
	urgent: boolean;
	checkOnly: boolean;
	/** Refuses a size (the smallest unit) over the workflow's limits before it is written: Max Amount (issue 35). */
	checkSize?: (size: number, currency: string) => void;
}

type Refusal = 'customer_deleted' | 'other_customer' | 'is_a_reversal' | 'not_an_adjustment' | 'already_reversed' | 'amount_too_large';

/** A refusal names why, in Stripe's error shape (`code`), so On Error: continue's items can be told apart. */
function refuse(node: INode, itemIndex: number, code: Refusal, message: string, hint: string): Error {
	return toNodeApiError(node, { message: `${message}: nothing was sent (item ${itemIndex})`, code, hint }, itemIndex);
}

const metadataOf = (transaction: IDataObject) => (transaction.metadata ?? {}) as Record<string, string>;

export class Reversal {
	private readonly path: string;

	constructor(
		private readonly client: StripeSender,
		private readonly request: ReverseRequest,
	) {
		this.path = `/v1/customers/${request.customerId}/balance_transactions`;
	}

	async run(): Promise<IDataObject[]> {
		const original = await this.readOriginal();
		const reversals = await this.reversalsOf(original);
		const reversed = reversals.reduce((sum, reversal) => sum + Math.abs(reversal.amount as number), 0);
		const left = Math.abs(original.amount as number) - reversed;

		const own = reversals.find((reversal) => metadataOf(reversal)[REVERSAL_METADATA.writtenBy] === this.ownKey());
		if (own) {
			await this.link(original, reversals, reversed);
			return [this.output(own, original, reversed, appliedMark({ object: own, alreadyApplied: true }))];
		}
		if (left <= 0) {
			await this.link(original, reversals, reversed);
			throw this.alreadyReversed(original, reversals);
		}
		const size = this.sizeOf(original, left);
		this.request.checkSize?.(size, original.currency as string);
		const step = reversals.length + 1;
		const key = `n8n-reverse-${original.id as string}-${step}`;
		const written = await this.client
			.write({
				urgent: this.request.urgent,
				method: 'POST',
				path: this.path,
				params: {
					amount: (original.amount as number) < 0 ? size : -size,
					currency: original.currency as string,
					description: this.descriptionFor(original),
					metadata: {
						[REVERSAL_METADATA.reverses]: original.id as string,
						[REVERSAL_METADATA.sentWith]: key,
						[REVERSAL_METADATA.writtenBy]: this.ownKey(),
					},
				},
				itemIndex: this.request.itemIndex,
				options: { ...this.request.options, idempotencyKey: key },
			})
			.then(undefined, async (error: unknown) => {
				// Stripe holds another write under this step's key: another run reversed it in the meantime.
				if (isAlreadySent(error)) throw this.alreadyReversed(original, await this.reversalsOf(original));
				throw error;
			});
		if (this.request.checkOnly) return [];
		const reversal = written.object;
		await this.link(original, [reversal, ...reversals], reversed + size);
		// Stripe replayed this step's write (within its 24 hours, one the list did not show yet): nothing was written now.
		return [this.output(reversal, original, reversed + size, appliedMark({ object: reversal, alreadyApplied: written.replayed }))];
	}

	/** The original, read after its customer: each refusal that can be told before a write is told here. */
	private async readOriginal(): Promise<IDataObject> {
		const { customerId, transactionId, itemIndex, options } = this.request;
		const node = this.client.node;
		const customer = await this.client.send({ method: 'GET', path: `/v1/customers/${customerId}`, itemIndex, options });
		if (customer.deleted === true) {
			throw refuse(node, itemIndex, 'customer_deleted', `Customer ${customerId} was deleted`, 'Stripe writes no balance transaction for a deleted customer.');
		}
		const original = await this.client.send({ method: 'GET', path: `${this.path}/${transactionId}`, itemIndex, options }).then(undefined, (error: unknown) => {
			if (detailsOf(error)?.statusCode !== 404) throw error;
			throw refuse(
				node,
				itemIndex,
				'other_customer',
				`Customer ${customerId} has no transaction ${transactionId}`,
				"Stripe found no such transaction of this customer: it is another customer's, of another account (Options > Stripe Account), or does not exist. Name the customer the transaction belongs to.",
			);
		});
		if (original.customer !== customerId) {
			throw refuse(node, itemIndex, 'other_customer', `Transaction ${transactionId} is customer ${String(original.customer)}'s, not ${customerId}'s`, 'Name the customer the transaction belongs to.');
		}
		const reverses = metadataOf(original)[REVERSAL_METADATA.reverses];
		if (reverses) {
			throw refuse(
				node,
				itemIndex,
				'is_a_reversal',
				`Transaction ${transactionId} is itself the reversal of ${reverses}`,
				`A reversal is not reversed: to apply ${reverses} again, create it again.`,
			);
		}
		if (original.type !== 'adjustment') {
			const source = [original.invoice && `invoice ${String(original.invoice)}`, original.credit_note && `credit note ${String(original.credit_note)}`].filter(Boolean).join(', ');
			throw refuse(
				node,
				itemIndex,
				'not_an_adjustment',
				`Transaction ${transactionId} is of type ${String(original.type)}${source ? ` (${source})` : ''}, written by Stripe`,
				'Only adjustments (credits and debits written through the API or the Dashboard) can be reversed. Stripe changes the others with their invoice or credit note.',
			);
		}
		return original;
	}

	/** The reversals of the original that exist, newest first: every transaction of the customer since it, read from Stripe. */
	private async reversalsOf(original: IDataObject): Promise<IDataObject[]> {
		return await allPages(
			this.client,
			{
				method: 'GET',
				path: this.path,
				params: { limit: 100, created: { gte: original.created as number } },
				itemIndex: this.request.itemIndex,
				options: this.request.options,
			},
			Infinity,
			(transaction) => metadataOf(transaction)[REVERSAL_METADATA.reverses] === original.id,
		);
	}

	/** The key this node run's item derives (Reverse takes no key from the user): what a reversal it wrote carries. */
	private ownKey(): string {
		return this.client.idempotencyKeyOf({ itemIndex: this.request.itemIndex, options: { ...this.request.options, idempotencyKey: undefined } });
	}

	private sizeOf(original: IDataObject, left: number): number {
		const currency = original.currency as string;
		if (this.request.amount === undefined) return left;
		const size = decimalToSmallestUnit('Amount to Reverse', this.request.amount, currency);
		if (size <= 0) throw new InvalidInput('Amount to Reverse', `must be a positive amount, got ${String(this.request.amount)}`, 'Leave it empty to reverse all that is left.');
		if (size > left) {
			throw refuse(
				this.client.node,
				this.request.itemIndex,
				'amount_too_large',
				`Amount to Reverse ${moneyText(size, currency)} is more than the ${moneyText(left, currency)} left to reverse of ${original.id as string}`,
				`The transaction is ${moneyText(Math.abs(original.amount as number), currency)}; ${moneyText(Math.abs(original.amount as number) - left, currency)} of it is reversed already.`,
			);
		}
		return size;
	}

	/**
	 * The original names its latest reversal and how much is reversed; sent only when it does not say so yet. Setting
	 * metadata to given values is idempotent by itself, so each link gets a fresh key: a key Stripe saved with a failure
	 * (a 500 once it began) would replay that failure to every repair for 24 hours.
	 */
	private async link(original: IDataObject, reversals: IDataObject[], reversed: number): Promise<void> {
		if (this.request.checkOnly || reversals.length === 0) return;
		const wanted = { [REVERSAL_METADATA.reversedBy]: reversals[0].id as string, [REVERSAL_METADATA.reversedAmount]: moneyText(reversed, original.currency as string) };
		const held = metadataOf(original);
		if (Object.entries(wanted).every(([key, value]) => held[key] === value)) return;
		await this.client.send({
			urgent: this.request.urgent,
			method: 'POST',
			path: `${this.path}/${original.id as string}`,
			params: { metadata: wanted },
			itemIndex: this.request.itemIndex,
			options: { ...this.request.options, idempotencyKey: `n8n-reverse-${original.id as string}-link-${randomUUID()}` },
		});
	}

	private alreadyReversed(original: IDataObject, reversals: IDataObject[]): Error {
		const hint = `A transaction is reversed once. The reversal's metadata names the original (${REVERSAL_METADATA.reverses}), the original's names the reversal (${REVERSAL_METADATA.reversedBy}).`;
		const id = original.id as string;
		if (reversals.length === 0) {
			// Stripe holds a write under this step's key that the list did not show: another run's, at this very moment.
			return refuse(this.client.node, this.request.itemIndex, 'already_reversed', `Transaction ${id} is being reversed by another run`, hint);
		}
		const ids = reversals.map((reversal) => reversal.id as string).join(', ');
		return refuse(this.client.node, this.request.itemIndex, 'already_reversed', `Transaction ${id} is already reversed by ${ids}`, hint);
	}

	private descriptionFor(original: IDataObject): string {
		const text = `Reversal of ${original.id as string}${original.description ? `: ${String(original.description)}` : ''}`;
		return [...text].slice(0, LIMITS.descriptionLength).join('');
	}

	private output(reversal: IDataObject, original: IDataObject, reversed: number, applied: IDataObject = {}): IDataObject {
		const total = Math.abs(original.amount as number);
		return {
			...withDirection(reversal),
			...applied,
			reverses: { id: original.id, amount: original.amount, currency: original.currency, reversed, left: total - reversed },
		};
	}
}
