import { createHash } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { headerValue } from '../transport';
import { triggerOf } from './deliveredEvents';
import { endpointStateKey, keptEndpoint, openKeptSecret, sealingKeyOf, type KeptEndpoint } from './endpointState';
import { noteRefusal, noteVerified, refusalAnswer, refusalLogLine, type SecretRefusal } from './refusalNotices';
import { NO_MATCH, checkHeader, signatureMatches } from './signature';

export type Verification = { endpointId: string } | { refused: string };

/**
 * Whether Stripe signed this delivery for the endpoint the trigger keeps. A missing, malformed or stale header is
 * refused before anything else is read; only then is the credential read (the secret is sealed with a key derived from
 * it) and the secret opened. A secret that does not fit is refused with the remedy (refusalNotices.ts). Never throws
 * on what the static data holds; a credential n8n cannot read fails the request, and Stripe retries it.
 */
export async function verifyDelivery(context: IWebhookFunctions, staticData: IDataObject, rawBody: Buffer | undefined, nowSeconds: number): Promise<Verification> {
	const header = checkHeader(rawBody, headerValue(context.getHeaderData(), 'stripe-signature'), nowSeconds);
	if (!header.ok) return { refused: `Signature refused: ${header.reason}.` };
	const key = endpointStateKey(context);
	const kept = keptEndpoint(staticData, key);
	const trigger = triggerOf(context);
	const tracked = `${trigger.workflowId}\u0000${trigger.nodeId}\u0000${key}`;
	const opened = openedBefore(kept) ?? openKeptSecret(staticData, key, kept, await sealingKeyOf(context));
	if ('secret' in opened && kept?.kind === 'sealed') rememberOpened(kept, opened);
	if ('problem' in opened) return refuse(context, tracked, 'unusable', opened.problem, nowSeconds);
	if (!signatureMatches(rawBody!, header, opened.secret)) return refuse(context, tracked, 'mismatch', NO_MATCH, nowSeconds);
	noteVerified(tracked);
	return { endpointId: opened.endpointId };
}

/**
 * Process-wide state (7): the sealed secrets this process has opened, by a digest of the sealed form and what it is
 * bound to, so that a delivery needs no credential read. Reading the credential for every delivery (n8n's
 * getCredentials) held Stripe's answers back by seconds while a bulk run kept the process busy. A kept secret that
 * changes (a new endpoint) has another digest; the process forgets them at restart. Bounded.
 */
const openedSecrets = new Map<string, { secret: string; endpointId: string }>();
const MAX_OPENED_SECRETS = 256;

function digestOf(kept: { id: string; url: string; sealedSecret: string }): string {
	return createHash('sha256').update(JSON.stringify([kept.id, kept.url, kept.sealedSecret])).digest('base64url');
}

function openedBefore(kept: KeptEndpoint | undefined): { secret: string; endpointId: string } | undefined {
	return kept?.kind === 'sealed' ? openedSecrets.get(digestOf(kept)) : undefined;
}

function rememberOpened(kept: { id: string; url: string; sealedSecret: string }, opened: { secret: string; endpointId: string }): void {
	if (openedSecrets.size >= MAX_OPENED_SECRETS) openedSecrets.delete(openedSecrets.keys().next().value as string);
	openedSecrets.set(digestOf(kept), opened);
}

function refuse(context: IWebhookFunctions, tracked: string, refusal: SecretRefusal, reason: string, nowSeconds: number): Verification {
	const inARow = noteRefusal(tracked, refusal, nowSeconds);
	if (inARow !== undefined) {
		const workflow = context.getWorkflow();
		context.logger.warn(refusalLogLine(refusal, reason, inARow), { workflowId: workflow.id, workflowName: workflow.name, nodeName: context.getNode().name });
	}
	return { refused: refusalAnswer(refusal, reason) };
}
