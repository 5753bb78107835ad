import { createHash, randomUUID } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * The metadata key under which every write records its Idempotency-Key on the transaction it creates. Stripe forgets a
 * key after 24 hours or more; the transaction keeps it, so a later write with the same key can be found and not made.
 */
export const IDEMPOTENCY_METADATA_FIELD = 'n8n_idempotency_key';

/**
 * Derives one Idempotency-Key per write from where it comes from in n8n: the execution scope, the node, the run and
 * the item. Not from what is sent: n8n's Retry with the saved workflow may change an item's values, and the retried
 * write must still carry the first attempt's key, so Stripe replays (same values) or refuses (other values) instead of
 * writing again. Retry On Fail and n8n's Retry both re-run the node with the same run index and the same scope (kept
 * in the node's context, which n8n stores with the execution).
 */
export class IdempotencyKeys {
	private readonly scope: string;

	/**
	 * `executionScope`: a random id drawn when the node first ran in this execution, kept in the node's context.
	 * `attemptedBefore`: this run of the node started before in this execution (Retry On Fail, n8n's Retry), so its
	 * keys may have been used, perhaps longer ago than Stripe keeps keys.
	 */
	constructor(
		executionScope: string,
		nodeId: string,
		runIndex: number,
		readonly attemptedBefore = false,
	) {
		this.scope = JSON.stringify([executionScope, nodeId, runIndex]);
	}

	/** The keys of this node's run in this execution. */
	static of(context: IExecuteFunctions): IdempotencyKeys {
		const runIndex = runIndexOf(context);
		return new IdempotencyKeys(idempotencyScope(context), context.getNode().id, runIndex, startedBefore(context, runIndex));
	}

	/** An item makes at most one write, so the item names it; the account keeps keys apart as Stripe does. */
	keyFor(itemIndex: number, method: string, stripeAccount: string | undefined): string {
		const digest = createHash('sha256')
			.update(JSON.stringify([this.scope, itemIndex, method, stripeAccount ?? '']))
			.digest('base64url');
		return `n8n-${digest}`;
	}
}

/**
 * A random id drawn when this node first runs in an execution, kept in the node's context. n8n keeps that context
 * across Retry On Fail, and stores it with a failed execution, from which its Retry starts under a new execution id:
 * the retried writes carry the first attempt's keys. Not the execution id itself: ids start again at 1 in a new
 * database (a reinstall, a second n8n), and keys must never meet another installation's keys at the same account.
 */
function idempotencyScope(context: IExecuteFunctions): string {
	const nodeContext = context.getContext('node');
	if (typeof nodeContext.idempotencyScope !== 'string') nodeContext.idempotencyScope = `run:${randomUUID()}`;
	return nodeContext.idempotencyScope as string;
}

/**
 * Whether this run of the node started before in this execution, as the node's context (stored with the execution
 * for n8n's Retry, kept across Retry On Fail) remembers; and remembers that it has now.
 */
function startedBefore(context: IExecuteFunctions, runIndex: number): boolean {
	const nodeContext = context.getContext('node');
	const started = Array.isArray(nodeContext.startedRuns) ? (nodeContext.startedRuns as unknown[]) : [];
	if (started.includes(runIndex)) return true;
	nodeContext.startedRuns = [...started, runIndex];
	return false;
}

/**
 * The node's run index in this execution. n8n's execution contexts hold it (n8n-core 1.x and 2.x); asking the workflow
 * data proxy for `$runIndex` builds the whole proxy (every `$` variable) on each execution for that one number.
 */
function runIndexOf(context: IExecuteFunctions): number {
	const held = (context as IExecuteFunctions & { runIndex?: unknown }).runIndex;
	return typeof held === 'number' ? held : context.getWorkflowDataProxy(0).$runIndex;
}
