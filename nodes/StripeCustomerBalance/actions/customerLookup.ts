import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { allPages, detailsOf, type CallOptions, type StripeCall, type StripeClient } from '../transport';

export type IfSeveralMatch = 'fail' | 'mostRecentlyCreated';

/** How an item names its customer: by id (By ID, By URL, From List) or by email (By Email). */
export type CustomerRef = { id: string } | { email: string; ifSeveral: IfSeveralMatch };

export interface ResolvedCustomer {
	id: string;
	/** Several customers had the email and the most recently created was used: the item's output says so. */
	chosen?: { email: string; customer: string; rule: 'most recently created'; matches: Array<{ id: string; created: number }> };
}

const PAGE_SIZE = 100;

/** Search's most clauses in one query: up to this many emails share one Search request. */
const EMAILS_PER_SEARCH = 10;

/** Searches one execution has in flight per account: while they are, new emails gather into the next one. */
const SEARCHES_IN_FLIGHT = 2;

/** Emails gathering for one Search request (lower case), what it will find, and its start. */
interface SearchBatch {
	emails: Set<string>;
	found: Promise<IDataObject[]>;
	send: () => void;
}

interface Searches {
	next?: SearchBatch;
	inFlight: number;
}

/** Stripe Search's quoted string: a quote inside is escaped with a backslash (customerEmail refuses `"` and `\`). */
export function emailSearchQuery(email: string): string {
	return `email:'${email.toLowerCase().replace(/'/g, "\\'")}'`;
}

function createdOf(customer: IDataObject): number {
	return typeof customer.created === 'number' ? customer.created : 0;
}

function describeMatches(customers: IDataObject[]): string {
	return customers.map((customer) => `${String(customer.id)} (created ${new Date(createdOf(customer) * 1000).toISOString()})`).join(', ');
}

/**
 * Finds customers by email for one execution, through the execution's StripeClient (the account's pacer, retries,
 * timeouts), each email once per account whatever its letter case.
 *
 * Stripe's list filter `email=` is exact and case-sensitive; its Search API is case-insensitive but eventually
 * consistent (a customer created in the last minute or so may be missing) and not offered everywhere. So a lookup
 * asks Search first (`email:'jane@acme.com'`: every customer with that email in any case). When Search finds none,
 * or answers 400/404 (not available), it asks the exact list filter with the email as written and in lower case,
 * which also finds a customer created too recently to be searchable.
 */
export class CustomerLookup {
	private readonly byEmail = new Map<string, Promise<IDataObject[]>>();

	/** Per account and expansion: the emails gathering for the next Search, and how many of its Searches are in flight. */
	private readonly searches = new Map<string, Searches>();

	constructor(private readonly client: StripeClient) {}

	/** The id at once for an id; a promise for an email (resolved to exactly one live customer, or an error naming it). */
	resolve(ref: CustomerRef, options: CallOptions, itemIndex: number): ResolvedCustomer | Promise<ResolvedCustomer> {
		if ('id' in ref) return { id: ref.id };
		return this.resolveEmail(ref.email, ref.ifSeveral, options, itemIndex);
	}

	/** Every live customer whose email is this one in any letter case; each email is looked up once per execution. */
	async customersWithEmail(email: string, options: CallOptions, itemIndex: number, expand: string[] = []): Promise<IDataObject[]> {
		const key = JSON.stringify([options.stripeAccount ?? '', email.toLowerCase(), expand]);
		let found = this.byEmail.get(key);
		if (!found) {
			found = this.lookUp(email, options, itemIndex, expand);
			this.byEmail.set(key, found);
		}
		return await found;
	}

	/** Every customer a Stripe Search query finds, newest first as Stripe orders them, up to `limit`. */
	async search(query: string, options: CallOptions, itemIndex: number, limit: number, expand: string[] = []): Promise<IDataObject[]> {
		const params = { query, limit: PAGE_SIZE, expand: expand.length ? expand : undefined };
		return await this.liveCustomers({ method: 'GET', path: '/v1/customers/search', params, itemIndex, options }, limit);
	}

	/** Deleted customers are never matched (Find's, and an item's By Email). */
	private async liveCustomers(call: StripeCall, limit?: number): Promise<IDataObject[]> {
		return (await allPages(this.client, call, limit)).filter((customer) => customer.deleted !== true);
	}

	private async resolveEmail(email: string, ifSeveral: IfSeveralMatch, options: CallOptions, itemIndex: number): Promise<ResolvedCustomer> {
		const found = await this.customersWithEmail(email, options, itemIndex);
		if (found.length === 0) {
			throw new NodeOperationError(this.client.node, `No Stripe customer has the email ${email} (Customer, item ${itemIndex})`, {
				itemIndex,
				description:
					'Nothing was sent for this item. Letter case is ignored; deleted customers are not matched. Check the email, or create the customer first (Customer > Find with Always Output Data tells you whether it exists).',
			});
		}
		const newestFirst = [...found].sort((a, b) => createdOf(b) - createdOf(a));
		if (newestFirst.length === 1) return { id: String(newestFirst[0].id) };
		if (ifSeveral !== 'mostRecentlyCreated') {
			throw new NodeOperationError(
				this.client.node,
				`${newestFirst.length} Stripe customers have the email ${email} (Customer, item ${itemIndex}): ${describeMatches(newestFirst)}`,
				{
					itemIndex,
					description:
						'Nothing was sent for this item: the node never guesses. Name the customer By ID, or set Options > If Several Customers Match to Use the Most Recently Created.',
				},
			);
		}
		const id = String(newestFirst[0].id);
		return {
			id,
			chosen: {
				email,
				customer: id,
				rule: 'most recently created',
				matches: newestFirst.map((customer) => ({ id: String(customer.id), created: createdOf(customer) })),
			},
		};
	}

	private async lookUp(email: string, options: CallOptions, itemIndex: number, expand: string[]): Promise<IDataObject[]> {
		const lower = email.toLowerCase();
		const sameEmail = (customer: IDataObject) => typeof customer.email === 'string' && customer.email.toLowerCase() === lower;
		const searched = await this.searched(email, options, itemIndex, expand).then(
			(customers) => customers.filter(sameEmail),
			(error: unknown) => {
				// Search not offered for this account (Stripe answers 400 or 404): the exact filter still finds exact spellings.
				const status = detailsOf(error)?.statusCode;
				if (status === 400 || status === 404) return [];
				throw error;
			},
		);
		if (searched.length > 0) return searched;
		const found = new Map<string, IDataObject>();
		for (const spelling of new Set([email, lower])) {
			const params = { email: spelling, limit: PAGE_SIZE, expand: expand.length ? expand.map((field) => `data.${field}`) : undefined };
			const customers = await this.liveCustomers({ method: 'GET', path: '/v1/customers', params, itemIndex, options });
			for (const customer of customers.filter(sameEmail)) found.set(String(customer.id), customer);
		}
		return [...found.values()];
	}

	/**
	 * What Search finds for this email. Emails asked for together share a request, `email:'a' OR email:'b'`, up to
	 * Search's 10 clauses: a bulk run by email costs Search a tenth of the requests, and its 20/s limit stops being
	 * the pace. The first email of an execution goes out at once; while SEARCHES_IN_FLIGHT are out, more gather.
	 */
	private async searched(email: string, options: CallOptions, itemIndex: number, expand: string[]): Promise<IDataObject[]> {
		const key = JSON.stringify([options.stripeAccount ?? '', expand]);
		const searches = this.searches.get(key) ?? { inFlight: 0 };
		this.searches.set(key, searches);
		if (!searches.next) {
			const emails = new Set<string>();
			let send = () => {};
			const sent = new Promise<void>((resolve) => (send = resolve));
			const query = () => [...emails].map(emailSearchQuery).join(' OR ');
			const found = sent.then(async () => await this.search(query(), options, itemIndex, Infinity, expand.map((field) => `data.${field}`)));
			const settled = () => {
				searches.inFlight -= 1;
				this.sendNext(searches);
			};
			void found.then(settled, settled);
			searches.next = { emails, found, send };
			// the emails the current slice of items asks for join it before it may go
			void Promise.resolve().then(() => this.sendNext(searches));
		}
		const batch = searches.next;
		batch.emails.add(email.toLowerCase());
		if (batch.emails.size === EMAILS_PER_SEARCH) this.sendNext(searches, true);
		return await batch.found;
	}

	private sendNext(searches: Searches, full = false): void {
		if (!searches.next || (!full && searches.inFlight >= SEARCHES_IN_FLIGHT)) return;
		searches.inFlight += 1;
		searches.next.send();
		searches.next = undefined;
	}
}
