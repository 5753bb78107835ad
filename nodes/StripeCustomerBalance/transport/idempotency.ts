import { createHash } from 'crypto';

/**
 * Derives one Idempotency-Key per write from where it comes from in n8n: the execution, the node, the run, the item,
 * and what is sent. n8n's Retry On Fail re-runs the node with the same execution id and run index, so a retried write
 * carries the key of the first attempt and Stripe replays its answer instead of writing again.
 */
export class IdempotencyKeys {
	private readonly scope: string;

	/** `executionScope`: the execution id, or (when n8n gives none) a random id kept for the execution. */
	constructor(executionScope: string, nodeId: string, runIndex: number) {
		this.scope = JSON.stringify([executionScope, nodeId, runIndex]);
	}

	keyFor(itemIndex: number, method: string, path: string, body: string, stripeAccount: string | undefined): string {
		const digest = createHash('sha256')
			.update(JSON.stringify([this.scope, itemIndex, method, path, body, stripeAccount ?? '']))
			.digest('base64url');
		return `n8n-${digest}`;
	}
}
