import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type JsonObject } from 'n8n-workflow';

import { detailsOf, errorItemJson } from '../transport';
import { InvalidInput } from '../validation';

/** An item's failure as n8n shows it: bad input named by field and item, Stripe's own errors with the item's index. */
export function itemError(context: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
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
export function errorItem(context: IExecuteFunctions, error: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	const json = errorJson(error, itemIndex);
	if (context.getNode().onError !== 'continueErrorOutput') return { json, pairedItem: { item: itemIndex } };
	const { error: message, ...details } = json;
	return { json: { error: message, details }, pairedItem: { item: itemIndex } };
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
export function alreadySentError(errors: Map<number, NodeApiError>): NodeApiError {
	const [first] = errors.values();
	if (errors.size === 1) return first;
	const indexes = [...errors.keys()];
	first.message = `Items ${itemRanges(indexes)} were already sent to Stripe, with other values: they were not sent again`;
	return first;
}
