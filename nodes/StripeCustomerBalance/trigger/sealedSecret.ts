import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'crypto';

/**
 * The endpoint's signing secret as the workflow's static data keeps it: AES-256-GCM under a key derived (HKDF-SHA256)
 * from the credential's secret key, which n8n keeps encrypted. Bound to the endpoint it belongs to (id and URL), so a
 * sealed secret moved to another entry does not open. Static data is stored in clear (database, exports, backups).
 */
const FORMAT = 'sealed1';
const HKDF_SALT = 'n8n-nodes-stripe-customer-balance';
const HKDF_INFO = 'stripeCustomerBalanceTrigger/endpoint-signing-secret/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Per process: derived keys by a digest of the credential's key (the key itself is never a map key); a few credentials at most. */
const derivedKeys = new Map<string, Buffer>();
const MAX_DERIVED_KEYS = 64;

function sealingKey(credentialKey: string): Buffer {
	const digest = createHash('sha256').update(`${HKDF_INFO}\u0000${credentialKey}`).digest('base64url');
	let key = derivedKeys.get(digest);
	if (!key) {
		key = Buffer.from(hkdfSync('sha256', credentialKey, HKDF_SALT, HKDF_INFO, 32));
		if (derivedKeys.size >= MAX_DERIVED_KEYS) derivedKeys.delete(derivedKeys.keys().next().value as string);
		derivedKeys.set(digest, key);
	}
	return key;
}

/** What a sealed secret is bound to: the endpoint it was created for. */
export interface SealBinding {
	endpointId: string;
	url: string;
}

const associatedData = (binding: SealBinding) => Buffer.from(`${binding.endpointId}\u0000${binding.url}`, 'utf8');

export function sealSecret(secret: string, credentialKey: string, binding: SealBinding): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', sealingKey(credentialKey), iv, { authTagLength: TAG_BYTES });
	cipher.setAAD(associatedData(binding));
	const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
	return [FORMAT, iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/**
 * The secret, or undefined when it cannot be opened: another credential key (rotated), the data or its binding
 * altered, or not a sealed secret at all. Never throws.
 */
export function openSecret(sealed: string, credentialKey: string, binding: SealBinding): string | undefined {
	const parts = sealed.split('.');
	if (parts.length !== 4 || parts[0] !== FORMAT || credentialKey === '') return undefined;
	const [, iv, data, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
	if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
	try {
		const decipher = createDecipheriv('aes-256-gcm', sealingKey(credentialKey), iv, { authTagLength: TAG_BYTES });
		decipher.setAAD(associatedData(binding));
		decipher.setAuthTag(tag);
		return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}
