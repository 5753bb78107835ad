import { createHash } from 'crypto';

/**
 * Derives one Idempotency-Key per write from where it comes from in n8n: the execution scope, the node, the run and
 * the item. Not from what is sent: n8n's Retry with the saved workflow may change an item's values, and the retried
 * write must still carry the first attempt's key, so Stripe replays (same values) or refuses (other values) instead of
 * writing again. Retry On Fail and n8n's Retry both re-run the node with the same run index and the same scope (kept
 * in the node's context, which n8n stores with the execution).
 */
export class IdempotencyKeys {
	private readonly scope: string;

	/** `executionScope`: a random id drawn when the node first ran in this execution, kept in the node's context. */
	constructor(executionScope: string, nodeId: string, runIndex: number) {
		this.scope = JSON.stringify([executionScope, nodeId, runIndex]);
	}

	/** An item makes at most one write, so the item names it; the account keeps keys apart as Stripe does. */
	keyFor(itemIndex: number, method: string, stripeAccount: string | undefined): string {
		const digest = createHash('sha256')
			.update(JSON.stringify([this.scope, itemIndex, method, stripeAccount ?? '']))
			.digest('base64url');
		return `n8n-${digest}`;
	}
}
