import { createHmac, timingSafeEqual } from 'crypto';

/** Stripe's own libraries refuse a signature whose timestamp is more than 5 minutes off: a replayed delivery. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export const NO_MATCH = 'no v1 signature matches the endpoint\'s secret';

export type SignatureVerdict = { valid: true; timestamp: number } | { valid: false; reason: string };

interface ParsedHeader {
	timestamp?: number;
	signatures: string[];
}

function parseHeader(header: string): ParsedHeader {
	const parsed: ParsedHeader = { signatures: [] };
	for (const part of header.split(',')) {
		const separator = part.indexOf('=');
		if (separator < 0) continue;
		const name = part.slice(0, separator).trim();
		const value = part.slice(separator + 1).trim();
		if (name === 't' && /^\d{1,12}$/.test(value)) parsed.timestamp = Number(value);
		if (name === 'v1') parsed.signatures.push(value);
	}
	return parsed;
}

/** A header that is present, well-formed and recent: only then is the secret worth reading and the HMAC computed. */
export type HeaderCheck = { ok: true; timestamp: number; signatures: string[] } | { ok: false; reason: string };

export function checkHeader(rawBody: Buffer | undefined, header: string | undefined, nowSeconds: number): HeaderCheck {
	if (!header) return { ok: false, reason: 'the Stripe-Signature header is missing' };
	if (rawBody === undefined) return { ok: false, reason: 'the request body could not be read as sent' };
	const { timestamp, signatures } = parseHeader(header);
	if (timestamp === undefined || signatures.length === 0) {
		return { ok: false, reason: 'the Stripe-Signature header has no timestamp or no v1 signature' };
	}
	if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
		return { ok: false, reason: 'the signature\'s timestamp is more than 5 minutes off' };
	}
	return { ok: true, timestamp, signatures };
}

/** Whether any v1 of a checked header is the HMAC-SHA256 of `<t>.<raw body>` under `secret`, compared in constant time. */
export function signatureMatches(rawBody: Buffer, header: { timestamp: number; signatures: string[] }, secret: string): boolean {
	const expected = createHmac('sha256', secret).update(`${header.timestamp}.`).update(rawBody).digest();
	let matched = false;
	for (const signature of header.signatures) {
		if (!/^[0-9a-f]{64}$/i.test(signature)) continue;
		// Every candidate is compared, so the time taken does not tell which one matched.
		if (timingSafeEqual(Buffer.from(signature, 'hex'), expected)) matched = true;
	}
	return matched;
}

/**
 * Checks a delivery as Stripe signs it: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, each v1 an
 * HMAC-SHA256 of `<t>.<raw body>` under the endpoint's secret. Any one v1 may match (Stripe sends one per secret while
 * a secret is being rolled); comparisons take constant time. The reasons never quote the body or the secret.
 */
export function verifySignature(
	rawBody: Buffer | undefined,
	header: string | undefined,
	secret: string | undefined,
	nowSeconds: number,
): SignatureVerdict {
	if (!secret) return { valid: false, reason: 'no endpoint secret is known for this trigger; publish the workflow again' };
	const checked = checkHeader(rawBody, header, nowSeconds);
	if (!checked.ok) return { valid: false, reason: checked.reason };
	return signatureMatches(rawBody!, checked, secret)
		? { valid: true, timestamp: checked.timestamp }
		: { valid: false, reason: NO_MATCH };
}
