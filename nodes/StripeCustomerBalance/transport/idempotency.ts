import { createHash, randomUUID } from 'crypto';

/**
 * Derives one Idempotency-Key per write from where it comes from in n8n: the execution, the node, the run, the item,
 * and what is sent. n8n's Retry On Fail re-runs the node with the same execution id and run index, so a retried write
 * carries the key of the first attempt and Stripe replays its answer instead of writing again. Without an execution id
 * (nothing to tie a re-run to) each execute() gets a random scope, which still protects the node's own retries.
 */
export class IdempotencyKeys {
	private readonly scope: string;

	constructor(executionId: string | undefined, nodeId: string, runIndex: number) {
		this.scope = JSON.stringify([executionId ? `execution:${executionId}` : `random:${randomUUID()}`, nodeId, runIndex]);
	}

	keyFor(itemIndex: number, method: string, path: string, body: string, stripeAccount: string | undefined): string {
		const digest = createHash('sha256')
			.update(JSON.stringify([this.scope, itemIndex, method, path, body, stripeAccount ?? '']))
			.digest('base64url');
		return `n8n-${digest}`;
	}
}
