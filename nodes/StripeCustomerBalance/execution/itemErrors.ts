import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type JsonObject } from 'n8n-workflow';

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

/** What a run that stopped had written: how many items, and the first and last transaction in input order. */
function writtenSummary(written: IDataObject[]): string {
	if (written.length === 0) return 'Nothing was written to Stripe before the run stopped.';
	const ids = written.map((json) => json.id).filter((id): id is string => typeof id === 'string');
	const range = ids.length === 0 ? '' : ids.length === 1 ? ` (${ids[0]})` : ` (first ${ids[0]}, last ${ids[ids.length - 1]})`;
	return `${itemCount(written.length)} written to Stripe before the run stopped${range}.`;
}

const itemCount = (count: number) => (count === 1 ? '1 item was' : `${count} items were`);

const RERUN_SAFELY =
	"To run the rest without writing those again: use n8n's Retry of this failed execution (Executions list), which sends each item with the Idempotency Key it had, so Stripe replays what it already wrote; or set Options > Idempotency Key from the data (e.g. {{ 'crm-' + $json.id }}) before running the items again.";

/**
 * On Error: Stop, a failure while sending stops the run: the error says what was written before it (how many items,
 * the first and last transaction) and how to run again without writing them twice. `written`: the outputs of the
 * items that wrote, in input order.
 */
export function stoppedRunError(error: NodeApiError | NodeOperationError, written: IDataObject[]): NodeApiError | NodeOperationError {
	if (written.length > 0) error.message = `${error.message} (the run stopped; ${itemCount(written.length)} written before)`;
	error.description = [error.description, writtenSummary(written), written.length > 0 ? RERUN_SAFELY : undefined].filter(Boolean).join('\n');
	return error;
}
