import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../transport';
import { openSecret, sealSecret } from './sealedSecret';

/**
 * What the trigger keeps of its endpoint in the node's static data (the only part of n8n that is saved with the
 * workflow and survives restarts): the endpoint's id and URL, and its signing secret sealed (sealedSecret.ts). Static
 * data is stored in clear in n8n's database and in workflow exports, so the secret is never kept open there.
 */
export interface StoredEndpoint {
	id: string;
	url: string;
	sealedSecret: string;
}

/** The endpoint as the static data holds it, read without trusting its shape (it may be old, copied or edited). */
export type KeptEndpoint =
	| { kind: 'sealed'; id: string; url: string; sealedSecret: string }
	/** Written by 0.1.0, which kept the secret in clear: still verified, and sealed in place at first use. */
	| { kind: 'clear'; id: string; url: string; secret: string }
	| { kind: 'unusable' };

export type EndpointStateKey = 'testEndpoint' | 'endpoint';

/** Test webhooks (the editor's "Listen for test event") get an endpoint of their own, with its own URL, kept apart. */
export function endpointStateKey(context: IHookFunctions | IWebhookFunctions): EndpointStateKey {
	return context.getMode() === 'manual' ? 'testEndpoint' : 'endpoint';
}

const text = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Undefined when nothing is kept; `unusable` for anything of another shape (a non-string secret, garbage). */
export function keptEndpoint(staticData: IDataObject, key: EndpointStateKey): KeptEndpoint | undefined {
	const state: unknown = staticData[key];
	if (state === undefined || state === null) return undefined;
	if (typeof state !== 'object' || Array.isArray(state)) return { kind: 'unusable' };
	const { id, url, sealedSecret, secret } = state as Record<string, unknown>;
	if (!text(id) || !text(url)) return { kind: 'unusable' };
	if (text(sealedSecret)) return { kind: 'sealed', id, url, sealedSecret };
	if (text(secret)) return { kind: 'clear', id, url, secret };
	return { kind: 'unusable' };
}

/** The credential's secret key: what the sealing key is derived from ('' when the credential has none). */
export async function sealingKeyOf(context: IHookFunctions | IWebhookFunctions): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return typeof credentials.secretKey === 'string' ? credentials.secretKey : '';
}

export function keepEndpoint(staticData: IDataObject, key: EndpointStateKey, endpoint: { id: string; url: string; secret: string }, credentialKey: string): void {
	const binding = { endpointId: endpoint.id, url: endpoint.url };
	const stored: StoredEndpoint = { id: endpoint.id, url: endpoint.url, sealedSecret: sealSecret(endpoint.secret, credentialKey, binding) };
	staticData[key] = stored as unknown as IDataObject;
}

export type OpenedSecret = { secret: string; endpointId: string } | { problem: string };

export const CANNOT_OPEN =
	'the signing secret n8n keeps for this endpoint cannot be opened with the credential\'s secret key (the key was changed, or the workflow\'s data was altered or copied)';
export const UNUSABLE = 'the endpoint data n8n keeps for this trigger is not usable (missing or of another shape)';

/**
 * The kept endpoint's secret. A clear one (from an earlier version) is sealed in place: n8n saves the static data
 * once the delivery or the publish that read it is done, and from then on only the sealed form is kept.
 */
export function openKeptSecret(staticData: IDataObject, key: EndpointStateKey, kept: KeptEndpoint | undefined, credentialKey: string): OpenedSecret {
	if (!kept || kept.kind === 'unusable') return { problem: UNUSABLE };
	if (kept.kind === 'clear') {
		if (credentialKey !== '') keepEndpoint(staticData, key, kept, credentialKey);
		return { secret: kept.secret, endpointId: kept.id };
	}
	const secret = openSecret(kept.sealedSecret, credentialKey, { endpointId: kept.id, url: kept.url });
	return secret === undefined ? { problem: CANNOT_OPEN } : { secret, endpointId: kept.id };
}
