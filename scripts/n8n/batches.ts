/**
 * Batches of credits, one webhook call per batch (Webhook -> Split Out -> Stripe Customer Balance): the queue-mode
 * scenario, shared by its tests (behaviour), `npm run bench` (time) and `npm run demo -- --queue`.
 */
import { WorkflowBuilder, splitOutNode, stripe, stripeNode, webhookNode, type CredentialRef, type WorkflowJson } from './workflows';

export const BATCH_PATH = 'crm-credit-batch';

export interface BatchCredit {
	customerId: string;
	amount: number;
	/** Unique per credit: a key from the data (Options > Idempotency Key) when the workflow uses one. */
	ref: string;
}

export interface BatchWorkflowOptions {
	id?: string;
	/** Default BATCH_PATH. */
	path?: string;
	/** `lastNode` (default): the webhook answers when the execution has ended; `onReceived`: at once. */
	respond?: 'lastNode' | 'onReceived';
	/** Options > Max Requests per Second (100: an account at live mode's limit, e.g. the sandbox with `liveModeLimits`). */
	maxRequestsPerSecond?: number;
	/** Options > Max Requests per Second per Endpoint. */
	endpointRequestsPerSecond?: number;
	/** Options > Idempotency Key from each credit's `ref`. */
	keyFromData?: boolean;
	maxRetries?: number;
	description?: string;
}

export function batchWorkflow(credential: CredentialRef, options: BatchWorkflowOptions = {}): WorkflowJson {
	const requestOptions: Record<string, unknown> = {};
	if (options.maxRequestsPerSecond !== undefined) requestOptions.maxRequestsPerSecond = options.maxRequestsPerSecond;
	if (options.endpointRequestsPerSecond !== undefined) requestOptions.endpointRequestsPerSecond = options.endpointRequestsPerSecond;
	if (options.maxRetries !== undefined) requestOptions.maxRetries = options.maxRetries;
	if (options.keyFromData) requestOptions.idempotencyKey = '={{ "credit-" + $json.ref }}';
	return new WorkflowBuilder(options.id ?? 'queueCreditBatch1', 'Credit a batch from a CRM webhook')
		.chain(
			webhookNode('CRM webhook', options.path ?? BATCH_PATH, options.respond ?? 'lastNode'),
			splitOutNode('One item per credit', 'body.credits'),
			stripeNode(
				'Credit balances',
				stripe.create({
					customer: '={{ $json.customerId }}',
					amount: '={{ $json.amount }}',
					currency: 'usd',
					description: options.description ?? 'Referral credit',
					options: requestOptions,
				}),
				{ credential },
			),
		)
		.build();
}

/**
 * `batches` batches of `perBatch` credits over distinct customers, except that `hotShare` of each batch goes to
 * `hotCustomer` (spread through the batch), e.g. 20 x 100 with 5 per batch = 100 of 2,000 for one customer.
 */
export function creditBatches(customers: string[], hotCustomer: string, batches: number, perBatch: number, hotShare: number): BatchCredit[][] {
	let next = 0;
	return Array.from({ length: batches }, (_, batch) =>
		Array.from({ length: perBatch }, (_, index) => {
			const hot = hotShare > 0 && index % Math.floor(perBatch / hotShare) === 0 && index / Math.floor(perBatch / hotShare) < hotShare;
			const customerId = hot ? hotCustomer : customers[next++ % customers.length];
			return { customerId, amount: -(batch * perBatch + index + 1), ref: `b${batch}-i${index}` };
		}),
	);
}
