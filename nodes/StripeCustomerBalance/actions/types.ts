import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { StripeClient } from '../transport';
import type { ParameterReader } from './parameters';

/** One item's validated work: nothing is sent until `run`. Writes to one customer share a lane and run in order. */
export interface PreparedItem {
	lane?: string;
	/** `urgent`: more writes to the same customer wait behind this one (its turn with Stripe should come first). */
	run: (client: StripeClient, urgent: boolean) => Promise<IDataObject[]>;
}

export interface Operation {
	description: INodeProperties[];
	/** Reads and validates the item's parameters; throws InvalidInput naming the field. */
	prepare: (parameters: ParameterReader, itemIndex: number) => PreparedItem;
}
