/** Recognising a network failure (reset, refused, timeout…) inside whatever error n8n wrapped it in. */
const NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
]);

/** The network failure behind an error n8n wrapped, if that is what it is (reset, refused, timeout…). */
export function networkReason(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	for (let current = error; typeof current === 'object' && current !== null && !seen.has(current); ) {
		seen.add(current);
		const { code, message } = current as { code?: unknown; message?: unknown };
		if (typeof code === 'string' && NETWORK_CODES.has(code)) {
			return typeof message === 'string' && /timeout/i.test(message) ? 'timed out' : code;
		}
		if (typeof message === 'string' && /socket hang up|timeout of \d+ms exceeded/i.test(message)) {
			return /timeout/i.test(message) ? 'timed out' : 'connection closed';
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}
