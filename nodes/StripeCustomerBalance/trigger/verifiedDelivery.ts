import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { headerValue } from '../transport';
import { triggerOf } from './deliveredEvents';
import { endpointStateKey, keptEndpoint, openKeptSecret, sealingKeyOf } from './endpointState';
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
	const opened = openKeptSecret(staticData, key, kept, await sealingKeyOf(context));
	if ('problem' in opened) return refuse(context, tracked, 'unusable', opened.problem, nowSeconds);
	if (!signatureMatches(rawBody!, header, opened.secret)) return refuse(context, tracked, 'mismatch', NO_MATCH, nowSeconds);
	noteVerified(tracked);
	return { endpointId: opened.endpointId };
}

function refuse(context: IWebhookFunctions, tracked: string, refusal: SecretRefusal, reason: string, nowSeconds: number): Verification {
	const inARow = noteRefusal(tracked, refusal, nowSeconds);
	if (inARow !== undefined) {
		const workflow = context.getWorkflow();
		context.logger.warn(refusalLogLine(refusal, reason, inARow), { workflowId: workflow.id, workflowName: workflow.name, nodeName: context.getNode().name });
	}
	return { refused: refusalAnswer(refusal, reason) };
}
