import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

/** What a failed request is reduced to: Stripe's own words, and nothing from the request (no headers, no key). */
export interface StripeErrorDetails {
	message: string;
	type?: string;
	code?: string;
	param?: string;
	declineCode?: string;
	docUrl?: string;
	statusCode?: number;
	requestId?: string;
	attempts?: number;
	/** What to do about it, in the user's terms. */
	hint?: string;
	/** Stripe had already applied this write (same idempotency key, other values): it was not sent again. */
	alreadySent?: boolean;
}

function stringField(source: Record<string, unknown>, name: string): string | undefined {
	const value = source[name];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads Stripe's `{ error: { type, code, message, param, ... } }` body, whatever else the server sent. */
export function detailsFromReply(statusCode: number, body: unknown, requestId: string | undefined): StripeErrorDetails {
	const error =
		typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'object'
			? ((body as { error: Record<string, unknown> }).error ?? {})
			: {};
	return {
		message: stringField(error, 'message') ?? `Stripe answered with HTTP ${statusCode} and no error message`,
		type: stringField(error, 'type'),
		code: stringField(error, 'code'),
		param: stringField(error, 'param'),
		declineCode: stringField(error, 'decline_code'),
		docUrl: stringField(error, 'doc_url'),
		statusCode,
		requestId,
	};
}

function describe(details: StripeErrorDetails): string {
	const facts = [
		details.code && `code: ${details.code}`,
		details.param && `param: ${details.param}`,
		details.statusCode && `HTTP ${details.statusCode}`,
		details.requestId && `request id: ${details.requestId}`,
		details.attempts && details.attempts > 1 && `after ${details.attempts} attempts`,
		details.docUrl,
	]
		.filter(Boolean)
		.join(' · ');
	return details.hint ? `${details.hint}\n${facts}` : facts;
}

/**
 * Stripe refuses a key it has seen with other values (400 idempotency_error). For a derived key that means an earlier
 * attempt of this execution already wrote this item, before n8n's Retry with the saved workflow changed its values.
 */
export function alreadySentDetails(
	reply: StripeErrorDetails,
	itemIndex: number,
	idempotencyKey: string,
	keyFromUser: boolean,
): StripeErrorDetails {
	if (keyFromUser) {
		return {
			...reply,
			alreadySent: true,
			message: `Stripe already applied a write with this Idempotency Key (${idempotencyKey}) and other values: item ${itemIndex} was not sent again`,
			hint: 'Stripe applies one write per key, for 24 hours. If this is another write, give it a key of its own (Options > Idempotency Key).',
		};
	}
	return {
		...reply,
		alreadySent: true,
		message: `Item ${itemIndex} was already sent to Stripe by an earlier attempt of this execution, with other values: it was not sent again`,
		hint: "The workflow was changed before n8n's Retry, and Stripe keeps the first write, so nothing was written twice. Check the transaction in Stripe: to apply the new values, change it with Update (description, metadata) or make a new credit for a different amount. Retrying again will not send it either.",
	};
}

/**
 * A write whose key was found on one of the customer's transactions (after Stripe forgot the key), with other values:
 * the same refusal as Stripe's within its 24 hours, naming the transaction that holds the key.
 */
export function toAlreadySentError(node: INode, itemIndex: number, idempotencyKey: string, keyFromUser: boolean, earlier: { id?: unknown; created?: unknown }): NodeApiError {
	const when = typeof earlier.created === 'number' ? ` on ${new Date(earlier.created * 1000).toISOString()}` : '';
	const found: StripeErrorDetails = { type: 'idempotency_error', message: '' };
	const details = alreadySentDetails(found, itemIndex, idempotencyKey, keyFromUser);
	details.message = `${details.message.replace(/: item \d+ was not sent again$/, '')} (transaction ${String(earlier.id)}${when}): item ${itemIndex} was not sent again`;
	if (keyFromUser) {
		details.hint = 'A key applies once for as long as Options > Look Back for Earlier Writes (Days) says, beyond Stripe\'s 24 hours. If this is another write, give it a key of its own (Options > Idempotency Key).';
	}
	return toNodeApiError(node, details, itemIndex);
}

export function isAlreadySent(error: unknown): boolean {
	return detailsOf(error)?.alreadySent === true;
}

export function toNodeApiError(node: INode, details: StripeErrorDetails, itemIndex: number): NodeApiError {
	const error = new NodeApiError(node, { ...details } as unknown as JsonObject, {
		message: details.message,
		description: describe(details),
		httpCode: details.statusCode ? String(details.statusCode) : undefined,
		itemIndex,
	});
	// NodeApiError swaps messages that mention a system error code (ECONNREFUSED…) for a generic text; keep ours.
	error.message = details.message;
	return error;
}

/** The JSON of an error item (On Error: continue): Stripe's fields, flat, so later nodes can branch on them. */
export function errorItemJson(details: StripeErrorDetails): JsonObject {
	const json: JsonObject = { error: details.message };
	for (const [key, value] of Object.entries(details)) {
		if (key !== 'message' && value !== undefined) json[key] = value;
	}
	return json;
}

export function detailsOf(error: unknown): StripeErrorDetails | undefined {
	// NodeApiError keeps a plain-object response (ours: the details) as `errorResponse`.
	const response = error instanceof NodeApiError ? (error.errorResponse as unknown as StripeErrorDetails | undefined) : undefined;
	if (response && typeof response.message === 'string') return response;
	return undefined;
}
