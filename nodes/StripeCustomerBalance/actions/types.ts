import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { CallOptions, StripeClient } from '../transport';
import type { CustomerLookup, CustomerRef } from './customerLookup';
import type { EarlierWrites } from './earlierWrites';
import type { ParameterReader } from './parameters';

/** What an item's run is handed once its customer is known. */
export interface Turn {
	/** The customer's id, found by the router before the item is queued ('' when the item names no customer). */
	customerId: string;
	/** More writes to the same customer wait behind this one: its turn at the pacer comes first (execution/customerOrder.ts). */
	urgent: boolean;
	/** The execution's lookups by email (each email once). */
	lookup: CustomerLookup;
	/** The execution's look-ups of earlier writes by key (each customer's transactions read once). */
	earlierWrites: EarlierWrites;
}

/** What an item's run talks to Stripe through: the StripeClient, or Check Only's stand-in that sends no write. */
export type StripeSender = Pick<StripeClient, 'send' | 'write' | 'node' | 'account' | 'idempotencyKeyOf' | 'runAttemptedBefore'>;

/** One item's validated work: nothing is sent until `run`. */
export interface PreparedItem {
	/** The customer the item is about: an id at once, an email resolved before the item gets its lane. */
	customer?: { ref: CustomerRef; options: CallOptions; writes: boolean };
	run: (client: StripeSender, turn: Turn) => Promise<IDataObject[]>;
}

export interface Operation {
	description: INodeProperties[];
	/** Reads and validates the item's parameters; throws InvalidInput naming the field. */
	prepare: (parameters: ParameterReader, itemIndex: number) => PreparedItem;
}
