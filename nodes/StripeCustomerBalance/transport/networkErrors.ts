/**
 * Recognising a request that got no (whole) reply, inside whatever error n8n wrapped it in. Only codes are read, never
 * messages: n8n's wording and wrapping change between versions. n8n 1.x throws a NodeApiError without `cause` whose
 * `httpCode` is the system code (ECONNRESET…); n8n 2.x keeps the axios error, and the socket error behind it, as `cause`.
 * The fixtures in test/fixtures/network-errors are captured from both.
 */
const TIMEOUT_CODES = new Set([
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	// axios' code for its own `timeout`
	'ECONNABORTED',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
]);

const CONNECTION_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
]);

/**
 * The reply started but the connection closed part way through it. axios says ERR_BAD_RESPONSE (it would also for a
 * 5xx, but the node sets ignoreHttpStatusErrors, so not here); n8n 1.x keeps only the status line's code, a 2xx in
 * `httpCode`: a success status does not fail a request unless its body was cut off.
 */
function isCutOffReply(code: string): boolean {
	return code === 'ERR_BAD_RESPONSE' || /^2\d\d$/.test(code);
}

/** Where n8n, axios, undici and Node put the error they wrapped. */
const LINKS = ['cause', 'errorResponse', 'reason', 'error', 'originalError'] as const;

/** The codes an error carries itself (not those of the errors it wraps). */
function ownCodes(error: object): string[] {
	const { code, httpCode, errno } = error as { code?: unknown; httpCode?: unknown; errno?: unknown };
	return [code, httpCode, errno].filter((value): value is string => typeof value === 'string');
}

/** The errors an error wraps: its cause chain, n8n's errorResponse, AggregateError's errors… */
function wrapped(error: object): unknown[] {
	const record = error as Record<string, unknown>;
	const inner: unknown[] = LINKS.map((link) => record[link]);
	if (Array.isArray(record.errors)) inner.push(...(record.errors as unknown[]));
	return inner;
}

/** The network failure behind an error n8n wrapped, if that is what it is: 'timed out', the system code or 'reply cut off'. */
export function networkReason(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	const queue: unknown[] = [error];
	let connection: string | undefined;
	let cutOff = false;
	while (queue.length > 0) {
		const current = queue.shift();
		if (typeof current !== 'object' || current === null || seen.has(current)) continue;
		seen.add(current);
		for (const code of ownCodes(current)) {
			if (TIMEOUT_CODES.has(code)) return 'timed out';
			if (CONNECTION_CODES.has(code)) connection ??= code;
			if (isCutOffReply(code)) cutOff = true;
		}
		queue.push(...wrapped(current));
	}
	return connection ?? (cutOff ? 'reply cut off' : undefined);
}
