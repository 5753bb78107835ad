/**
 * The webhook burst (issue "between executions"): a CRM fires one webhook per record, so n8n runs one execution per
 * credit, all at once. Shared by the end-to-end test (behaviour) and `npm run bench` (time, against n8n's own time for
 * the same number of Webhook -> No Operation executions).
 */
import { WorkflowBuilder, noOpNode, stripe, stripeNode, webhookNode, type CredentialRef, type WorkflowJson } from './workflows';

export const BURST_PATH = 'crm-credit';
export const BASELINE_PATH = 'crm-noop';

export interface CreditRequest {
	customerId: string;
	amount: number;
	currency: string;
	note: string;
}

/** Webhook -> Stripe Customer Balance (create, from the request body), with everything else at its default. */
export function burstWorkflow(credential: CredentialRef, id = 'burstCreditHook1'): WorkflowJson {
	return new WorkflowBuilder(id, 'Credit from a CRM webhook')
		.chain(
			webhookNode('CRM webhook', BURST_PATH),
			stripeNode(
				'Credit balance',
				stripe.create({
					customer: '={{ $json.body.customerId }}',
					amount: '={{ $json.body.amount }}',
					currency: '={{ $json.body.currency }}',
					description: '={{ $json.body.note }}',
				}),
				{ credential },
			),
		)
		.build();
}

/** Webhook -> No Operation: what n8n itself costs per execution. */
export function baselineWorkflow(id = 'burstNoopHook01'): WorkflowJson {
	return new WorkflowBuilder(id, 'Webhook baseline').chain(webhookNode('CRM webhook', BASELINE_PATH), noOpNode('No Operation')).build();
}

/** One credit per customer of `many`, and `sameCustomerCount` credits for `oneCustomer` spread evenly among them. */
export function burstRequests(many: string[], oneCustomer: string, sameCustomerCount: number): CreditRequest[] {
	const others = many.map((customerId, index) => ({ customerId, amount: -(100 + index), currency: 'usd', note: `Referral credit ${index}` }));
	const same = Array.from({ length: sameCustomerCount }, (_, index) => ({ customerId: oneCustomer, amount: -1, currency: 'usd', note: `Loyalty point ${index}` }));
	const every = Math.max(1, Math.floor((others.length + same.length) / Math.max(1, same.length)));
	const requests: CreditRequest[] = [];
	while (others.length + same.length > 0) {
		const takeSame = same.length > 0 && (requests.length % every === 0 || others.length === 0);
		requests.push((takeSame ? same : others).shift() as CreditRequest);
	}
	return requests;
}
